/**
 * The replay table, r!<request id> → JSON {attempts, lists, expiresAtMs}:
 * how often a request id has been signed and with which commitment lists.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { PresenceIndex } from './presence-index.js';
import { rangeOf, type BatchOp, type StoreDb } from './store-db.js';

const REPLAY = 'r!';

/** How often a request id has been signed, and until when it is remembered. */
export interface ReplayEntry {
  attempts: number;
  /** Hex digests of the commitment lists already signed for this request. */
  lists: string[];
  expiresAtMs: number;
}

const decode = (v: Uint8Array) => JSON.parse(new TextDecoder().decode(v)) as ReplayEntry;

/** Replay entries by request id, with an in-memory index of the ids that have one (presence-index.ts). */
export class ReplayTable {
  readonly #present = new PresenceIndex(REPLAY);
  constructor(private readonly db: StoreDb) {}

  /** Indexes the request ids that have an entry (at open). */
  load(): Promise<void> {
    return this.#present.load(this.db);
  }

  /** The replay entry of a request id, if it is still remembered (a new id: no read). */
  async get(requestId: string): Promise<ReplayEntry | undefined> {
    if (!this.#present.mayHave(requestId)) return undefined;
    const v = await this.db.get(REPLAY + requestId);
    return v === undefined ? undefined : decode(v);
  }

  /** The batch operation remembering `entry` for `requestId`. */
  putOp(requestId: string, entry: ReplayEntry): BatchOp {
    this.#present.mark(requestId);
    return { type: 'put', key: REPLAY + requestId, value: utf8ToBytes(JSON.stringify(entry)) };
  }

  /** Forgets replay entries that expired before `nowMs`; returns how many. */
  async prune(nowMs: number): Promise<number> {
    const dels: BatchOp[] = [];
    const gone: string[] = [];
    const since = this.#present.seq;
    for await (const [k, v] of this.db.level.iterator(rangeOf(REPLAY))) {
      if (decode(v).expiresAtMs >= nowMs) continue;
      dels.push({ type: 'del', key: k });
      gone.push(k.slice(REPLAY.length));
    }
    if (dels.length) await this.db.write(dels);
    for (const id of gone) this.#present.unmark(id, since);
    return dels.length;
  }
}

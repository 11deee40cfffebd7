/**
 * Requests held for operator approval, q!<request id> → JSON (not secret;
 * the node's approval logic owns the fields).
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { PresenceIndex } from './presence-index.js';
import { rangeOf, type BatchOp, type StoreDb } from './store-db.js';

const HOLD = 'q!';

/** A held request as stored: opaque JSON owned by the node's approval logic. */
export interface StoredHold {
  requestId: string;
  [field: string]: unknown;
}

const decode = (v: Uint8Array) => JSON.parse(new TextDecoder().decode(v)) as StoredHold;

/** Held requests by request id, with an in-memory index of the ids that have one (presence-index.ts). */
export class HoldTable {
  readonly #present = new PresenceIndex(HOLD);
  constructor(private readonly db: StoreDb) {}

  /** Indexes the request ids that have a hold (at open). */
  load(): Promise<void> {
    return this.#present.load(this.db);
  }

  /** The batch operation storing (or updating) `hold` (to go with its audit record). */
  putOp(hold: StoredHold): BatchOp {
    this.#present.mark(hold.requestId);
    return { type: 'put', key: HOLD + hold.requestId, value: utf8ToBytes(JSON.stringify(hold)) };
  }

  /** The held request of a request id, if remembered. */
  async get(requestId: string): Promise<StoredHold | undefined> {
    if (!this.#present.mayHave(requestId)) return undefined;
    const v = await this.db.get(HOLD + requestId);
    return v === undefined ? undefined : decode(v);
  }

  /** Every remembered held request, in request-id order. */
  async list(): Promise<StoredHold[]> {
    const out: StoredHold[] = [];
    for await (const v of this.db.level.values(rangeOf(HOLD))) out.push(decode(v));
    return out;
  }

  /** Forgets held requests (their records stay in the audit log). */
  async delete(requestIds: string[]): Promise<void> {
    if (requestIds.length === 0) return;
    const since = this.#present.seq;
    await this.db.write(requestIds.map((id) => ({ type: 'del', key: HOLD + id })));
    for (const id of requestIds) this.#present.unmark(id, since);
  }
}

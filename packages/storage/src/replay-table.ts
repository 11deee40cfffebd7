/**
 * The replay table, r!<request id> → JSON {attempts, lists, expiresAtMs}:
 * how often a request id has been signed and with which commitment lists.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
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

/** Replay entries by request id. */
export class ReplayTable {
  constructor(private readonly db: StoreDb) {}

  /** The replay entry of a request id, if it is still remembered. */
  async get(requestId: string): Promise<ReplayEntry | undefined> {
    const v = await this.db.get(REPLAY + requestId);
    return v === undefined ? undefined : decode(v);
  }

  /** The batch operation remembering `entry` for `requestId`. */
  putOp(requestId: string, entry: ReplayEntry): BatchOp {
    return { type: 'put', key: REPLAY + requestId, value: utf8ToBytes(JSON.stringify(entry)) };
  }

  /** Forgets replay entries that expired before `nowMs`; returns how many. */
  async prune(nowMs: number): Promise<number> {
    const dels: BatchOp[] = [];
    for await (const [k, v] of this.db.level.iterator(rangeOf(REPLAY))) if (decode(v).expiresAtMs < nowMs) dels.push({ type: 'del', key: k });
    if (dels.length) await this.db.write(dels);
    return dels.length;
  }
}

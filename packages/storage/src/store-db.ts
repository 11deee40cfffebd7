/**
 * The one batch writer under the node store's tables: typed reads and
 * synchronous batch writes on the node's LevelDB, and the master-key sealer
 * every sealed table seals with. Each table module (key-table.ts,
 * nonce-table.ts, replay-table.ts, hold-table.ts, meta-table.ts) builds
 * batch operations; the store writes them here or hands them to the audit
 * log so a change and its record land in one batch.
 */
import type { Level } from 'level';
import { QSIGN_HINT, QsignError, errorMessage } from '@qsign/protocol';
import type { Sealer } from './sealer.js';

type Bytes = Uint8Array;

/** One LevelDB batch operation. */
export type BatchOp = { type: 'put'; key: string; value: Bytes } | { type: 'del'; key: string };

/** The LevelDB range of every key under `prefix` (one table). */
export const rangeOf = (prefix: string) => ({ gt: prefix, lt: prefix + '\xff' });

/** Reads, synchronous batch writes and the sealer over one LevelDB. */
export class StoreDb {
  #sealer: Sealer | undefined;
  constructor(readonly level: Level<string, Bytes>) {}

  /** The master-key sealer; throws SEALED while the node is sealed. */
  get sealer(): Sealer {
    if (!this.#sealer) throw new QsignError('SEALED', `node is sealed: unseal it with K unseal shares (${QSIGN_HINT} node unseal)`);
    return this.#sealer;
  }

  /** True until a master key has been accepted. */
  get sealed(): boolean {
    return this.#sealer === undefined;
  }

  /** Accepts a master key (after meta-table.ts checked it). */
  useSealer(sealer: Sealer): void {
    this.#sealer = sealer;
  }

  /** Reads one value; undefined when absent; STORAGE on a database failure. */
  async get(key: string): Promise<Bytes | undefined> {
    try {
      return await this.level.get(key);
    } catch (e) {
      throw new QsignError('STORAGE', `database read failed: ${errorMessage(e)}`, { cause: e });
    }
  }

  /** Writes `ops` as one synchronous batch; STORAGE on a database failure. */
  async write(ops: BatchOp[]): Promise<void> {
    try {
      await this.level.batch(ops, { sync: true });
    } catch (e) {
      throw new QsignError('STORAGE', `database write failed: ${errorMessage(e)}`, { cause: e });
    }
  }
}

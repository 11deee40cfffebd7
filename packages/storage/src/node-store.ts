/**
 * A node's LevelDB store: sealed key shares, sealed nonces, the replay table,
 * held requests, metadata and the audit log. Every state change that matters
 * is one synchronous LevelDB batch together with the audit record describing
 * it (DESIGN.md, trust model 4 and 5). Each table is its own module over one
 * batch writer (store-db.ts); this class opens them and keeps the one API the
 * daemon uses.
 *
 * Layout (one prefix per table, sortable keys):
 *   k!<name>        sealed key shares (key-table.ts); m!key-count their count
 *   n!<hiding hex>  sealed nonce pairs; o!<ms>!<hiding hex> their owners by age (nonce-table.ts)
 *   r!<request id>  replay entries (replay-table.ts)
 *   q!<request id>  requests held for operator approval (hold-table.ts)
 *   m!<name>        sealed metadata, m!master-check proves the master key;
 *   p!<name>        plain metadata, e.g. the policy hash (meta-table.ts)
 *   a!, h!, t!, c!, x!, w!  the audit log (audit-log.ts)
 *
 * A store opened without a Sealer is SEALED: the audit log, holds, plain
 * metadata and the key count are readable (they are not secret), every
 * sealed value refuses with SEALED until `unseal` is given the right master key.
 */
import { Level } from 'level';
import { QsignError, errorMessage } from '@qsign/protocol';
import type { Sealer } from './sealer.js';
import { AuditLog, type AuditEntry } from './audit-log.js';
import { AuditCoalescer } from './audit-coalescer.js';
import { StoreDb } from './store-db.js';
import { KeyTable, type StoredKey } from './key-table.js';
import { NonceTable, type StoredNonce } from './nonce-table.js';
import { ReplayTable, type ReplayEntry } from './replay-table.js';
import { HoldTable, type StoredHold } from './hold-table.js';
import { MetaTable } from './meta-table.js';

export type { StoredKey } from './key-table.js';
export type { StoredNonce } from './nonce-table.js';
export type { ReplayEntry } from './replay-table.js';
export type { StoredHold } from './hold-table.js';

type Bytes = Uint8Array;

/** The node's persistent state. */
export class NodeStore {
  readonly audit: AuditLog;
  /** Records floods (refusals, quota evictions) one per kind and second, with a count (audit-coalescer.ts). */
  readonly coalesced: AuditCoalescer;
  readonly #db: StoreDb;
  readonly #keys: KeyTable;
  readonly #nonces: NonceTable;
  readonly #replay: ReplayTable;
  readonly #holds: HoldTable;
  readonly #meta: MetaTable;
  private constructor(
    private readonly db: Level<string, Bytes>,
    audit: AuditLog,
  ) {
    this.#db = new StoreDb(db);
    this.audit = audit;
    this.coalesced = new AuditCoalescer(audit, (ops) => this.#db.write(ops));
    this.#keys = new KeyTable(this.#db, audit);
    this.#nonces = new NonceTable(this.#db, audit, this.coalesced);
    this.#replay = new ReplayTable(this.#db);
    this.#holds = new HoldTable(this.#db);
    this.#meta = new MetaTable(this.#db);
  }

  /** True until a master key has been accepted. */
  get sealed(): boolean {
    return this.#db.sealed;
  }

  /** True once a master key check value exists (the store was initialised). */
  initialised(): Promise<boolean> {
    return this.#meta.initialised();
  }

  /**
   * Accepts a master key: it must open the sealed check value written at
   * initialisation (or, on a store that has none yet, one is written now).
   * Throws SEALED with a clear message for a wrong key; the store stays sealed.
   */
  async unseal(sealer: Sealer): Promise<void> {
    await this.#meta.checkMaster(sealer);
    this.#db.useSealer(sealer);
  }

  /** Opens (creating if needed) the store in `dir`; without a sealer it stays sealed until `unseal`. */
  static async open(dir: string, sealer?: Sealer): Promise<NodeStore> {
    // No snappy compression: every secret is ciphertext (incompressible), and uncompressed
    // files let an operator or a test search them for plaintext secrets meaningfully.
    const db = new Level<string, Bytes>(dir, { keyEncoding: 'utf8', valueEncoding: 'view', compression: false } as never);
    try {
      await db.open();
    } catch (e) {
      throw new QsignError('STORAGE', `cannot open node database at ${dir}: ${errorMessage((e as { cause?: unknown }).cause ?? e)}`);
    }
    const store = new NodeStore(db, await AuditLog.load(db));
    await store.#nonces.load();
    await store.#keys.load();
    await store.#replay.load();
    await store.#holds.load();
    if (sealer) {
      try {
        await store.unseal(sealer);
      } catch (e) {
        await db.close();
        throw e;
      }
    }
    return store;
  }

  /** Closes the database. */
  async close(): Promise<void> {
    await this.coalesced.flush().catch(() => undefined);
    await this.db.close();
  }

  // ---- keys (key-table.ts) ----

  /** Stores a new key share together with its audit record. Refuses to overwrite. */
  putKey(key: StoredKey, record: AuditEntry, overwrite = false): Promise<void> {
    return this.#keys.put(key, record, overwrite);
  }

  /** Bulk import: stores many new keys, each with its own audit record (AuditLog.appendMany). Refuses names that exist. */
  putKeys(items: Array<{ key: StoredKey; record: AuditEntry }>): Promise<void> {
    return this.#keys.putMany(items);
  }

  /** Deletes a key share (retired by a reshare) with its audit record. */
  deleteKey(name: string, record: AuditEntry): Promise<void> {
    return this.#keys.delete(name, record);
  }

  /** Looks a key up by name. */
  getKey(name: string): Promise<StoredKey | undefined> {
    return this.#keys.get(name);
  }

  /** Names of all keys, sorted; with `prefix`, only those starting with it (a range scan, not a full one). */
  listKeys(prefix?: string): Promise<string[]> {
    return this.#keys.list(prefix);
  }

  /** Number of keys: a counter maintained in the same batches that add or delete keys (no scan). */
  async countKeys(): Promise<number> {
    return this.#keys.count;
  }

  /** Number of keys, synchronously. */
  get keyCount(): number {
    return this.#keys.count;
  }

  // ---- nonces (nonce-table.ts) ----

  /** Unused nonces handed to `owner` (a coordinator identity). */
  outstandingNonces(owner: string): number {
    return this.#nonces.outstanding(owner);
  }

  /** How many owners hold unused nonces. */
  get nonceOwners(): number {
    return this.#nonces.owners;
  }

  /** Number of unused nonces held. */
  get nonceCount(): number {
    return this.#nonces.count;
  }

  /**
   * Durably stores freshly generated nonces handed to `owner` before their
   * commitments leave the node; beyond `quota` the owner's oldest are deleted
   * in the same batch (NonceTable.add). Returns how many.
   */
  addNonces(nonces: StoredNonce[], owner = '', quota = Number.MAX_SAFE_INTEGER): Promise<{ evicted: number }> {
    return this.#nonces.add(nonces, owner, quota);
  }

  /** Deletes nonces handed out before `beforeMs` and never used, with one audit record. Returns the count. */
  expireNonces(beforeMs: number): Promise<number> {
    return this.#nonces.expire(beforeMs);
  }

  /** Reads the unused nonce whose hiding commitment is `hidingCommitment`, if any. */
  getNonce(hidingCommitment: Bytes): Promise<StoredNonce | undefined> {
    return this.#nonces.get(hidingCommitment);
  }

  // ---- replay (replay-table.ts) ----

  /** The replay entry of a request id, if it is still remembered. */
  getReplay(requestId: string): Promise<ReplayEntry | undefined> {
    return this.#replay.get(requestId);
  }

  /** Forgets replay entries that expired before `nowMs`. */
  pruneReplay(nowMs: number): Promise<number> {
    return this.#replay.prune(nowMs);
  }

  /**
   * The sign decision as ONE durable write: delete the nonce, remember the
   * request, append the audit record. Only after it resolves may the share be
   * computed (DESIGN.md trust model 5: nonces used once, also across a crash).
   */
  async commitSignature(hidingCommitment: Bytes, requestId: string, replay: ReplayEntry, record: AuditEntry): Promise<void> {
    await this.audit.append(record, [this.#nonces.spendOp(hidingCommitment), this.#replay.putOp(requestId, replay)]);
    this.#nonces.spent(hidingCommitment);
  }

  /**
   * One-round schemes (threshold RSA): the audit record and the replay entry in one durable
   * batch before the share is computed; there is no nonce to delete.
   */
  async commitOneRoundSignature(requestId: string, replay: ReplayEntry, record: AuditEntry): Promise<void> {
    await this.audit.append(record, [this.#replay.putOp(requestId, replay)]);
  }

  // ---- metadata (meta-table.ts) ----

  /** Reads a sealed metadata value. */
  getSecretMeta(name: string): Promise<Bytes | undefined> {
    return this.#meta.getSecret(name);
  }

  /** Writes a sealed metadata value. */
  putSecretMeta(name: string, value: Bytes): Promise<void> {
    return this.#meta.putSecret(name, value);
  }

  /** Deletes a sealed metadata value (e.g. a pending reshare share once activated). */
  deleteSecretMeta(name: string): Promise<void> {
    return this.#meta.deleteSecret(name);
  }

  /** Reads a non-secret metadata value. */
  getPlainMeta(name: string): Promise<string | undefined> {
    return this.#meta.getPlain(name);
  }

  /** Writes a non-secret metadata value in the same batch as its audit record. */
  async putPlainMeta(name: string, value: string, record: AuditEntry): Promise<void> {
    await this.audit.append(record, [this.#meta.putPlainOp(name, value)]);
  }

  // ---- held requests (hold-table.ts) ----

  /** Stores (or updates) a held request together with the audit record of the change. */
  async putHold(hold: StoredHold, record: AuditEntry): Promise<void> {
    await this.audit.append(record, [this.#holds.putOp(hold)]);
  }

  /** The held request of a request id, if remembered. */
  getHold(requestId: string): Promise<StoredHold | undefined> {
    return this.#holds.get(requestId);
  }

  /** Every remembered held request (pending and decided), in request-id order. */
  listHolds(): Promise<StoredHold[]> {
    return this.#holds.list();
  }

  /** Forgets held requests (after their retention; their records stay in the audit log). */
  deleteHolds(requestIds: string[]): Promise<void> {
    return this.#holds.delete(requestIds);
  }
}

/**
 * A node's LevelDB store: sealed key shares, sealed nonces, the replay table
 * and the audit log. Every state change that matters is one synchronous
 * LevelDB batch together with the audit record describing it (DESIGN.md,
 * trust model 4 and 5).
 *
 * Layout (one sublevel prefix per kind, sortable keys):
 *   k!<name>        sealed JSON of a key share and its public package
 *   n!<hiding hex>  sealed nonce pair (secret), one per handed-out commitment
 *   r!<request id>  replay entry: attempts and expiry
 *   a!<seq 16 hex>  audit record bytes (canonical JSON)
 *   m!<name>        node metadata (sealed where secret); m!master-check proves
 *                   the master key, m!key-count is the maintained key count
 *   q!<request id>  a request held for operator approval (JSON, not secret)
 *   p!<name>        plain (unsealed, non-secret) metadata, e.g. the policy hash
 *
 * A store opened without a Sealer is SEALED: the audit log, holds, plain
 * metadata and the key count are readable (they are not secret), every
 * sealed value refuses with SEALED until `unseal` is given the right master key.
 */
import { Level } from 'level';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { QSIGN_HINT, QsignError, errorMessage } from '@qsign/protocol';
import { noncesExpiredEntry } from '@qsign/audit';
import type { Sealer } from './sealer.js';
import { AuditLog, type AuditEntry } from './audit-log.js';
import { AuditCoalescer } from './audit-coalescer.js';

type Bytes = Uint8Array;
type BatchOp = { type: 'put'; key: string; value: Bytes } | { type: 'del'; key: string };

/** A key share as a node keeps it. `share` is secret and is sealed at rest. */
export interface StoredKey {
  name: string;
  identifier: number;
  /** Secret signing share (32-byte scalar). */
  share: Bytes;
  minSigners: number;
  maxSigners: number;
  groupPublicKey: Bytes;
  verifyingShares: Record<number, string>;
  vssCommitment: string[];
  createdUnixSeconds: number;
  userId: string;
  fingerprint?: string;
  certificate?: string;
  /** Threshold scheme (protocol SchemeId); absent means `frost-ed25519`. RSA shares are s_i big-endian, verifyingShares Shoup's v_i. */
  scheme?: 'frost-ed25519' | 'rsa-shoup';
  /** Shoup's verification base v (hex) of a safe-prime RSA key. */
  verificationBase?: string;
}

/** A secret nonce pair with its public commitments. */
export interface StoredNonce {
  hiding: Bytes;
  binding: Bytes;
  hidingCommitment: Bytes;
  bindingCommitment: Bytes;
  /**
   * The coordinator identity the commitment was handed to (its pool); only
   * that coordinator may spend it. Sealed with the nonce. '' for nonces
   * stored before pools were kept per coordinator.
   */
  coordinator: string;
}

/** How often a request id has been signed, and until when it is remembered. */
export interface ReplayEntry {
  attempts: number;
  /** Hex digests of the commitment lists already signed for this request. */
  lists: string[];
  expiresAtMs: number;
}

const KEY = 'k!';
const NONCE = 'n!';
const REPLAY = 'r!';
const META = 'm!';
const MASTER_CHECK = META + 'master-check';
const KEY_COUNT = META + 'key-count';
const MASTER_CHECK_PLAIN = utf8ToBytes('qsign master key check v1');
const HOLD = 'q!';
/** Nonce age index: o!<created ms, 16 hex>!<hiding hex> → owner (the coordinator identity it was handed to; public; lets old nonces be expired). */
const NONCE_AGE = 'o!';
const PLAIN = 'p!';

/** A held request as stored: opaque JSON owned by the node's approval logic. */
export interface StoredHold {
  requestId: string;
  [field: string]: unknown;
}

/** The node's persistent state. */
export class NodeStore {
  readonly audit: AuditLog;
  /** Records floods (refusals, quota evictions) one per kind and second, with a count (audit-coalescer.ts). */
  readonly coalesced: AuditCoalescer;
  #nonceCount = 0;
  /** Unused nonces per owner, oldest first: hiding hex → age-index key. */
  readonly #owned = new Map<string, Map<string, string>>();
  readonly #ownerOf = new Map<string, string>();
  #keyCount = 0;
  #sealer: Sealer | undefined;
  readonly #keyCache = new Map<string, StoredKey>();
  private constructor(
    private readonly db: Level<string, Bytes>,
    audit: AuditLog,
  ) {
    this.audit = audit;
    this.coalesced = new AuditCoalescer(audit, (ops) => this.#write(ops));
  }

  /** The master-key sealer; throws SEALED while the node is sealed. */
  private get sealer(): Sealer {
    if (!this.#sealer) throw new QsignError('SEALED', `node is sealed: unseal it with K unseal shares (${QSIGN_HINT} node unseal)`);
    return this.#sealer;
  }

  /** True until a master key has been accepted. */
  get sealed(): boolean {
    return this.#sealer === undefined;
  }

  /** True once a master key check value exists (the store was initialised). */
  async initialised(): Promise<boolean> {
    return (await this.#get(MASTER_CHECK)) !== undefined;
  }

  /**
   * Accepts a master key: it must open the sealed check value written at
   * initialisation (or, on a store that has none yet, one is written now).
   * Throws SEALED with a clear message for a wrong key; the store stays sealed.
   */
  async unseal(sealer: Sealer): Promise<void> {
    const check = await this.#get(MASTER_CHECK);
    if (check === undefined) {
      await this.#write([{ type: 'put', key: MASTER_CHECK, value: sealer.seal(MASTER_CHECK, MASTER_CHECK_PLAIN) }]);
    } else {
      let plain: Uint8Array | undefined;
      try {
        plain = sealer.open(MASTER_CHECK, check);
      } catch {
        plain = undefined;
      }
      if (!plain || bytesToHex(plain) !== bytesToHex(MASTER_CHECK_PLAIN))
        throw new QsignError('SEALED', 'the unseal shares do not reconstruct this node\'s master key (wrong shares, or too few of them); the node stays sealed');
    }
    this.#sealer = sealer;
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
    const audit = await AuditLog.load(db);
    const store = new NodeStore(db, audit);
    const unused = new Set<string>();
    for await (const k of db.keys({ gt: NONCE, lt: NONCE + '\xff' })) {
      store.#nonceCount++;
      unused.add(k.slice(NONCE.length));
    }
    for await (const [k, v] of db.iterator({ gt: NONCE_AGE, lt: NONCE_AGE + '\xff' })) {
      const hiding = k.slice(k.lastIndexOf('!') + 1);
      if (unused.has(hiding)) store.#own(new TextDecoder().decode(v), hiding, k);
    }
    const count = await store.#get(KEY_COUNT);
    if (count !== undefined) store.#keyCount = Number(new TextDecoder().decode(count));
    else {
      // A store from before the counter: count once, then maintain it.
      for await (const _ of db.keys({ gt: KEY, lt: KEY + '\xff' })) store.#keyCount++;
      await store.#write([{ type: 'put', key: KEY_COUNT, value: utf8ToBytes(String(store.#keyCount)) }]);
    }
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

  // ---- keys ----

  /** Stores a new key share together with its audit record. Refuses to overwrite. */
  async putKey(key: StoredKey, record: AuditEntry, overwrite = false): Promise<void> {
    const slot = KEY + key.name;
    const exists = (await this.#get(slot)) !== undefined;
    if (!overwrite && exists) throw new QsignError('KEY_EXISTS', `key ${key.name} already exists on this node`);
    const value = this.#sealKey(key);
    const ops: BatchOp[] = [{ type: 'put', key: slot, value }];
    if (!exists) ops.push(this.#countOp(++this.#keyCount));
    try {
      await this.audit.append(record, ops);
    } catch (e) {
      if (!exists) this.#keyCount--;
      throw e;
    }
    this.#keyCache.set(key.name, key);
  }

  /**
   * Bulk import: stores many new keys, `batchSize` per durable batch, each
   * with its own audit record (AuditLog.appendMany). Refuses names that exist.
   */
  async putKeys(items: Array<{ key: StoredKey; record: AuditEntry }>): Promise<void> {
    for (const { key } of items)
      if ((await this.#get(KEY + key.name)) !== undefined) throw new QsignError('KEY_EXISTS', `key ${key.name} already exists on this node`);
    const ops: BatchOp[] = items.map(({ key }) => ({ type: 'put', key: KEY + key.name, value: this.#sealKey(key) }));
    this.#keyCount += items.length;
    ops.push(this.#countOp(this.#keyCount));
    try {
      await this.audit.appendMany(items.map((i) => i.record), ops);
    } catch (e) {
      this.#keyCount -= items.length;
      throw e;
    }
  }

  /** Deletes a key share (retired by a reshare) with its audit record. */
  async deleteKey(name: string, record: AuditEntry): Promise<void> {
    const exists = (await this.#get(KEY + name)) !== undefined;
    const ops: BatchOp[] = [{ type: 'del', key: KEY + name }];
    if (exists) ops.push(this.#countOp(--this.#keyCount));
    try {
      await this.audit.append(record, ops);
    } catch (e) {
      if (exists) this.#keyCount++;
      throw e;
    }
    this.#keyCache.delete(name);
  }

  #sealKey(key: StoredKey): Bytes {
    const slot = KEY + key.name;
    const plain = utf8ToBytes(JSON.stringify({ ...key, share: bytesToHex(key.share), groupPublicKey: bytesToHex(key.groupPublicKey) }));
    const sealed = this.sealer.seal(slot, plain);
    plain.fill(0);
    return sealed;
  }

  #countOp(n: number): BatchOp {
    return { type: 'put', key: KEY_COUNT, value: utf8ToBytes(String(n)) };
  }

  /** Looks a key up by name. */
  async getKey(name: string): Promise<StoredKey | undefined> {
    const cached = this.#keyCache.get(name);
    if (cached) return cached;
    const slot = KEY + name;
    const sealed = await this.#get(slot);
    if (sealed === undefined) return undefined;
    const parsed = JSON.parse(new TextDecoder().decode(this.sealer.open(slot, sealed)));
    const key: StoredKey = { ...parsed, share: hexToBytes(parsed.share), groupPublicKey: hexToBytes(parsed.groupPublicKey) };
    if (this.#keyCache.size > 4096) this.#keyCache.clear();
    this.#keyCache.set(name, key);
    return key;
  }

  /** Names of all keys, sorted. */
  async listKeys(): Promise<string[]> {
    const out: string[] = [];
    for await (const k of this.db.keys({ gt: KEY, lt: KEY + '\xff' })) out.push(k.slice(KEY.length));
    return out;
  }

  /** Number of keys: a counter maintained in the same batches that add or delete keys (no scan). */
  async countKeys(): Promise<number> {
    return this.#keyCount;
  }

  /** Number of keys, synchronously. */
  get keyCount(): number {
    return this.#keyCount;
  }

  // ---- nonces ----

  /** Unused nonces handed to `owner` (a coordinator identity). */
  outstandingNonces(owner: string): number {
    return this.#owned.get(owner)?.size ?? 0;
  }

  /** How many owners hold unused nonces. */
  get nonceOwners(): number {
    return this.#owned.size;
  }

  #own(owner: string, hiding: string, ageKey: string): void {
    let m = this.#owned.get(owner);
    if (!m) this.#owned.set(owner, (m = new Map()));
    m.set(hiding, ageKey);
    this.#ownerOf.set(hiding, owner);
  }

  #disown(hiding: string): void {
    const owner = this.#ownerOf.get(hiding);
    if (owner === undefined) return;
    this.#ownerOf.delete(hiding);
    const m = this.#owned.get(owner);
    m?.delete(hiding);
    if (m && m.size === 0) this.#owned.delete(owner);
  }

  /**
   * Durably stores freshly generated nonces (sealed, with the coordinator they
   * go to), handed to `owner`,
   * before their commitments leave the node. With a `quota`, the owner never
   * holds more than that many unused nonces: its oldest are deleted in the
   * same batch, with a (coalesced) `nonces-expired` record. Returns how many.
   */
  async addNonces(nonces: StoredNonce[], owner = '', quota = Number.MAX_SAFE_INTEGER): Promise<{ evicted: number }> {
    const evict = [...(this.#owned.get(owner) ?? new Map<string, string>())].slice(0, Math.max(0, this.outstandingNonces(owner) + nonces.length - quota));
    const ops: BatchOp[] = nonces.map((n) => {
      const slot = NONCE + bytesToHex(n.hidingCommitment);
      const coordinator = utf8ToBytes(n.coordinator);
      const plain = new Uint8Array(128 + coordinator.length);
      plain.set(n.hiding, 0);
      plain.set(n.binding, 32);
      plain.set(n.hidingCommitment, 64);
      plain.set(n.bindingCommitment, 96);
      plain.set(coordinator, 128);
      const value = this.sealer.seal(slot, plain);
      plain.fill(0);
      return { type: 'put', key: slot, value };
    });
    const created = Date.now().toString(16).padStart(16, '0');
    const ageKeys = nonces.map((n) => [bytesToHex(n.hidingCommitment), `${NONCE_AGE}${created}!${bytesToHex(n.hidingCommitment)}`] as const);
    for (const [, key] of ageKeys) ops.push({ type: 'put', key, value: utf8ToBytes(owner) });
    for (const [hiding, key] of evict) ops.push({ type: 'del', key: NONCE + hiding }, { type: 'del', key });
    if (evict.length === 0) await this.#write(ops);
    else {
      const reason = `coordinator ${JSON.stringify(owner)} holds ${this.outstandingNonces(owner)} unused nonces; its ${evict.length} oldest were deleted to stay within maxOutstandingNonces ${quota}`;
      await this.coalesced.append(noncesExpiredEntry(evict.length, { code: 'QUOTA_EXCEEDED', reason, coordinator: owner || undefined }), `coordinator:${owner}`, ops);
    }
    for (const [hiding] of evict) this.#disown(hiding);
    for (const [hiding, key] of ageKeys) this.#own(owner, hiding, key);
    this.#nonceCount += nonces.length - evict.length;
    return { evicted: evict.length };
  }

  /**
   * Deletes nonces handed out before `beforeMs` and never used (their
   * coordinator died or dropped them), with one audit record saying how many.
   * Used nonces' index entries are dropped on the way. Returns the count.
   */
  async expireNonces(beforeMs: number): Promise<number> {
    const until = `${NONCE_AGE}${beforeMs.toString(16).padStart(16, '0')}`;
    const ops: BatchOp[] = [];
    const gone: string[] = [];
    let expired = 0;
    for await (const k of this.db.keys({ gt: NONCE_AGE, lt: until })) {
      ops.push({ type: 'del', key: k });
      const slot = NONCE + k.slice(k.lastIndexOf('!') + 1);
      gone.push(k.slice(k.lastIndexOf('!') + 1));
      if ((await this.#get(slot)) !== undefined) {
        ops.push({ type: 'del', key: slot });
        expired++;
      }
      if (ops.length >= 10_000) break;
    }
    if (ops.length === 0) return 0;
    if (expired === 0) await this.#write(ops);
    else await this.audit.append(noncesExpiredEntry(expired, undefined, new Date(beforeMs).toISOString()), ops);
    for (const h of gone) this.#disown(h);
    this.#nonceCount -= expired;
    return expired;
  }

  /** Reads the unused nonce whose hiding commitment is `hidingCommitment`, if any. */
  async getNonce(hidingCommitment: Bytes): Promise<StoredNonce | undefined> {
    const slot = NONCE + bytesToHex(hidingCommitment);
    const sealed = await this.#get(slot);
    if (sealed === undefined) return undefined;
    const plain = this.sealer.open(slot, sealed);
    return {
      hiding: plain.slice(0, 32),
      binding: plain.slice(32, 64),
      hidingCommitment: plain.slice(64, 96),
      bindingCommitment: plain.slice(96, 128),
      coordinator: new TextDecoder().decode(plain.subarray(128)),
    };
  }

  /** Number of unused nonces held. */
  get nonceCount(): number {
    return this.#nonceCount;
  }

  // ---- replay ----

  /** The replay entry of a request id, if it is still remembered. */
  async getReplay(requestId: string): Promise<ReplayEntry | undefined> {
    const v = await this.#get(REPLAY + requestId);
    return v === undefined ? undefined : (JSON.parse(new TextDecoder().decode(v)) as ReplayEntry);
  }

  /** Forgets replay entries that expired before `nowMs`. */
  async pruneReplay(nowMs: number): Promise<number> {
    const dels: BatchOp[] = [];
    for await (const [k, v] of this.db.iterator({ gt: REPLAY, lt: REPLAY + '\xff' })) {
      const e = JSON.parse(new TextDecoder().decode(v)) as ReplayEntry;
      if (e.expiresAtMs < nowMs) dels.push({ type: 'del', key: k });
    }
    if (dels.length) await this.#write(dels);
    return dels.length;
  }

  /**
   * The sign decision as ONE durable write: delete the nonce, remember the
   * request, append the audit record. Only after it resolves may the share be
   * computed (DESIGN.md trust model 5: nonces used once, also across a crash).
   */
  async commitSignature(hidingCommitment: Bytes, requestId: string, replay: ReplayEntry, record: AuditEntry): Promise<void> {
    await this.audit.append(record, [
      { type: 'del', key: NONCE + bytesToHex(hidingCommitment) },
      { type: 'put', key: REPLAY + requestId, value: utf8ToBytes(JSON.stringify(replay)) },
    ]);
    this.#disown(bytesToHex(hidingCommitment));
    this.#nonceCount--;
  }

  /**
   * One-round schemes (threshold RSA): the audit record and the replay entry in one durable
   * batch before the share is computed; there is no nonce to delete.
   */
  async commitOneRoundSignature(requestId: string, replay: ReplayEntry, record: AuditEntry): Promise<void> {
    await this.audit.append(record, [{ type: 'put', key: REPLAY + requestId, value: utf8ToBytes(JSON.stringify(replay)) }]);
  }

  // ---- metadata ----

  /** Reads a sealed metadata value. */
  async getSecretMeta(name: string): Promise<Bytes | undefined> {
    const slot = META + name;
    const v = await this.#get(slot);
    return v === undefined ? undefined : this.sealer.open(slot, v);
  }

  /** Writes a sealed metadata value. */
  async putSecretMeta(name: string, value: Bytes): Promise<void> {
    const slot = META + name;
    await this.#write([{ type: 'put', key: slot, value: this.sealer.seal(slot, value) }]);
  }

  /** Deletes a sealed metadata value (e.g. a pending reshare share once activated). */
  async deleteSecretMeta(name: string): Promise<void> {
    await this.#write([{ type: 'del', key: META + name }]);
  }

  // ---- held requests (operator approval) ----

  /** Stores (or updates) a held request together with the audit record of the change. */
  async putHold(hold: StoredHold, record: AuditEntry): Promise<void> {
    await this.audit.append(record, [{ type: 'put', key: HOLD + hold.requestId, value: utf8ToBytes(JSON.stringify(hold)) }]);
  }

  /** The held request of a request id, if remembered. */
  async getHold(requestId: string): Promise<StoredHold | undefined> {
    const v = await this.#get(HOLD + requestId);
    return v === undefined ? undefined : (JSON.parse(new TextDecoder().decode(v)) as StoredHold);
  }

  /** Every remembered held request (pending and decided), in request-id order. */
  async listHolds(): Promise<StoredHold[]> {
    const out: StoredHold[] = [];
    for await (const v of this.db.values({ gt: HOLD, lt: HOLD + '\xff' })) out.push(JSON.parse(new TextDecoder().decode(v)) as StoredHold);
    return out;
  }

  /** Forgets held requests (after their retention; their records stay in the audit log). */
  async deleteHolds(requestIds: string[]): Promise<void> {
    if (requestIds.length) await this.#write(requestIds.map((id) => ({ type: 'del', key: HOLD + id })));
  }

  // ---- plain metadata ----

  /** Reads a non-secret metadata value. */
  async getPlainMeta(name: string): Promise<string | undefined> {
    const v = await this.#get(PLAIN + name);
    return v === undefined ? undefined : new TextDecoder().decode(v);
  }

  /** Writes a non-secret metadata value in the same batch as its audit record. */
  async putPlainMeta(name: string, value: string, record: AuditEntry): Promise<void> {
    await this.audit.append(record, [{ type: 'put', key: PLAIN + name, value: utf8ToBytes(value) }]);
  }

  async #get(key: string): Promise<Bytes | undefined> {
    try {
      return await this.db.get(key);
    } catch (e) {
      throw new QsignError('STORAGE', `database read failed: ${errorMessage(e)}`, { cause: e });
    }
  }

  async #write(ops: BatchOp[]): Promise<void> {
    try {
      await this.db.batch(ops, { sync: true });
    } catch (e) {
      throw new QsignError('STORAGE', `database write failed: ${errorMessage(e)}`, { cause: e });
    }
  }
}

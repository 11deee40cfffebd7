/**
 * Key shares, k!<name> → sealed JSON of the share and its public package,
 * and the key count m!key-count, maintained in the same batches that add or
 * delete keys so counting never scans.
 */
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { QsignError } from '@qsign/protocol';
import type { AuditLog, AuditEntry } from './audit-log.js';
import { metaSlot } from './meta-table.js';
import { rangeOf, type BatchOp, type StoreDb } from './store-db.js';

type Bytes = Uint8Array;

const KEY = 'k!';
const KEY_COUNT = metaSlot('key-count');

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

/** Sealed key shares by name, with a cache of opened ones and the maintained count. */
export class KeyTable {
  #count = 0;
  readonly #cache = new Map<string, StoredKey>();
  constructor(
    private readonly db: StoreDb,
    private readonly audit: AuditLog,
  ) {}

  /** Loads the key count (counting once on a store from before the counter). */
  async load(): Promise<void> {
    const count = await this.db.get(KEY_COUNT);
    if (count !== undefined) {
      this.#count = Number(new TextDecoder().decode(count));
      return;
    }
    for await (const _ of this.db.level.keys(rangeOf(KEY))) this.#count++;
    await this.db.write([this.#countOp(this.#count)]);
  }

  /** Stores a new key share together with its audit record. Refuses to overwrite unless asked. */
  async put(key: StoredKey, record: AuditEntry, overwrite = false): Promise<void> {
    const exists = await this.#exists(key.name);
    if (!overwrite && exists) throw this.#existsError(key.name);
    const ops: BatchOp[] = [{ type: 'put', key: KEY + key.name, value: this.#seal(key) }];
    if (!exists) ops.push(this.#countOp(++this.#count));
    await this.#append(record, ops, exists ? 0 : 1);
    this.#cache.set(key.name, key);
  }

  /** Bulk import: stores many new keys, each with its own audit record. Refuses names that exist. */
  async putMany(items: Array<{ key: StoredKey; record: AuditEntry }>): Promise<void> {
    for (const { key } of items) if (await this.#exists(key.name)) throw this.#existsError(key.name);
    const ops: BatchOp[] = items.map(({ key }) => ({ type: 'put', key: KEY + key.name, value: this.#seal(key) }));
    this.#count += items.length;
    ops.push(this.#countOp(this.#count));
    try {
      await this.audit.appendMany(items.map((i) => i.record), ops);
    } catch (e) {
      this.#count -= items.length;
      throw e;
    }
  }

  /** Deletes a key share (retired by a reshare) with its audit record. */
  async delete(name: string, record: AuditEntry): Promise<void> {
    const exists = await this.#exists(name);
    const ops: BatchOp[] = [{ type: 'del', key: KEY + name }];
    if (exists) ops.push(this.#countOp(--this.#count));
    await this.#append(record, ops, exists ? -1 : 0);
    this.#cache.delete(name);
  }

  /** Looks a key up by name. */
  async get(name: string): Promise<StoredKey | undefined> {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    const slot = KEY + name;
    const sealed = await this.db.get(slot);
    if (sealed === undefined) return undefined;
    const parsed = JSON.parse(new TextDecoder().decode(this.db.sealer.open(slot, sealed)));
    const key: StoredKey = { ...parsed, share: hexToBytes(parsed.share), groupPublicKey: hexToBytes(parsed.groupPublicKey) };
    if (this.#cache.size > 4096) this.#cache.clear();
    this.#cache.set(name, key);
    return key;
  }

  /** Names of all keys (or of those starting with `prefix`: one bounded range scan), sorted. */
  async list(prefix = ''): Promise<string[]> {
    const out: string[] = [];
    for await (const k of this.db.level.keys(prefix ? { gte: KEY + prefix, lt: KEY + prefix + '\xff' } : rangeOf(KEY))) out.push(k.slice(KEY.length));
    return out;
  }

  /** Number of keys. */
  get count(): number {
    return this.#count;
  }

  /** Appends `record` with `ops`; the count was already moved by `delta` (so concurrent writers count right) and moves back if the write fails. */
  async #append(record: AuditEntry, ops: BatchOp[], delta: number): Promise<void> {
    try {
      await this.audit.append(record, ops);
    } catch (e) {
      this.#count -= delta;
      throw e;
    }
  }

  async #exists(name: string): Promise<boolean> {
    return (await this.db.get(KEY + name)) !== undefined;
  }

  #existsError(name: string): QsignError {
    return new QsignError('KEY_EXISTS', `key ${name} already exists on this node`);
  }

  #seal(key: StoredKey): Bytes {
    const plain = utf8ToBytes(JSON.stringify({ ...key, share: bytesToHex(key.share), groupPublicKey: bytesToHex(key.groupPublicKey) }));
    const sealed = this.db.sealer.seal(KEY + key.name, plain);
    plain.fill(0);
    return sealed;
  }

  #countOp(n: number): BatchOp {
    return { type: 'put', key: KEY_COUNT, value: utf8ToBytes(String(n)) };
  }
}

/**
 * Sealed nonces, n!<hiding hex> → sealed nonce pair and commitments (one per
 * handed-out commitment), and their age index o!<created ms, 16 hex>!<hiding
 * hex> → owner (the coordinator identity the commitment went to; public),
 * which lets old unused nonces be expired. Unused nonces are also kept in
 * memory per owner, oldest first, for per-coordinator quotas.
 */
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { noncesExpiredEntry } from '@qsign/audit';
import type { AuditLog } from './audit-log.js';
import type { AuditCoalescer } from './audit-coalescer.js';
import { rangeOf, type BatchOp, type StoreDb } from './store-db.js';

type Bytes = Uint8Array;

const NONCE = 'n!';
const NONCE_AGE = 'o!';

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

/** Unused nonces and their owners. */
export class NonceTable {
  #count = 0;
  /** Unused nonces per owner, oldest first: hiding hex → age-index key. */
  readonly #owned = new Map<string, Map<string, string>>();
  readonly #ownerOf = new Map<string, string>();
  constructor(
    private readonly db: StoreDb,
    private readonly audit: AuditLog,
    private readonly coalesced: AuditCoalescer,
  ) {}

  /** Loads the count and the per-owner index of unused nonces. */
  async load(): Promise<void> {
    const unused = new Set<string>();
    for await (const k of this.db.level.keys(rangeOf(NONCE))) {
      this.#count++;
      unused.add(k.slice(NONCE.length));
    }
    for await (const [k, v] of this.db.level.iterator(rangeOf(NONCE_AGE))) {
      const hiding = k.slice(k.lastIndexOf('!') + 1);
      if (unused.has(hiding)) this.#own(new TextDecoder().decode(v), hiding, k);
    }
  }

  /** Unused nonces handed to `owner` (a coordinator identity). */
  outstanding(owner: string): number {
    return this.#owned.get(owner)?.size ?? 0;
  }

  /** How many owners hold unused nonces. */
  get owners(): number {
    return this.#owned.size;
  }

  /** Number of unused nonces held. */
  get count(): number {
    return this.#count;
  }

  /**
   * Durably stores freshly generated nonces (sealed), handed to `owner`,
   * before their commitments leave the node. With a `quota`, the owner never
   * holds more than that many unused nonces: its oldest are deleted in the
   * same batch, with a (coalesced) `nonces-expired` record. Returns how many.
   */
  async add(nonces: StoredNonce[], owner: string, quota: number): Promise<{ evicted: number }> {
    const evict = [...(this.#owned.get(owner) ?? new Map<string, string>())].slice(0, Math.max(0, this.outstanding(owner) + nonces.length - quota));
    const ops: BatchOp[] = nonces.map((n) => this.#sealOp(n));
    const created = Date.now().toString(16).padStart(16, '0');
    const ageKeys = nonces.map((n) => [bytesToHex(n.hidingCommitment), `${NONCE_AGE}${created}!${bytesToHex(n.hidingCommitment)}`] as const);
    for (const [, key] of ageKeys) ops.push({ type: 'put', key, value: utf8ToBytes(owner) });
    for (const [hiding, key] of evict) ops.push({ type: 'del', key: NONCE + hiding }, { type: 'del', key });
    if (evict.length === 0) await this.db.write(ops);
    else {
      const reason = `coordinator ${JSON.stringify(owner)} holds ${this.outstanding(owner)} unused nonces; its ${evict.length} oldest were deleted to stay within maxOutstandingNonces ${quota}`;
      await this.coalesced.append(noncesExpiredEntry(evict.length, { code: 'QUOTA_EXCEEDED', reason, coordinator: owner || undefined }), `coordinator:${owner}`, ops);
    }
    for (const [hiding] of evict) this.#disown(hiding);
    for (const [hiding, key] of ageKeys) this.#own(owner, hiding, key);
    this.#count += nonces.length - evict.length;
    return { evicted: evict.length };
  }

  /**
   * Deletes nonces handed out before `beforeMs` and never used, with one
   * audit record saying how many. Used nonces' index entries are dropped on
   * the way. Returns the count.
   */
  async expire(beforeMs: number): Promise<number> {
    const until = `${NONCE_AGE}${beforeMs.toString(16).padStart(16, '0')}`;
    const ops: BatchOp[] = [];
    const gone: string[] = [];
    let expired = 0;
    for await (const k of this.db.level.keys({ gt: NONCE_AGE, lt: until })) {
      ops.push({ type: 'del', key: k });
      const hiding = k.slice(k.lastIndexOf('!') + 1);
      gone.push(hiding);
      if ((await this.db.get(NONCE + hiding)) !== undefined) {
        ops.push({ type: 'del', key: NONCE + hiding });
        expired++;
      }
      if (ops.length >= 10_000) break;
    }
    if (ops.length === 0) return 0;
    if (expired === 0) await this.db.write(ops);
    else await this.audit.append(noncesExpiredEntry(expired, undefined, new Date(beforeMs).toISOString()), ops);
    for (const h of gone) this.#disown(h);
    this.#count -= expired;
    return expired;
  }

  /** Reads the unused nonce whose hiding commitment is `hidingCommitment`, if any. */
  async get(hidingCommitment: Bytes): Promise<StoredNonce | undefined> {
    const slot = NONCE + bytesToHex(hidingCommitment);
    const sealed = await this.db.get(slot);
    if (sealed === undefined) return undefined;
    const plain = this.db.sealer.open(slot, sealed);
    return {
      hiding: plain.slice(0, 32),
      binding: plain.slice(32, 64),
      hidingCommitment: plain.slice(64, 96),
      bindingCommitment: plain.slice(96, 128),
      coordinator: new TextDecoder().decode(plain.subarray(128)),
    };
  }

  /** The batch operation deleting a nonce as it is spent; call `spent` once the batch is written. */
  spendOp(hidingCommitment: Bytes): BatchOp {
    return { type: 'del', key: NONCE + bytesToHex(hidingCommitment) };
  }

  /** Accounts for a nonce whose `spendOp` was written. */
  spent(hidingCommitment: Bytes): void {
    this.#disown(bytesToHex(hidingCommitment));
    this.#count--;
  }

  #sealOp(n: StoredNonce): BatchOp {
    const slot = NONCE + bytesToHex(n.hidingCommitment);
    const coordinator = utf8ToBytes(n.coordinator);
    const plain = new Uint8Array(128 + coordinator.length);
    plain.set(n.hiding, 0);
    plain.set(n.binding, 32);
    plain.set(n.hidingCommitment, 64);
    plain.set(n.bindingCommitment, 96);
    plain.set(coordinator, 128);
    const value = this.db.sealer.seal(slot, plain);
    plain.fill(0);
    return { type: 'put', key: slot, value };
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
}

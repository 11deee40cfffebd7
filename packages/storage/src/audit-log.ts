/**
 * The append-only, tamper-evident audit log in LevelDB (DESIGN.md trust
 * model 4). Appends are serialised and each is ONE synchronous batch holding
 * the state change the record describes, the canonical record
 * (`@qsign/audit` encodeRecord), its RFC 6962 leaf hash, every perfect
 * subtree the leaf completes, and the new compact tree state — so a record
 * exists if and only if its change happened, and the tree always matches the
 * records. A failed write refuses the operation (fail closed).
 *
 * At open the whole log is re-hashed and compared with the stored tree; a
 * log that does not match is marked damaged: it still serves reads (so an
 * auditor can see what is wrong) but refuses every append, so the node
 * refuses to sign.
 *
 * Layout: a!<seq> record · h!<level>!<index> subtree hash (level 0 = leaves)
 * · t!state compact range · c!<n> signed checkpoints in order · x!<size>!<name>
 * cosignatures received · w!<origin> last checkpoint witnessed per peer.
 */
import type { Level } from 'level';
import { CompactRange, leafHash, type HashReader, type AuditRecord as LogRecord } from '@qsign/audit';
import { QsignError, errorMessage } from '@qsign/protocol';
import { buildRecord, type AuditEntry } from './audit-record.js';
import type { BatchOp } from './store-db.js';

export type { AuditEntry } from './audit-record.js';

type Bytes = Uint8Array;

/** A stamped audit record as stored (the `@qsign/audit` record schema). */
export type AuditRecord = LogRecord;

const AUDIT = 'a!';
const HASH = 'h!';
const STATE = 't!state';
const CHECKPOINT = 'c!';
const COSIG = 'x!';
const WITNESSED = 'w!';
/**
 * Most record bytes served in one page (GetRecords, Node.ReadAudit): well
 * under gRPC's 32 MiB message limit, whatever the records hold.
 */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;
const hex16 = (n: number) => n.toString(16).padStart(16, '0');
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Zero-padded hex sequence number: LevelDB keys sort in log order. */
export function auditSlot(seq: number): string {
  return AUDIT + hex16(seq);
}

/** Key of the stored hash of the perfect subtree (`level`, `index`); level 0 holds leaf hashes. */
export function hashSlot(level: number, index: number): string {
  return `${HASH}${level.toString(16).padStart(2, '0')}!${hex16(index)}`;
}

/** Why a log failed validation at open. */
export interface LogDamage {
  firstBadIndex: number;
  reason: string;
}

/** An append waiting for its group commit. */
interface PendingAppend {
  entries: AuditEntry[];
  ops: BatchOp[];
  resolve: (records: AuditRecord[]) => void;
  reject: (e: unknown) => void;
}

/** The append-only audit log of one node or coordinator. */
export class AuditLog implements HashReader {
  #state: CompactRange;
  #tail: Promise<unknown> = Promise.resolve();
  /** Appends waiting for the next group commit (`#flush`). */
  readonly #pending: PendingAppend[] = [];
  #damage: LogDamage | undefined;
  #checkpoints: number;
  /** Test-only fault: every append fails as if the disk were full. */
  failWrites = false;
  /** Called after each durable append with the stored record bytes. */
  onAppend: ((seq: number, bytes: Bytes) => void) | undefined;

  private constructor(
    private readonly db: Level<string, Bytes>,
    state: CompactRange,
    checkpoints: number,
    damage: LogDamage | undefined,
  ) {
    this.#state = state;
    this.#checkpoints = checkpoints;
    this.#damage = damage;
  }

  /**
   * Loads the log: reads the compact tree state, re-hashes every record and
   * checks it against the stored leaf hashes and the state (records and leaf
   * hashes read in pages of 1,024; the daemons hash with OpenSSL, setSha256). A log written
   * before the tree existed (records, no state) is migrated in one batch.
   */
  static async load(db: Level<string, Bytes>): Promise<AuditLog> {
    const stored = await db.get(STATE);
    let damage: LogDamage | undefined;
    const tree = new CompactRange();
    const migrate: BatchOp[] = [];
    // Stored leaf hashes are read in key order beside the records (one range
    // scan each, not one lookup per record): start-up stays fast with
    // hundreds of thousands of records.
    const leaves = stored === undefined ? undefined : db.iterator({ gte: hashSlot(0, 0), lte: hashSlot(0, Number.MAX_SAFE_INTEGER) });
    let pending: Array<[string, Bytes]> = [];
    const keptLeaf = async (seq: number): Promise<Bytes | undefined> => {
      for (;;) {
        if (pending.length === 0) {
          pending = ((await leaves!.nextv(1024)) as Array<[string, Bytes]>).reverse();
          if (pending.length === 0) return undefined;
        }
        const [k, v] = pending[pending.length - 1]!;
        const at = parseInt(k.slice(k.lastIndexOf('!') + 1), 16);
        if (at > seq) return undefined;
        pending.pop();
        if (at === seq) return v;
      }
    };
    const records = db.iterator({ gte: AUDIT, lt: AUDIT + '\xff' });
    try {
      scan: for (;;) {
        const page = (await records.nextv(1024)) as Array<[string, Bytes]>;
        if (page.length === 0) break;
        for (const [k, v] of page) {
          const seq = parseInt(k.slice(AUDIT.length), 16);
          if (seq !== tree.size) {
            damage ??= { firstBadIndex: tree.size, reason: `record ${tree.size} is missing (next stored record is ${seq})` };
            break scan;
          }
          const leaf = leafHash(v);
          if (stored !== undefined) {
            const kept = await keptLeaf(seq);
            if (kept === undefined || Buffer.compare(kept, leaf) !== 0) {
              damage ??= { firstBadIndex: seq, reason: `record ${seq} does not match its stored leaf hash (the record was changed)` };
            }
          }
          tree.push(leaf, (level, index, h) => {
            if (stored === undefined) migrate.push({ type: 'put', key: hashSlot(level, index), value: h });
          });
        }
      }
    } finally {
      await records.close();
      await leaves?.close();
    }
    let state = tree;
    if (stored === undefined) {
      if (migrate.length) await db.batch([...migrate, { type: 'put', key: STATE, value: tree.toBytes() }], { sync: true });
    } else {
      try {
        state = CompactRange.fromBytes(stored);
      } catch (e) {
        damage ??= { firstBadIndex: 0, reason: `stored tree state is unreadable: ${errorMessage(e)}` };
      }
      if (!damage && state.size !== tree.size) {
        damage = { firstBadIndex: Math.min(state.size, tree.size), reason: `the tree covers ${state.size} records but the log holds ${tree.size} (records were removed or added behind the log's back)` };
      } else if (!damage && Buffer.compare(Buffer.from(state.root()), Buffer.from(tree.root())) !== 0) {
        damage = { firstBadIndex: 0, reason: 'the stored tree state does not match the records' };
      }
    }
    let checkpoints = 0;
    for await (const k of db.keys({ gt: CHECKPOINT, lt: CHECKPOINT + '\xff', reverse: true, limit: 1 })) checkpoints = parseInt(k.slice(CHECKPOINT.length), 16) + 1;
    return new AuditLog(db, damage ? state : tree, checkpoints, damage);
  }

  /** Number of records (tree size). */
  get size(): number {
    return this.#state.size;
  }

  /** Current RFC 6962 root MTH(D[size]). */
  root(): Uint8Array {
    return this.#state.root();
  }

  /** A copy of the compact tree state. */
  state(): CompactRange {
    return this.#state.clone();
  }

  /** Set when the log failed validation; appends are refused while set. */
  get damage(): LogDamage | undefined {
    return this.#damage;
  }

  /** Marks the log damaged (e.g. inconsistent with a checkpoint it signed): every later append is refused. */
  markDamaged(d: LogDamage): void {
    this.#damage ??= d;
  }

  /**
   * Appends `entry` durably, in the same batch as `ops`. Resolves with the
   * stored record; rejects with AUDIT_WRITE_FAILED (and applies nothing) if
   * the record cannot be built or written, or the log is damaged.
   *
   * Group commit: appends that arrive while a write is in flight are written
   * together in the next ONE synchronous batch (each with its own ops, in
   * arrival order), so N concurrent appends cost one fsync, not N. Each still
   * resolves only once its own record and ops are durable; a batch that
   * fails rejects every append in it and applies none.
   */
  append(entry: AuditEntry, ops: BatchOp[] = []): Promise<AuditRecord> {
    return this.#enqueue([entry], ops).then((r) => r[0]!);
  }

  /**
   * Appends several records in ONE durable batch with `ops` (bulk imports):
   * all of them and the change, or none.
   */
  appendMany(entries: AuditEntry[], ops: BatchOp[] = []): Promise<AuditRecord[]> {
    return this.#enqueue(entries, ops);
  }

  #enqueue(entries: AuditEntry[], ops: BatchOp[]): Promise<AuditRecord[]> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ entries, ops, resolve, reject });
      if (this.#pending.length > 1) return; // a flush is already queued behind the write in flight
      this.#tail = this.#tail.then(() => this.#flush()).catch(() => undefined);
    });
  }

  /** Writes every queued append in one synchronous batch (group commit). */
  async #flush(): Promise<void> {
    const group = this.#pending.splice(0);
    const fail = (items: PendingAppend[], e: unknown) => {
      for (const p of items) p.reject(new QsignError('AUDIT_WRITE_FAILED', `cannot write the audit record${p.entries.length > 1 ? 's' : ''}, refusing: ${errorMessage(e)}`, { cause: e }));
    };
    try {
      if (this.#damage) throw new Error(`the audit log is damaged from index ${this.#damage.firstBadIndex} (${this.#damage.reason}); refusing to append to it`);
      if (this.failWrites) throw new Error('audit log write failed (injected fault: disk full)');
      if (this.db.status !== 'open') throw new Error(`the audit database is ${this.db.status}`);
    } catch (e) {
      return fail(group, e);
    }
    const now = Date.now();
    const next = this.#state.clone();
    const batch: BatchOp[] = [];
    const written: Array<{ item: PendingAppend; records: AuditRecord[]; rows: Array<{ seq: number; bytes: Bytes }> }> = [];
    for (const item of group) {
      let built: Array<{ record: AuditRecord; bytes: Bytes }>;
      try {
        built = item.entries.map((entry, k) => buildRecord(entry, next.size + k, now));
      } catch (e) {
        fail([item], e); // an append whose records cannot be built fails alone; the others still go in
        continue;
      }
      batch.push(...item.ops);
      const rows = built.map(({ bytes }) => {
        const seq = next.size;
        batch.push({ type: 'put', key: auditSlot(seq), value: bytes });
        next.push(leafHash(bytes), (level, index, h) => batch.push({ type: 'put', key: hashSlot(level, index), value: h }));
        return { seq, bytes };
      });
      written.push({ item, records: built.map((b) => b.record), rows });
    }
    if (written.length === 0) return;
    try {
      await this.db.batch([...batch, { type: 'put', key: STATE, value: next.toBytes() }], { sync: true });
    } catch (e) {
      return fail(written.map((w) => w.item), e);
    }
    this.#state = next;
    for (const w of written) {
      for (const r of w.rows) this.onAppend?.(r.seq, r.bytes);
      w.item.resolve(w.records);
    }
  }

  /** {@link HashReader.leafHash}: the stored leaf hash of record `index`. */
  async leafHash(index: number): Promise<Uint8Array> {
    const h = await this.#get(hashSlot(0, index));
    if (h === undefined) throw new QsignError('STORAGE', `no leaf hash for record ${index}`);
    return h;
  }

  /** {@link HashReader.perfectSubtreeHash}: a stored perfect-subtree hash. */
  perfectSubtreeHash(level: number, index: number): Promise<Uint8Array | undefined> {
    return this.#get(hashSlot(level, index));
  }

  /** Reads record bytes by sequence number. */
  readBytes(seq: number): Promise<Bytes | undefined> {
    return this.#get(auditSlot(seq));
  }

  /** Iterates stored records (bytes) from `from` on. */
  async *records(from = 0): AsyncGenerator<{ seq: number; bytes: Bytes }> {
    for await (const [k, v] of this.db.iterator({ gte: auditSlot(from), lt: AUDIT + '\xff' })) {
      yield { seq: parseInt(k.slice(AUDIT.length), 16), bytes: v };
    }
  }

  /**
   * At most `limit` stored records from `from` on, together at most
   * `maxBytes` of record bytes (one page of a reader's walk; the first
   * record is always included, so a walk always progresses).
   */
  async readPage(from: number, limit: number, maxBytes = MAX_PAGE_BYTES): Promise<Array<{ seq: number; bytes: Bytes }>> {
    const out: Array<{ seq: number; bytes: Bytes }> = [];
    if (limit <= 0) return out;
    let bytes = 0;
    for await (const r of this.records(from)) {
      if (out.length > 0 && bytes + r.bytes.length > maxBytes) break;
      out.push(r);
      bytes += r.bytes.length;
      if (out.length >= limit) break;
    }
    return out;
  }

  // ---- checkpoints, cosignatures, witnessed peers ----

  /** Number of checkpoints this log's key has signed. */
  get checkpointCount(): number {
    return this.#checkpoints;
  }

  /** Stores the next signed checkpoint note (serialise calls; the notary does). */
  async putCheckpoint(note: string): Promise<void> {
    await this.#write([{ type: 'put', key: CHECKPOINT + hex16(this.#checkpoints), value: enc.encode(note) }]);
    this.#checkpoints++;
  }

  /** Signed checkpoint notes in signing order, from ordinal `from`, at most `limit` and (after the first) `maxBytes`. */
  async checkpoints(from = 0, limit = Number.MAX_SAFE_INTEGER, maxBytes = Number.MAX_SAFE_INTEGER): Promise<string[]> {
    const out: string[] = [];
    let bytes = 0;
    for await (const v of this.db.values({ gte: CHECKPOINT + hex16(from), lt: CHECKPOINT + '\xff', limit })) {
      if (out.length > 0 && bytes + v.length > maxBytes) break;
      out.push(dec.decode(v));
      bytes += v.length;
    }
    return out;
  }

  /** The last signed checkpoint note, if any. */
  async latestCheckpoint(): Promise<string | undefined> {
    for await (const v of this.db.values({ gt: CHECKPOINT, lt: CHECKPOINT + '\xff', reverse: true, limit: 1 })) return dec.decode(v);
    return undefined;
  }

  /** Stores a verified cosignature line from witness `name` on the checkpoint of size `size`. */
  async putCosignature(size: number, name: string, line: string): Promise<void> {
    await this.#write([{ type: 'put', key: `${COSIG}${hex16(size)}!${name}`, value: enc.encode(line) }]);
  }

  /** Cosignature lines stored for the checkpoint of size `size`. */
  async cosignatures(size: number): Promise<string[]> {
    const p = `${COSIG}${hex16(size)}!`;
    const out: string[] = [];
    for await (const v of this.db.values({ gte: p, lt: p + '\xff' })) out.push(dec.decode(v));
    return out;
  }

  /** The last checkpoint this node accepted (and cosigned) from the log `origin`. */
  async witnessed(origin: string): Promise<string | undefined> {
    const v = await this.#get(WITNESSED + origin);
    return v === undefined ? undefined : dec.decode(v);
  }

  /** Replaces the last checkpoint accepted from `origin`. */
  async putWitnessed(origin: string, note: string): Promise<void> {
    await this.#write([{ type: 'put', key: WITNESSED + origin, value: enc.encode(note) }]);
  }

  /** Every peer checkpoint this node holds as a witness. */
  async allWitnessed(): Promise<Array<{ origin: string; checkpoint: string }>> {
    const out: Array<{ origin: string; checkpoint: string }> = [];
    for await (const [k, v] of this.db.iterator({ gt: WITNESSED, lt: WITNESSED + '\xff' })) out.push({ origin: k.slice(WITNESSED.length), checkpoint: dec.decode(v) });
    return out;
  }

  async #get(key: string): Promise<Bytes | undefined> {
    try {
      return await this.db.get(key);
    } catch (e) {
      throw new QsignError('STORAGE', `audit read failed: ${errorMessage(e)}`, { cause: e });
    }
  }

  async #write(ops: BatchOp[]): Promise<void> {
    try {
      await this.db.batch(ops, { sync: true });
    } catch (e) {
      throw new QsignError('STORAGE', `audit database write failed: ${errorMessage(e)}`, { cause: e });
    }
  }
}

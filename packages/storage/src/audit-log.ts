/**
 * The node's append-only audit log in LevelDB. Appends are serialised (one
 * at a time, in sequence order) and each is a single synchronous batch that
 * also carries the state change the record describes, so a record exists if
 * and only if its change happened. A failed write refuses the operation.
 */
import type { Level } from 'level';
import { QsignError, errorMessage } from '@qsign/protocol';
import { canonicalJsonBytes } from './canonical-json.js';

type Bytes = Uint8Array;
type BatchOp = { type: 'put'; key: string; value: Bytes } | { type: 'del'; key: string };

/** What an audit record says, before the log stamps it with `seq` and `time`. */
export interface AuditEntry {
  event: string;
  [field: string]: unknown;
}

/** A stamped audit record as stored. */
export interface AuditRecord extends AuditEntry {
  seq: number;
  timeMs: number;
}

const AUDIT = 'a!';

/** Zero-padded hex sequence number: LevelDB keys sort in log order. */
export function auditSlot(seq: number): string {
  return AUDIT + seq.toString(16).padStart(16, '0');
}

/** The append-only audit log of one node. */
export class AuditLog {
  #size: number;
  #tail: Promise<unknown> = Promise.resolve();
  /** Test-only fault: every append fails as if the disk were full. */
  failWrites = false;
  /** Called after each durable append with the stored record bytes. */
  onAppend: ((seq: number, bytes: Bytes) => void) | undefined;

  private constructor(
    private readonly db: Level<string, Bytes>,
    size: number,
  ) {
    this.#size = size;
  }

  /** Loads the log's size from the database. */
  static async load(db: Level<string, Bytes>): Promise<AuditLog> {
    let size = 0;
    for await (const k of db.keys({ gt: AUDIT, lt: AUDIT + '\xff', reverse: true, limit: 1 })) {
      size = parseInt(k.slice(AUDIT.length), 16) + 1;
    }
    return new AuditLog(db, size);
  }

  /** Number of records. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends `entry` durably, in the same batch as `ops`. Resolves with the
   * stored record; rejects with AUDIT_WRITE_FAILED (and applies nothing) if
   * the write fails.
   */
  append(entry: AuditEntry, ops: BatchOp[] = []): Promise<AuditRecord> {
    const run = this.#tail.then(() => this.#append(entry, ops));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Appends several records in ONE durable batch with `ops` (bulk imports):
   * all of them and the change, or none.
   */
  appendMany(entries: AuditEntry[], ops: BatchOp[] = []): Promise<AuditRecord[]> {
    const run = this.#tail.then(() => this.#appendMany(entries, ops));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #appendMany(entries: AuditEntry[], ops: BatchOp[]): Promise<AuditRecord[]> {
    const now = Date.now();
    const records = entries.map((e, i) => ({ ...e, seq: this.#size + i, timeMs: now }) as AuditRecord);
    const bytes = records.map((r) => canonicalJsonBytes(r));
    try {
      if (this.failWrites) throw new Error('audit log write failed (injected fault: disk full)');
      await this.db.batch([...ops, ...records.map((r, i) => ({ type: 'put' as const, key: auditSlot(r.seq), value: bytes[i]! }))], { sync: true });
    } catch (e) {
      throw new QsignError('AUDIT_WRITE_FAILED', `cannot write the audit records, refusing: ${errorMessage(e)}`, { cause: e });
    }
    this.#size += records.length;
    records.forEach((r, i) => this.onAppend?.(r.seq, bytes[i]!));
    return records;
  }

  async #append(entry: AuditEntry, ops: BatchOp[]): Promise<AuditRecord> {
    const record: AuditRecord = { ...entry, seq: this.#size, timeMs: Date.now() };
    const bytes = canonicalJsonBytes(record);
    try {
      if (this.failWrites) throw new Error('audit log write failed (injected fault: disk full)');
      await this.db.batch([...ops, { type: 'put', key: auditSlot(record.seq), value: bytes }], { sync: true });
    } catch (e) {
      throw new QsignError('AUDIT_WRITE_FAILED', `cannot write the audit record, refusing: ${errorMessage(e)}`, { cause: e });
    }
    this.#size++;
    this.onAppend?.(record.seq, bytes);
    return record;
  }

  /** Reads record bytes by sequence number. */
  async readBytes(seq: number): Promise<Bytes | undefined> {
    try {
      return await this.db.get(auditSlot(seq));
    } catch (e) {
      throw new QsignError('STORAGE', `audit read failed: ${errorMessage(e)}`);
    }
  }

  /** Iterates stored records (bytes) from `from` on. */
  async *records(from = 0): AsyncGenerator<{ seq: number; bytes: Bytes }> {
    for await (const [k, v] of this.db.iterator({ gte: auditSlot(from), lt: AUDIT + '\xff' })) {
      yield { seq: parseInt(k.slice(AUDIT.length), 16), bytes: v };
    }
  }
}

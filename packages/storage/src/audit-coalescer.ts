/**
 * Coalesced audit records for floods (issue 9, quotas): the first
 * {@link FULL_RECORDS_PER_SECOND} records of a kind (event, who, code) in a
 * second are written in full, synchronously and with their state change;
 * further ones in the same second are counted (their state change still
 * written) and accounted for by ONE summary record with the count when the
 * second is over. So every refusal is still in the log, and a flood adds at
 * most FULL_RECORDS_PER_SECOND + 1 records per who, code and second.
 */
import { errorMessage } from '@qsign/protocol';
import type { AuditLog } from './audit-log.js';
import type { BatchOp } from './store-db.js';
import { coalescedEntry, type AuditEntry, type AuditEvent } from '@qsign/audit';

/** Records of one kind written in full per second before the rest are only counted. */
export const FULL_RECORDS_PER_SECOND = 8;

/** Most distinct (event, who, code) kinds tracked per second; beyond, kinds share one bucket per code (who `*`). */
export const MAX_COALESCE_BUCKETS = 256;

interface Bucket {
  second: number;
  who: string;
  event: AuditEvent;
  code: string;
  /** Seq of the first full record this bucket's summary refers to. */
  firstSeq: number;
  full: number;
  more: number;
}

/** Writes audit records one per kind and second, with a count for the rest. */
export class AuditCoalescer {
  readonly #buckets = new Map<string, Bucket>();
  #timer: NodeJS.Timeout | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly log: AuditLog,
    /** Writes a state change that needs no record of its own. */
    private readonly write: (ops: BatchOp[]) => Promise<void>,
    private readonly now: () => number = Date.now,
    private readonly say: (m: string) => void = () => undefined,
  ) {}

  /**
   * Records `entry` (with `ops`, its state change) — in full if it is among
   * the first of its kind this second, else as a count in the second's summary.
   * `who` is the client or coordinator identity the flood is attributed to.
   *
   * @throws QsignError AUDIT_WRITE_FAILED if the full record cannot be written.
   */
  append(entry: AuditEntry, who: string, ops: BatchOp[] = []): Promise<void> {
    const run = this.#tail.then(() => this.#append(entry, who, ops));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Writes every pending summary (at shutdown, or once a second is over). */
  flush(all = true): Promise<void> {
    const run = this.#tail.then(() => this.#flush(all));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #append(entry: AuditEntry, who0: string, ops: BatchOp[]): Promise<void> {
    const second = Math.floor(this.now() / 1000);
    await this.#flushBefore(second);
    let who = who0.slice(0, 128);
    if (!this.#buckets.has(this.#key(entry.event, who, entry.code ?? '')) && this.#buckets.size >= MAX_COALESCE_BUCKETS) who = '*';
    const key = this.#key(entry.event, who, entry.code ?? '');
    const b = this.#buckets.get(key);
    if (b && b.full >= FULL_RECORDS_PER_SECOND) {
      if (ops.length) await this.write(ops);
      b.more++;
      this.#schedule();
      return;
    }
    const rec = await this.log.append(entry, ops);
    if (b) b.full++;
    else this.#buckets.set(key, { second, who, event: entry.event, code: entry.code ?? '', firstSeq: rec.seq, full: 1, more: 0 });
    this.#schedule();
  }

  #key(event: string, who: string, code: string): string {
    return `${event}\n${who}\n${code}`;
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush(false);
    }, 1000 - (this.now() % 1000) + 20);
    this.#timer.unref();
  }

  async #flush(all: boolean): Promise<void> {
    await this.#flushBefore(all ? Number.MAX_SAFE_INTEGER : Math.floor(this.now() / 1000));
    if (this.#buckets.size) this.#schedule();
  }

  async #flushBefore(second: number): Promise<void> {
    for (const [key, b] of this.#buckets) {
      if (b.second >= second) continue;
      this.#buckets.delete(key);
      if (b.more === 0) continue;
      const from = new Date(b.second * 1000).toISOString();
      try {
        await this.log.append(
          coalescedEntry(b.event, b.code, `${b.more} more ${b.event} records like record ${b.firstSeq} (${b.code}, ${b.who}) in the second from ${from}, coalesced`, {
            count: b.more,
            coalescedWith: b.firstSeq,
            who: b.who,
            second: from,
          }),
        );
      } catch (e) {
        this.say(`cannot record ${b.more} coalesced ${b.event} records (${b.code}, ${b.who}): ${errorMessage(e)}`);
      }
    }
  }
}

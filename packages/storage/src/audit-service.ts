/**
 * The read-only audit service of a node or coordinator, as plain domain
 * code (the gRPC adapter lives in @qsign/rpc): checkpoints, records, proofs,
 * cosignatures, and — on nodes — witnessing peers' checkpoints.
 */
import { consistencyProof, inclusionProof } from '@qsign/audit';
import { QsignError, errorMessage } from '@qsign/protocol';
import { MAX_PAGE_BYTES, type AuditLog } from './audit-log.js';
import type { AuditNotary } from './audit-notary.js';
import type { CosignOutcome, Witness } from './witness.js';

/** Largest page of records or checkpoints served per call (pages are also capped at `MAX_PAGE_BYTES`). */
export const MAX_AUDIT_PAGE = 10_000;

const page = (limit: number) => Math.min(Math.max(limit || 1000, 1), MAX_AUDIT_PAGE);

/** Serves one log. */
export class AuditLogService {
  constructor(
    readonly log: AuditLog,
    readonly notary: AuditNotary,
    readonly witness?: Witness,
  ) {}

  /** The latest checkpoint (signing a new one first if `fresh` and the log grew), the log key and size. */
  async checkpoint(fresh: boolean): Promise<{ checkpoint: string; verifierKey: string; size: number; damaged: string }> {
    let note = this.notary.latest;
    if (fresh || note === undefined) {
      try {
        note = await this.notary.checkpoint();
      } catch (e) {
        if (note === undefined && !this.log.damage) throw e;
      }
    }
    const d = this.log.damage;
    return { checkpoint: note ?? '', verifierKey: this.notary.verifierKey, size: this.log.size, damaged: d ? `damaged from index ${d.firstBadIndex}: ${d.reason}` : '' };
  }

  /** Every checkpoint signed, in order, from ordinal `from`. */
  async checkpoints(from: number, limit: number): Promise<{ checkpoints: string[]; total: number }> {
    return { checkpoints: await this.log.checkpoints(from, page(limit), MAX_PAGE_BYTES), total: this.log.checkpointCount };
  }

  /** Stored record bytes from `from`. */
  async records(from: number, limit: number): Promise<{ records: Array<{ index: number; record: Uint8Array }>; size: number }> {
    const rows = await this.log.readPage(from, page(limit));
    return { records: rows.map((r) => ({ index: r.seq, record: r.bytes })), size: this.log.size };
  }

  /** PATH(index, D[size]) (RFC 9162 §2.1.3.1) from stored hashes. */
  async inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    if (size > this.log.size) throw new QsignError('INVALID_ARGUMENT', `tree size ${size} is beyond the log's ${this.log.size} records`);
    return this.#proof(() => inclusionProof(this.log, index, size));
  }

  /** PROOF(oldSize, D[newSize]) (RFC 9162 §2.1.4.1) from stored hashes. */
  async consistencyProof(oldSize: number, newSize: number): Promise<Uint8Array[]> {
    if (newSize > this.log.size) throw new QsignError('INVALID_ARGUMENT', `tree size ${newSize} is beyond the log's ${this.log.size} records`);
    return this.#proof(() => consistencyProof(this.log, oldSize, newSize));
  }

  /** The latest checkpoint with the cosignature lines peers returned for it. */
  async cosigned(): Promise<string> {
    const note = this.notary.latest;
    if (note === undefined) return '';
    const size = Number(note.split('\n')[1]);
    return note + (await this.log.cosignatures(size)).join('');
  }

  /** The last checkpoint this node accepted from each peer. */
  witnessed(): Promise<Array<{ origin: string; checkpoint: string }>> {
    return this.log.allWitnessed();
  }

  /** Witness a peer's checkpoint (nodes only). */
  cosign(note: string, oldSize: number, proof: Uint8Array[]): Promise<CosignOutcome> {
    if (!this.witness) throw new QsignError('POLICY_REFUSED', 'this log does not witness other logs');
    return this.witness.addCheckpoint(note, oldSize, proof);
  }

  async #proof(f: () => Promise<Uint8Array[]>): Promise<Uint8Array[]> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof QsignError) throw e;
      throw new QsignError('INVALID_ARGUMENT', errorMessage(e));
    }
  }
}

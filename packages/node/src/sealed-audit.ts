/**
 * The Audit service of a sealed node. The log's records, tree hashes and
 * stored checkpoints are not secret, so auditors can read them and get
 * proofs; signing a new checkpoint and cosigning a peer's need the node's
 * audit identity key, which is sealed, so those refuse with SEALED until the
 * operator unseals the node (the daemon then switches to the full service).
 */
import { consistencyProof, inclusionProof } from '@qsign/audit';
import { QsignError, errorMessage } from '@qsign/protocol';
import type { AuditPort } from '@qsign/rpc';
import type { AuditLog } from '@qsign/storage';

const page = (limit: number) => Math.min(Math.max(limit || 1000, 1), 10_000);

/** Read-only {@link AuditPort} over a sealed node's log. */
export class SealedAuditPort implements AuditPort {
  constructor(
    private readonly log: AuditLog,
    private readonly nodeId: number,
  ) {}

  #sealed(what: string): QsignError {
    return new QsignError('SEALED', `node ${this.nodeId} is sealed: ${what} needs its audit identity key; records, stored checkpoints and proofs are still served`);
  }

  /** Refused: the latest checkpoint's verifier key is only known once unsealed. */
  async checkpoint(): Promise<never> {
    throw this.#sealed('a checkpoint with its verifier key');
  }

  /** Stored signed checkpoints, from ordinal `from`. */
  async checkpoints(from: number, limit: number): Promise<{ checkpoints: string[]; total: number }> {
    return { checkpoints: await this.log.checkpoints(from, page(limit)), total: this.log.checkpointCount };
  }

  /** Stored record bytes from `from`. */
  async records(from: number, limit: number): Promise<{ records: Array<{ index: number; record: Uint8Array }>; size: number }> {
    const rows = await this.log.readPage(from, page(limit));
    return { records: rows.map((r) => ({ index: r.seq, record: r.bytes })), size: this.log.size };
  }

  /** PATH(index, D[size]) from stored hashes. */
  inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    return this.#proof(size, () => inclusionProof(this.log, index, size));
  }

  /** PROOF(oldSize, D[newSize]) from stored hashes. */
  consistencyProof(oldSize: number, newSize: number): Promise<Uint8Array[]> {
    return this.#proof(newSize, () => consistencyProof(this.log, oldSize, newSize));
  }

  /** The last stored checkpoint with its cosignatures. */
  async cosigned(): Promise<string> {
    const note = await this.log.latestCheckpoint();
    if (note === undefined) return '';
    return note + (await this.log.cosignatures(Number(note.split('\n')[1]))).join('');
  }

  /** The last checkpoint accepted from each peer. */
  witnessed(): Promise<Array<{ origin: string; checkpoint: string }>> {
    return this.log.allWitnessed();
  }

  /** Refused: cosigning needs the identity key. */
  async cosign(): Promise<never> {
    throw this.#sealed('cosigning a peer checkpoint');
  }

  async #proof(size: number, f: () => Promise<Uint8Array[]>): Promise<Uint8Array[]> {
    if (size > this.log.size) throw new QsignError('INVALID_ARGUMENT', `tree size ${size} is beyond the log's ${this.log.size} records`);
    try {
      return await f();
    } catch (e) {
      if (e instanceof QsignError) throw e;
      throw new QsignError('INVALID_ARGUMENT', errorMessage(e));
    }
  }
}

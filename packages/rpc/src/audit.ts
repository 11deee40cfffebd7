/**
 * The Audit service over gRPC: thin handlers over an `AuditPort` (the domain
 * service in @qsign/storage satisfies it) and a typed promise client.
 */
import {
  AuditClient,
  AuditService,
  type AuditServer,
  type CosignResponse,
  type GetCheckpointResponse,
  type GetCheckpointsResponse,
  type GetRecordsResponse,
  type GetWitnessedResponse,
} from '@qsign/proto';
import { CHANNEL_OPTIONS, channelCredentials, type TransportSecurity } from './channel.js';
import { callUnary, unaryHandler } from './unary.js';
import { DEFAULT_TIMEOUT_MS } from './clients.js';

/** What the Audit handlers need from the domain. */
export interface AuditPort {
  checkpoint(fresh: boolean): Promise<GetCheckpointResponse>;
  checkpoints(from: number, limit: number): Promise<GetCheckpointsResponse>;
  records(from: number, limit: number): Promise<GetRecordsResponse>;
  inclusionProof(index: number, size: number): Promise<Uint8Array[]>;
  consistencyProof(oldSize: number, newSize: number): Promise<Uint8Array[]>;
  cosigned(): Promise<string>;
  witnessed(): Promise<GetWitnessedResponse['checkpoints']>;
  cosign(note: string, oldSize: number, proof: Uint8Array[]): Promise<{ kind: 'cosigned'; cosignature: string } | { kind: 'conflict'; knownSize: number }>;
}

export { AuditService };

/** Builds the handlers of the Audit service. */
export function auditHandlers(port: AuditPort, onInternal?: (e: unknown) => void): AuditServer {
  return {
    getCheckpoint: unaryHandler((req) => port.checkpoint(req.fresh), onInternal),
    getCheckpoints: unaryHandler((req) => port.checkpoints(req.from, req.limit), onInternal),
    getRecords: unaryHandler((req) => port.records(req.from, req.limit), onInternal),
    getInclusionProof: unaryHandler(async (req) => ({ hashes: await port.inclusionProof(req.index, req.size) }), onInternal),
    getConsistencyProof: unaryHandler(async (req) => ({ hashes: await port.consistencyProof(req.oldSize, req.newSize) }), onInternal),
    getCosignatures: unaryHandler(async () => ({ checkpoint: await port.cosigned() }), onInternal),
    getWitnessed: unaryHandler(async () => ({ checkpoints: await port.witnessed() }), onInternal),
    cosign: unaryHandler(async (req): Promise<CosignResponse> => {
      const r = await port.cosign(req.checkpoint, req.oldSize, req.consistencyProof);
      return r.kind === 'cosigned' ? { cosignature: r.cosignature, conflict: false, knownSize: 0 } : { cosignature: '', conflict: true, knownSize: r.knownSize };
    }, onInternal),
  };
}

/** A client of one log's Audit service (node or coordinator). */
export class AuditRpcClient {
  readonly #c: AuditClient;
  constructor(
    readonly address: string,
    readonly label: string = `audit log at ${address}`,
    security?: TransportSecurity,
  ) {
    this.#c = new AuditClient(address, channelCredentials(security, address), CHANNEL_OPTIONS);
  }
  checkpoint(fresh = false, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<GetCheckpointResponse> {
    return callUnary(this.#c, this.#c.getCheckpoint, { fresh }, timeoutMs, this.label);
  }
  checkpoints(from: number, limit = 10_000, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<GetCheckpointsResponse> {
    return callUnary(this.#c, this.#c.getCheckpoints, { from, limit }, timeoutMs, this.label);
  }
  records(from: number, limit = 10_000, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<GetRecordsResponse> {
    return callUnary(this.#c, this.#c.getRecords, { from, limit }, timeoutMs, this.label);
  }
  async inclusionProof(index: number, size: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Uint8Array[]> {
    return (await callUnary(this.#c, this.#c.getInclusionProof, { index, size }, timeoutMs, this.label)).hashes;
  }
  async consistencyProof(oldSize: number, newSize: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Uint8Array[]> {
    return (await callUnary(this.#c, this.#c.getConsistencyProof, { oldSize, newSize }, timeoutMs, this.label)).hashes;
  }
  async cosigned(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    return (await callUnary(this.#c, this.#c.getCosignatures, {}, timeoutMs, this.label)).checkpoint;
  }
  async witnessed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<GetWitnessedResponse['checkpoints']> {
    return (await callUnary(this.#c, this.#c.getWitnessed, {}, timeoutMs, this.label)).checkpoints;
  }
  cosign(checkpoint: string, oldSize: number, consistencyProof: Uint8Array[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CosignResponse> {
    return callUnary(this.#c, this.#c.cosign, { checkpoint, oldSize, consistencyProof }, timeoutMs, this.label);
  }
  /** Every record, paging through the log. */
  async *allRecords(from = 0): AsyncGenerator<{ index: number; record: Uint8Array }> {
    let next = from;
    for (;;) {
      const r = await this.records(next);
      for (const x of r.records) yield x;
      if (r.records.length === 0) return;
      next = r.records[r.records.length - 1]!.index + 1;
      if (next >= r.size) return;
    }
  }
  /** Every checkpoint the log signed. */
  async allCheckpoints(): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const r = await this.checkpoints(out.length);
      out.push(...r.checkpoints);
      if (r.checkpoints.length === 0 || out.length >= r.total) return out;
    }
  }
  close(): void {
    this.#c.close();
  }
}

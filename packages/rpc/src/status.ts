/**
 * One mapping between domain errors and gRPC status. A QsignError travels as
 * its status plus a `qsign-code` trailer, so the other side rebuilds the same
 * typed error. Anything else becomes INTERNAL with no internals leaked.
 */
import * as grpc from '@grpc/grpc-js';
import { ERROR_STATUS, QsignError, type ErrorCode } from '@qsign/protocol';

const CODE_KEY = 'qsign-code';
const DETAILS_KEY = 'qsign-details';

/** True when `e` says the peer could not be reached or did not answer (no answer from it at all), as opposed to an error it returned. */
export function isTransportFailure(e: unknown): boolean {
  return e instanceof QsignError && e.details?.transport === true;
}

/** Converts any thrown value into a gRPC error object for a handler callback. */
export function toServiceError(e: unknown, onInternal?: (e: unknown) => void): Partial<grpc.ServiceError> {
  const metadata = new grpc.Metadata();
  if (e instanceof QsignError) {
    metadata.set(CODE_KEY, e.code);
    // Metadata values must be printable ASCII (grpc-js throws otherwise, taking the server down):
    // escape the rest as JSON \\u escapes, which JSON.parse restores.
    if (e.details) metadata.set(DETAILS_KEY, JSON.stringify(e.details).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
    return { code: grpc.status[ERROR_STATUS[e.code]], details: e.message, metadata };
  }
  onInternal?.(e);
  metadata.set(CODE_KEY, 'INTERNAL');
  return { code: grpc.status.INTERNAL, details: 'internal error (see the server log)', metadata };
}

/**
 * Rebuilds a domain error from a gRPC error received by a client. `call.notSent`:
 * the caller knows the call never left it (unary.ts); an UNAVAILABLE error then
 * says so in `details.notSent`, so that callers may retry it once the peer is back.
 */
export function fromServiceError(e: unknown, peer: string, call: { notSent?: boolean } = {}): QsignError {
  const se = e as grpc.ServiceError;
  const raw = se?.metadata?.get?.(CODE_KEY)?.[0];
  const code = typeof raw === 'string' && raw in ERROR_STATUS ? (raw as ErrorCode) : undefined;
  let details: Record<string, unknown> | undefined;
  const d = se?.metadata?.get?.(DETAILS_KEY)?.[0];
  if (typeof d === 'string') {
    try {
      details = JSON.parse(d);
    } catch {
      details = undefined;
    }
  }
  if (code) return new QsignError(code, se.details, { details });
  // No qsign-code trailer: the peer itself is down or silent (`details.transport`), it did not refuse.
  if (se?.code === grpc.status.UNAVAILABLE)
    return new QsignError('NODE_UNAVAILABLE', `${peer} is unreachable: ${unreachableReason(se.details ?? '')}`, {
      // notSent: the channel had no connection, so the call was never sent (safe to retry once it reconnects).
      details: { transport: true, ...(call.notSent === true && { notSent: true }) },
    });
  if (se?.code === grpc.status.DEADLINE_EXCEEDED) return new QsignError('DEADLINE', `${peer} did not answer in time`, { details: { transport: true } });
  const name = se?.code !== undefined ? grpc.status[se.code] : 'ERROR';
  return new QsignError('INTERNAL', `${peer}: ${name}: ${se?.details ?? String(e)}`);
}

/**
 * grpc-js's UNAVAILABLE details ("No connection established. Last error:
 * Error: connect ECONNREFUSED 127.0.0.1:33143. Resolution note: ") as one
 * short cause and what to check.
 */
export function unreachableReason(details: string): string {
  const sys = /\b(ECONNREFUSED|ENOENT|EACCES|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE)\b\s*([^\s.]*(?:\.[^\s.]+)*)?/.exec(details);
  const where = sys?.[2] ? ` at ${sys[2]}` : '';
  switch (sys?.[1]) {
    case 'ECONNREFUSED':
      return `nothing is listening${where}; is it running, and is that its address?`;
    case 'ENOENT':
      return `no socket${where}; is it running, and is that its socket path?`;
    case 'EACCES':
      return `permission denied${where}; run as a user who may use it`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `the connection${where} was closed; is it a qsign gRPC endpoint, and does it use the same transport (TLS or plaintext)?`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no route${where} (${sys[1]}); check the address and the network`;
  }
  if (/Name resolution failed|ENOTFOUND|EAI_AGAIN/.test(details)) return `its host name does not resolve; check the address`;
  const cleaned = details.replace(/^No connection established\.\s*/, '').replace(/^Last error:\s*(Error:\s*)?/, '').replace(/\.?\s*Resolution note:.*$/s, '').trim();
  return cleaned || 'no connection';
}

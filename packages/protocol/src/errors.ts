/**
 * Typed errors shared by every qsign package above the pure crypto layer.
 * Codes are string literals; tests assert the code, not the message. The rpc
 * layer maps each code to one gRPC status and carries the code in metadata.
 */

/** Every domain error code, grouped by the gRPC status it maps to. */
export const ERROR_STATUS = {
  // The request is malformed.
  MALFORMED_REQUEST: 'INVALID_ARGUMENT',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  UNSUPPORTED_PAYLOAD: 'INVALID_ARGUMENT',
  BAD_COMMITMENTS: 'INVALID_ARGUMENT',
  // The caller is not who it says, or may not do this.
  UNKNOWN_CLIENT: 'UNAUTHENTICATED',
  BAD_CLIENT_SIGNATURE: 'UNAUTHENTICATED',
  POLICY_REFUSED: 'PERMISSION_DENIED',
  // The caller's TLS certificate names an identity that may not call this (docs/tls.md).
  PEER_REFUSED: 'PERMISSION_DENIED',
  // Freshness and replay.
  STALE_REQUEST: 'FAILED_PRECONDITION',
  REPLAYED_REQUEST: 'ALREADY_EXISTS',
  NONCE_UNAVAILABLE: 'FAILED_PRECONDITION',
  SEALED: 'FAILED_PRECONDITION',
  // Operator approval: the request waits for a node's operator; a hold ran out.
  HELD: 'FAILED_PRECONDITION',
  HOLD_EXPIRED: 'DEADLINE_EXCEEDED',
  // Lookups.
  UNKNOWN_KEY: 'NOT_FOUND',
  KEY_EXISTS: 'ALREADY_EXISTS',
  // Key rotation (docs/rotation.md): the key already has a successor; a transition statement does not check out.
  ROTATION_IN_PROGRESS: 'ALREADY_EXISTS',
  BAD_TRANSITION: 'FAILED_PRECONDITION',
  // Key pinning (docs/pinning.md): a request or answer names a different group
  // key than the one pinned; a key is not pinned, or not attested by enough nodes.
  KEY_MISMATCH: 'FAILED_PRECONDITION',
  UNTRUSTED_KEY: 'FAILED_PRECONDITION',
  // Cluster-level outcomes.
  NOT_ENOUGH_NODES: 'UNAVAILABLE',
  NODE_UNAVAILABLE: 'UNAVAILABLE',
  SIGNING_FAILED: 'ABORTED',
  DEADLINE: 'DEADLINE_EXCEEDED',
  // Storage and audit (fail closed).
  AUDIT_WRITE_FAILED: 'UNAVAILABLE',
  // The audit log does not match its own records or signed checkpoints; a peer's log forked.
  AUDIT_LOG_DAMAGED: 'FAILED_PRECONDITION',
  AUDIT_LOG_FORK: 'FAILED_PRECONDITION',
  // A witness cosigned more of this node's log than it holds: its data was restored from an older copy.
  AUDIT_ROLLBACK: 'FAILED_PRECONDITION',
  // A caller asked for more than its share (outstanding nonces per coordinator identity).
  QUOTA_EXCEEDED: 'RESOURCE_EXHAUSTED',
  STORAGE: 'INTERNAL',
  CONFIG: 'INVALID_ARGUMENT',
  INTERNAL: 'INTERNAL',
} as const;

/** A domain error code. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The base error of qsign: a code, a human message, and an optional cause. */
export class QsignError extends Error {
  override readonly name = 'QsignError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details;
  }
  /** Structured extras (e.g. which nodes refused); never secrets. */
  readonly details: Record<string, unknown> | undefined;
}

/** True when `e` is a QsignError (optionally with the given code). */
export function isQsignError(e: unknown, code?: ErrorCode): e is QsignError {
  return e instanceof QsignError && (code === undefined || e.code === code);
}

/** Message of any thrown value, for wrapping foreign errors once at a boundary. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * How a coordinator treats a node's error for one request (one classification
 * for the signing attempt and the approval wait):
 * - `refused`: the node decided no (its audit log says why); another node set may still sign;
 * - `final`: this node will not sign this request whatever is retried (the approval wait stops asking it);
 * - `refreshPool`: the node no longer holds the pooled commitment (its nonce expired, or its
 *   store was restored): fetch fresh commitments and ask it again, once ({@link STALE_COMMITMENT});
 * anything else (unreachable, slow, broken) is a fault: try another node set.
 */
export interface RefusalClass {
  refused: boolean;
  final: boolean;
  refreshPool: boolean;
}

/** Codes by which a node refuses (rather than fails). */
const REFUSED: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UNKNOWN_CLIENT', 'BAD_CLIENT_SIGNATURE', 'MALFORMED_REQUEST', 'STALE_REQUEST', 'REPLAYED_REQUEST',
  'POLICY_REFUSED', 'UNKNOWN_KEY', 'UNSUPPORTED_PAYLOAD', 'AUDIT_WRITE_FAILED', 'SEALED', 'HELD', 'HOLD_EXPIRED', 'KEY_MISMATCH',
]);

/** Codes after which a node will not sign the same request on a later ask. */
const FINAL: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UNKNOWN_CLIENT', 'BAD_CLIENT_SIGNATURE', 'MALFORMED_REQUEST', 'STALE_REQUEST', 'REPLAYED_REQUEST',
  'POLICY_REFUSED', 'UNKNOWN_KEY', 'UNSUPPORTED_PAYLOAD', 'HOLD_EXPIRED', 'BAD_COMMITMENTS', 'SIGNING_FAILED',
]);

/**
 * `details.commitment` value of a node's BAD_COMMITMENTS refusal when its own
 * commitment in the list is not an unused nonce of this node. Nodes before
 * this detail existed send none: the coordinator then excludes the node for
 * the request (and still drops its pool), which is safe.
 */
export const STALE_COMMITMENT = 'unknown';

/** The class of error `code` (with its `details`) for a coordinator; see {@link RefusalClass}. */
export function classifyRefusal(code: ErrorCode, details?: Record<string, unknown>): RefusalClass {
  return {
    refused: REFUSED.has(code),
    final: FINAL.has(code),
    refreshPool: code === 'BAD_COMMITMENTS' && details?.commitment === STALE_COMMITMENT,
  };
}

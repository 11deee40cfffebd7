/** Participant identifiers (RFC 9591 §3.1): small positive integers serialized as scalars. */
import { FrostError } from './errors.js';
import { encodeScalar } from './scalar.js';
import type { Identifier } from './types.js';

/** Largest identifier this package accepts. */
export const MAX_IDENTIFIER = 65535;

/** Throws INVALID_IDENTIFIER unless `id` is an integer in 1..65535 (RFC 9591 §3.1: nonzero scalar). */
export function assertIdentifier(id: unknown, what = 'identifier'): asserts id is Identifier {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_IDENTIFIER)
    throw new FrostError('INVALID_IDENTIFIER', `${what}: expected an integer in 1..${MAX_IDENTIFIER}, got ${String(id)}`);
}

/** RFC 9591 §3.1: an identifier as a scalar, serialized with SerializeScalar (32-byte LE). */
export function encodeIdentifier(id: Identifier): Uint8Array {
  assertIdentifier(id);
  return encodeScalar(BigInt(id));
}

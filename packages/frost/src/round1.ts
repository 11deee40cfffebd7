/** Round one, commitment (RFC 9591 §5.1): fresh nonce pairs and their public commitments. */
import { assertBytes, concat } from './bytes.js';
import { FrostError } from './errors.js';
import { H3 } from './hash.js';
import { assertIdentifier } from './identifier.js';
import { mulBaseSecretBytes } from './point.js';
import { defaultRandomBytes, encodeScalar } from './scalar.js';
import type { Identifier, RandomBytes, SecretSigningNonces, SigningCommitments } from './types.js';

/**
 * RFC 9591 §4.1 nonce_generate(secret): H3(random_bytes(32) || secret), with the 32 random
 * bytes passed in. Deterministic; exposed for the RFC test vectors only — never reuse `random`.
 * @internal
 */
export function nonceGenerate(random: Uint8Array, secret: Uint8Array): bigint {
  assertBytes(random, 32, 'random');
  assertBytes(secret, undefined, 'secret');
  return H3(concat(random, secret));
}

function freshNonce(hedge: Uint8Array, rng: RandomBytes): bigint {
  for (;;) {
    const random = rng(32);
    assertBytes(random, 32, 'rng output');
    const k = nonceGenerate(random, hedge);
    random.fill(0);
    if (k !== 0n) return k; // a zero nonce would commit to the identity: draw again
  }
}

/**
 * RFC 9591 §5.1 commit(): a fresh hiding/binding nonce pair and its commitments.
 *
 * Nonces are hedged as in §4.1 nonce_generate, H3(random32 || hedge), but with arbitrary
 * secret `hedge` bytes instead of the signing share, so one nonce pool serves many keys
 * (a node passes its node secret). The nonces are single-use: `signShare` zeroes them.
 *
 * @example
 * const { nonces, commitments } = commit(3, nodeSecret); // keep nonces sealed, publish commitments
 */
export function commit(
  identifier: Identifier,
  hedge: Uint8Array,
  rng: RandomBytes = defaultRandomBytes,
): { nonces: SecretSigningNonces; commitments: SigningCommitments } {
  assertIdentifier(identifier);
  assertBytes(hedge, undefined, 'hedge');
  if (typeof rng !== 'function') throw new FrostError('INVALID_PARAMETERS', 'rng must be a function');
  // The nonces' bigint → bytes conversion is unavoidable (H3 reduces mod L as a bigint); from
  // here on they are only handled as bytes, by the backend's constant-time base multiplication.
  const hiding = encodeScalar(freshNonce(hedge, rng));
  const binding = encodeScalar(freshNonce(hedge, rng));
  return {
    nonces: { hiding, binding },
    // 0 < nonce < L, so [nonce]B is never the identity.
    commitments: { identifier, hiding: mulBaseSecretBytes(hiding), binding: mulBaseSecretBytes(binding) },
  };
}

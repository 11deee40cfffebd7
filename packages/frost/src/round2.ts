/** Round two, signature share generation (RFC 9591 §5.2). */
import { equalBytes } from './bytes.js';
import { FrostError } from './errors.js';
import { assertIdentifier } from './identifier.js';
import { mulBaseSecretBytes } from './point.js';
import { deriveInterpolatingValue } from './polynomial.js';
import { decodeScalar, encodeScalar, mod } from './scalar.js';
import { assertCommitmentList, prepareSigning } from './signing-package.js';
import type { SecretSigningNonces, SecretSigningShare, SignatureShare, SigningCommitments } from './types.js';

/** Options for {@link signShare}. */
export interface SignShareOptions {
  /** Refuse commitment lists shorter than this (RFC 9591 §5.2: NUM_PARTICIPANTS ≥ MIN_PARTICIPANTS). */
  minSigners?: number;
  /** Refuse commitment lists longer than this (NUM_PARTICIPANTS ≤ MAX_PARTICIPANTS). */
  maxSigners?: number;
}

/**
 * RFC 9591 §5.2 sign(): this participant's signature share.
 *
 * Checks first, as frost-rs `round2::sign`: the list is sorted by identifier with no
 * duplicates, contains the signer's own commitment and that commitment equals
 * ([hiding]B, [binding]B) of `nonces`; no identity or off-subgroup commitments; nonces
 * nonzero (all-zero means already used). On success `nonces` are zeroed in place.
 *
 * @example
 * const z = signShare(share, pkp.groupPublicKey, nonces, commitmentList, msg); // nonces now zero
 */
export function signShare(
  share: SecretSigningShare,
  groupPublicKey: Uint8Array,
  nonces: SecretSigningNonces,
  commitmentList: SigningCommitments[],
  msg: Uint8Array,
  options: SignShareOptions = {},
): SignatureShare {
  if (share === null || typeof share !== 'object') throw new FrostError('INVALID_PARAMETERS', 'share must be an object');
  assertIdentifier(share.identifier, 'share identifier');
  if (nonces === null || typeof nonces !== 'object') throw new FrostError('INVALID_PARAMETERS', 'nonces must be an object');
  const hiding = decodeScalar(nonces.hiding, 'hiding nonce');
  const binding = decodeScalar(nonces.binding, 'binding nonce');
  if (hiding === 0n || binding === 0n)
    throw new FrostError('NONCE_REUSED', 'nonces are zero: already used (or never generated)');
  const sk = decodeScalar(share.share, 'signing share', true);
  if (!(msg instanceof Uint8Array)) throw new FrostError('INVALID_PARAMETERS', 'message must be a Uint8Array');
  assertCommitmentList(commitmentList);
  const n = commitmentList.length;
  if ((options.minSigners !== undefined && n < options.minSigners) || (options.maxSigners !== undefined && n > options.maxSigners))
    throw new FrostError('INVALID_PARAMETERS', `commitment list has ${n} entries, outside the allowed signer count`);
  const own = commitmentList.find((c) => c.identifier === share.identifier);
  if (own === undefined)
    throw new FrostError('MISSING_COMMITMENT', `commitment list lacks the signer's own commitment (${share.identifier})`);
  // Constant-time base multiplications straight from the nonce bytes (no bigint round trip).
  const D = mulBaseSecretBytes(nonces.hiding);
  const E = mulBaseSecretBytes(nonces.binding);
  if (!equalBytes(own.hiding, D) || !equalBytes(own.binding, E))
    throw new FrostError('COMMITMENT_MISMATCH', "the signer's commitment in the list does not match its nonces");

  const ctx = prepareSigning(groupPublicKey, commitmentList, msg, share.identifier);
  const rho = ctx.bindingFactors.get(share.identifier)!;
  const lambda = deriveInterpolatingValue(ctx.identifiers.map(BigInt), BigInt(share.identifier));
  const z = mod(hiding + binding * rho + lambda * sk * ctx.challenge);
  nonces.hiding.fill(0);
  nonces.binding.fill(0);
  return { identifier: share.identifier, share: encodeScalar(z) };
}

/** Trusted dealer key generation and verifiable secret sharing (RFC 9591 App. C). */
import { mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import { FrostError } from './errors.js';
import { assertIdentifier, MAX_IDENTIFIER } from './identifier.js';
import { Point, decodePoint, encodePoint, mulBase } from './point.js';
import { polynomialEvaluate } from './polynomial.js';
import { decodeScalar, defaultRandomBytes, encodeScalar, mod, randomScalar } from './scalar.js';
import type { Identifier, PublicKeyPackage, RandomBytes, SecretSigningShare } from './types.js';

/** Throws INVALID_PARAMETERS unless 2 ≤ minSigners ≤ maxSigners ≤ 65535 (frost-rs / noble bounds). */
export function assertThreshold(minSigners: number, maxSigners: number): void {
  if (!Number.isInteger(minSigners) || !Number.isInteger(maxSigners) || minSigners < 2 || minSigners > maxSigners || maxSigners > MAX_IDENTIFIER)
    throw new FrostError('INVALID_PARAMETERS', `need integers 2 <= minSigners <= maxSigners <= ${MAX_IDENTIFIER}, got ${minSigners}-of-${maxSigners}`);
}

/** RFC 9591 App. C.2 vss_commit: [a_j]B for every coefficient (constant-time; coefficients are secret). */
export function vssCommit(coefficients: readonly bigint[]): Uint8Array[] {
  return coefficients.map((a) => encodePoint(mulBase(a)));
}

/** Σ_j [i^j] C_j over decoded commitment points (public, variable time). @internal */
export function evaluateVss(identifier: bigint, commitment: readonly Point[]): Point {
  const powers: bigint[] = [];
  let p = 1n;
  for (let j = 0; j < commitment.length; j++) {
    powers.push(p);
    p = mod(p * identifier);
  }
  return mulAddUnsafe(Point, [...commitment], powers);
}

/** Decodes every point of a VSS commitment (each canonical, non-identity, prime order). @internal */
export function decodeCommitment(commitment: readonly Uint8Array[], what = 'VSS commitment'): Point[] {
  if (!Array.isArray(commitment) || commitment.length === 0)
    throw new FrostError('INVALID_COMMITMENT', `${what}: expected a non-empty array`);
  return commitment.map((c, j) => decodePoint(c, `${what}[${j}]`));
}

/**
 * RFC 9591 App. C.2 vss_verify(share_i, vss_commitment): whether [sk_i]B equals
 * Σ_j [i^j] C_j. Malformed commitments throw; a wrong or malformed share returns false.
 */
export function vssVerify(share: SecretSigningShare, vssCommitment: Uint8Array[]): boolean {
  assertIdentifier(share.identifier, 'share identifier');
  const points = decodeCommitment(vssCommitment);
  let sk: bigint;
  try {
    sk = decodeScalar(share.share, 'signing share', true);
  } catch {
    return false;
  }
  return mulBase(sk).equals(evaluateVss(BigInt(share.identifier), points));
}

/** RFC 9591 App. C.2 (derive_group_info, per participant): PK_i = Σ_j [i^j] C_j from a VSS commitment. */
export function verifyingShareFromCommitment(identifier: Identifier, vssCommitment: Uint8Array[]): Uint8Array {
  assertIdentifier(identifier);
  return encodePoint(evaluateVss(BigInt(identifier), decodeCommitment(vssCommitment)));
}

/** RFC 9591 App. C.2 derive_group_info: group key C_0 and PK_i for identifiers 1..maxSigners. */
export function deriveGroupInfo(maxSigners: number, vssCommitment: Uint8Array[]): { groupPublicKey: Uint8Array; verifyingShares: Map<Identifier, Uint8Array> } {
  if (!Number.isInteger(maxSigners) || maxSigners < 1 || maxSigners > MAX_IDENTIFIER)
    throw new FrostError('INVALID_PARAMETERS', 'maxSigners out of range');
  const points = decodeCommitment(vssCommitment);
  const verifyingShares = new Map<Identifier, Uint8Array>();
  for (let i = 1; i <= maxSigners; i++) verifyingShares.set(i, encodePoint(evaluateVss(BigInt(i), points)));
  return { groupPublicKey: vssCommitment[0]!.slice(), verifyingShares };
}

/** RFC 9591 §5 / App. C.2: a participant's verifying share PK_i = [sk_i]B from its secret share. */
export function deriveVerifyingShare(share: SecretSigningShare): Uint8Array {
  assertIdentifier(share.identifier, 'share identifier');
  return encodePoint(mulBase(decodeScalar(share.share, 'signing share', true)));
}

/**
 * Shamir-shares `secret` over identifiers with a fresh random polynomial of degree
 * minSigners−1 (RFC 9591 App. C.1 secret_share_shard). Redraws in the negligible case
 * that some share is zero. @internal
 */
export function shardSecret(secret: bigint, minSigners: number, ids: readonly Identifier[], rng: RandomBytes): { coefficients: bigint[]; shares: bigint[] } {
  for (;;) {
    const coefficients = [secret];
    for (let j = 1; j < minSigners; j++) coefficients.push(randomScalar(rng));
    const shares = ids.map((i) => polynomialEvaluate(BigInt(i), coefficients));
    if (shares.every((s) => s !== 0n)) return { coefficients, shares };
  }
}

/**
 * RFC 9591 App. C trusted_dealer_keygen: splits `secret` (a 32-byte little-endian scalar,
 * random if omitted; see `seedToScalar` for Ed25519 seeds) into shares for identifiers
 * 1..maxSigners with threshold minSigners, plus the public key package (incl. VSS commitment).
 *
 * @example
 * const { shares, publicKeyPackage } = trustedDealerKeygen(3, 5);
 */
export function trustedDealerKeygen(
  minSigners: number,
  maxSigners: number,
  secret?: Uint8Array,
  rng: RandomBytes = defaultRandomBytes,
): { shares: SecretSigningShare[]; publicKeyPackage: PublicKeyPackage } {
  assertThreshold(minSigners, maxSigners);
  const s = secret === undefined ? randomScalar(rng) : decodeScalar(secret, 'group secret', true);
  const ids = Array.from({ length: maxSigners }, (_, k) => k + 1);
  const { coefficients, shares } = shardSecret(s, minSigners, ids, rng);
  const vssCommitment = vssCommit(coefficients);
  coefficients.fill(0n);
  const verifyingShares = new Map<Identifier, Uint8Array>();
  const out: SecretSigningShare[] = [];
  ids.forEach((id, k) => {
    verifyingShares.set(id, encodePoint(mulBase(shares[k]!)));
    out.push({ identifier: id, share: encodeScalar(shares[k]!) });
  });
  return {
    shares: out,
    publicKeyPackage: { minSigners, maxSigners, groupPublicKey: vssCommitment[0]!.slice(), verifyingShares, vssCommitment },
  };
}

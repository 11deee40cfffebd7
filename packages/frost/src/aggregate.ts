/** Coordinator side: signature share verification (RFC 9591 §5.4) and aggregation (§5.3). */
import { concat, equalBytes } from './bytes.js';
import { FrostError } from './errors.js';
import { assertIdentifier } from './identifier.js';
import { BASE_ENCODING, linearCombination, validateElement } from './point.js';
import { deriveInterpolatingValue } from './polynomial.js';
import { L, bytesToNumberLE, encodeScalar, mod } from './scalar.js';
import { type SigningContext, prepareSigning } from './signing-package.js';
import type { Identifier, PublicKeyPackage, SignatureShare, SigningCommitments } from './types.js';

function shareScalar(share: SignatureShare): bigint | undefined {
  if (!(share.share instanceof Uint8Array) || share.share.length !== 32) return undefined;
  const z = bytesToNumberLE(share.share);
  return z < L ? z : undefined;
}

// [z_i]B == D_i + [ρ_i]E_i + [c·λ_i]PK_i, all public: variable-time arithmetic is fine.
// PK is a validated encoding; equal canonical encodings ⇔ equal points.
function checkShare(ctx: SigningContext, id: Identifier, z: bigint, PK: Uint8Array): boolean {
  const comm = ctx.commitments.get(id);
  if (comm === undefined) throw new FrostError('MISSING_COMMITMENT', `no commitment for signer ${id}`);
  const lambda = deriveInterpolatingValue(ctx.identifiers.map(BigInt), BigInt(id));
  const rhs = linearCombination([comm.hiding, comm.binding, PK], [1n, ctx.bindingFactors.get(id)!, mod(ctx.challenge * lambda)]);
  return equalBytes(linearCombination([BASE_ENCODING], [z]), rhs);
}

/**
 * RFC 9591 §5.4 verify_signature_share(): whether `share` is the correct share of its signer
 * (verifying share `PK_i`) for this commitment list and message. Malformed public inputs
 * (group key, verifying share, commitments) throw; a malformed share value returns false.
 */
export function verifyShare(
  share: SignatureShare,
  verifyingShare: Uint8Array,
  groupPublicKey: Uint8Array,
  commitmentList: SigningCommitments[],
  msg: Uint8Array,
): boolean {
  if (share === null || typeof share !== 'object') throw new FrostError('INVALID_PARAMETERS', 'share must be an object');
  assertIdentifier(share.identifier, 'share identifier');
  validateElement(verifyingShare, 'verifying share');
  const ctx = prepareSigning(groupPublicKey, commitmentList, msg);
  const z = shareScalar(share);
  if (z === undefined) return false;
  return checkShare(ctx, share.identifier, z, verifyingShare);
}

/**
 * RFC 9591 §5.3 aggregate(): the 64-byte Ed25519 signature R || z with z = Σ z_i.
 *
 * `shares` must hold exactly one share per commitment-list entry (any order). Without
 * `publicKeyPackage` this is the RFC's unverified aggregation: the coordinator then verifies
 * the result once with {@link verifySignature} and only on failure calls {@link verifyShare}
 * per share. With `publicKeyPackage` that is done here, and a bad result throws
 * `FrostError('INVALID_SHARE')` whose `culprits` name the signers whose shares fail.
 */
export function aggregate(
  shares: SignatureShare[],
  groupPublicKey: Uint8Array,
  commitmentList: SigningCommitments[],
  msg: Uint8Array,
  publicKeyPackage?: PublicKeyPackage,
): Uint8Array {
  if (!Array.isArray(shares)) throw new FrostError('INVALID_PARAMETERS', 'shares must be an array');
  const ctx = prepareSigning(groupPublicKey, commitmentList, msg);
  if (publicKeyPackage !== undefined) {
    if (!equalBytes(publicKeyPackage.groupPublicKey, groupPublicKey))
      throw new FrostError('INVALID_PARAMETERS', 'public key package is for another group key');
    const n = commitmentList.length;
    if (n < publicKeyPackage.minSigners || n > publicKeyPackage.maxSigners)
      throw new FrostError('INVALID_PARAMETERS', `${n} signers, need ${publicKeyPackage.minSigners}..${publicKeyPackage.maxSigners}`);
  }
  const byId = new Map<Identifier, bigint>();
  const malformed: Identifier[] = [];
  for (const s of shares) {
    if (s === null || typeof s !== 'object') throw new FrostError('INVALID_PARAMETERS', 'share must be an object');
    assertIdentifier(s.identifier, 'share identifier');
    if (byId.has(s.identifier) || malformed.includes(s.identifier))
      throw new FrostError('DUPLICATE_IDENTIFIER', `two shares from ${s.identifier}`, { culprits: [s.identifier] });
    if (!ctx.bindingFactors.has(s.identifier))
      throw new FrostError('MISSING_COMMITMENT', `share from ${s.identifier}, who is not in the commitment list`, { culprits: [s.identifier] });
    const z = shareScalar(s);
    if (z === undefined) malformed.push(s.identifier);
    else byId.set(s.identifier, z);
  }
  if (malformed.length > 0)
    throw new FrostError('INVALID_SHARE', `malformed signature share from ${malformed.join(', ')}`, { culprits: malformed });
  const missing = ctx.identifiers.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new FrostError('INVALID_PARAMETERS', `no signature share from ${missing.join(', ')}`);

  let z = 0n;
  for (const zi of byId.values()) z += zi;
  z = mod(z);
  const sig = concat(ctx.groupCommitmentBytes, encodeScalar(z));
  if (publicKeyPackage === undefined) return sig;

  // One group-level check: [z]B == R + [c]PK.
  if (equalBytes(linearCombination([BASE_ENCODING], [z]), linearCombination([ctx.groupCommitmentBytes, groupPublicKey], [1n, ctx.challenge]))) return sig;
  const culprits: Identifier[] = [];
  for (const id of ctx.identifiers) {
    const vs = publicKeyPackage.verifyingShares.get(id);
    if (vs === undefined) throw new FrostError('INVALID_PARAMETERS', `no verifying share for ${id}`);
    validateElement(vs, `verifying share of ${id}`);
    if (!checkShare(ctx, id, byId.get(id)!, vs)) culprits.push(id);
  }
  if (culprits.length > 0)
    throw new FrostError('INVALID_SHARE', `invalid signature share from ${culprits.join(', ')}`, { culprits });
  throw new FrostError('INVALID_SIGNATURE', 'aggregate does not verify although every share does (inconsistent key package)');
}

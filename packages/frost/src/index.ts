/**
 * @qsign/frost — FROST(Ed25519, SHA-512), RFC 9591. Pure: no I/O, no transport.
 *
 * Byte formats follow RFC 9591 §6.5: scalars are 32-byte little-endian, points are 32-byte
 * compressed Edwards. Identifiers are small positive integers (1..65535), serialized as scalars.
 * Secret reconstruction lives only in the `@qsign/frost/recovery` subpath.
 */
export type { Identifier, SecretSigningShare, PublicKeyPackage, SecretSigningNonces, SigningCommitments, SignatureShare, RandomBytes } from './types.js';
export { FrostError, type FrostErrorCode } from './errors.js';
export { commit } from './round1.js';
export { signShare, type SignShareOptions } from './round2.js';
export { verifyShare, aggregate } from './aggregate.js';
export { verifySignature } from './verify.js';
export {
  computeBindingFactors,
  groupCommitment,
  computeChallenge,
  encodeGroupCommitmentList,
  sortCommitments,
  validateSigningCommitments,
  clearSigningCache,
} from './signing-package.js';
export {
  trustedDealerKeygen,
  vssCommit,
  vssVerify,
  deriveVerifyingShare,
  deriveGroupInfo,
  verifyingShareFromCommitment,
} from './dealer.js';
export { encodePublicKeyPackage, decodePublicKeyPackage, validatePublicKeyPackage, type PublicKeyPackageJSON } from './encoding.js';
export { clearPointCache } from './point.js';
export { setPointBackend, pointBackend, nobleBackend } from './select.js';
export { setSha512, type Sha512 } from './sha512.js';
export { IDENTITY_ENCODING, type PointBackend } from './backend.js';
export { encodeIdentifier } from './identifier.js';
export { seedToScalar } from './seed.js';
export {
  dkgRound1,
  dkgRound2,
  dkgFinalize,
  type DkgRound1Package,
  type DkgRound2Package,
  type SecretDkgRound1,
  type SecretDkgRound2,
} from './dkg.js';
export {
  reshareDeal,
  reshareReceive,
  reshareVerifyCommitments,
  assertReshareParams,
  type ReshareParams,
  type ReshareCommitment,
  type ReshareSubShare,
} from './reshare.js';

/**
 * @qsign/protocol — domain types and rules shared by client, coordinator and
 * nodes: typed errors, client requests and their signatures, freshness, and
 * the message each payload kind signs. Pure: no transport, no storage.
 */
export {
  classifyRefusal, ERROR_STATUS, type ErrorCode, errorMessage, isQsignError, QsignError, type RefusalClass,
  STALE_COMMITMENT,
} from './errors.js';
export {
  checkFreshness, type Ed25519Signer, type Ed25519Verify, type FileClaims, isValidKeyName,
  MAX_REQUEST_ID_LENGTH, newRequestId, type OpenPgpParams, type PayloadKind, REQUEST_SIGNATURE_CONTEXT,
  type SignedRequest, type SignRequest, signRequestBody, validateSignRequest, verifyRequestSignature,
} from './request.js';
export {
  containerMessage, DIGEST_LENGTHS, DIGEST_LIKE_LENGTHS, type KeyContext, keyFingerprint, preparedOpenPgp,
  signingMessage,
} from './message.js';
export { decodeShareFile, encodeShareFile, SHARE_FILE_FORMAT, type ShareFile } from './share-file.js';
export {
  newResharePlan, openResharePlan, RESHARE_PLAN_CONTEXT, RESHARE_PLAN_FORMAT, type ResharePlan,
  type SignedResharePlan, signResharePlan, validateResharePlan,
} from './reshare-plan.js';
export { localName, parseXml, type XmlElement, type XmlLimits } from './xml.js';
export {
  MAX_REPOMD_BYTES, MAX_REPOMD_DATA, parseRepomd, REPOMD_NAMESPACE, type RepomdChecksum, type RepomdData,
  type RepomdFacts,
} from './repomd.js';
export {
  ATOMIC_SIGNATURE_TYPE, COSIGN_SIGNATURE_TYPE, type DockerReference, isManifestDigest, lookasidePath,
  MAX_SIMPLE_SIGNING_BYTES, parseDockerReference, parseSimpleSigning, type SimpleSigningFacts,
  type SimpleSigningFormat, simpleSigningPayload,
} from './simple-signing.js';
export { certificateProblem, MAX_CERTIFICATE_BYTES } from './certificate-check.js';
export {
  agreedKey, ATTESTATION_CHALLENGE_BYTES, type AttestedKey, KEY_ATTESTATION_CONTEXT, type KeyStatement,
  openKeyAttestation, type SignedKeyAttestation, signKeyAttestation,
} from './key-attestation.js';
export {
  commitmentHex, dkgSessionId, KEYGEN_REQUEST_CONTEXT, KEYGEN_REQUEST_FORMAT, type KeygenRequest,
  openKeygenRequest, openLifecycle, RESHARE_CONFIRMATION_CONTEXT, RESHARE_CONFIRMATION_FORMAT,
  type ReshareConfirmation, type ReshareStatement, type SignedLifecycle, signKeygenRequest, signLifecycle,
  signReshareStatement, validateKeygenRequest, verifyReshareConfirmations,
} from './lifecycle-request.js';
export { isKeyEmail } from './key-email.js';
export { QSIGN_HINT } from './hint.js';
export {
  type PreparedCommitment, type SchemeId, type SchemeKey, type SchemeShare, type SecretKeyShare,
  type SecretPrepared, type SessionEntry, type SignatureVerifier, type ThresholdScheme,
} from './scheme.js';
export { frostEd25519Scheme } from './scheme-frost.js';
export { checkCommitmentList, type SignerSetKey, thresholdProblem } from './signer-set.js';

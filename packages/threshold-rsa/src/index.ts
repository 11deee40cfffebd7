/**
 * @qsign/threshold-rsa — Shoup, "Practical Threshold Signatures" (EUROCRYPT 2000), protocol 1
 * with a trusted dealer, making ordinary RSASSA-PKCS1-v1_5 signatures (RFC 8017 §8.2) with
 * SHA-256 or SHA-512 from k of l shares. Pure: no I/O; randomness, safe primes and the fast
 * modexp are injected (`@qsign/threshold-rsa-native` supplies node:crypto/OpenSSL ones).
 */
export type { RandomBytes, SecretRsaKey, ShareVerification, ThresholdRsaPublicKey, SecretRsaShare, EqualityProof, RsaSignatureShare } from './types.js';
export { ThresholdRsaError, type ThresholdRsaErrorCode } from './errors.js';
export { bitLength, byteLength, fromBytes, toBytes, factorial } from './bigint.js';
export { pureBackend, setModexpBackend, modexpBackend, backendName, modPowSecret, type ModexpBackend } from './backend.js';
export { DIGEST_INFO_PREFIX, emsaPkcs1v15Encode, parseEmsaPkcs1v15, type RsaHash } from './pkcs1.js';
export { MODULUS_BITS, MAX_PARTIES, MAX_PUBLIC_EXPONENT_BITS, validatePublicKey } from './params.js';
export { isProbablePrime, isSafePrime } from './prime.js';
export { dealShares, validateSecretKey, generateSafePrimeKey, safePrimeKey, type DealOptions, type Dealt, type GenerateOptions, type SafePrimeSource } from './dealer.js';
export { signShare, verifyShare, messageRepresentative } from './share.js';
export { combine, lagrangeCoefficient, MAX_COMBINATIONS, type Combined } from './combine.js';
export { verifySignature, type RsaPublicKey } from './verify.js';
export { CHALLENGE_BITS } from './proof.js';
export {
  encodePublicKey,
  decodePublicKey,
  encodeSecretShare,
  decodeSecretShare,
  encodeSignatureShare,
  decodeSignatureShare,
  type ThresholdRsaPublicKeyJSON,
  type SecretRsaShareJSON,
  type RsaSignatureShareJSON,
} from './encoding.js';

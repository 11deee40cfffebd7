/** JSON forms of keys and shares: integers as lower-case big-endian hex without prefix. */
import { check } from './errors.js';
import { validatePublicKey } from './params.js';
import type { RsaSignatureShare, SecretRsaShare, ThresholdRsaPublicKey } from './types.js';

/** JSON form of {@link ThresholdRsaPublicKey}. */
export interface ThresholdRsaPublicKeyJSON {
  n: string;
  e: string;
  parties: number;
  threshold: number;
  verification?: { v: string; verificationKeys: string[] };
}

/** JSON form of {@link SecretRsaShare}. */
export interface SecretRsaShareJSON {
  index: number;
  secret: string;
}

/** JSON form of {@link RsaSignatureShare}. */
export interface RsaSignatureShareJSON {
  index: number;
  value: string;
  proof?: { c: string; z: string };
}

const hex = (x: bigint): string => x.toString(16);

/** Parses lower- or upper-case hex (no prefix) as a non-negative bigint. */
export function hexToBigint(s: unknown, what: string): bigint {
  check(typeof s === 'string' && /^[0-9a-fA-F]+$/.test(s), 'INVALID_ENCODING', `${what} is not hex`);
  return BigInt(`0x${s}`);
}

/** Encodes a public key for JSON. */
export function encodePublicKey(pub: ThresholdRsaPublicKey): ThresholdRsaPublicKeyJSON {
  const out: ThresholdRsaPublicKeyJSON = { n: hex(pub.n), e: hex(pub.e), parties: pub.parties, threshold: pub.threshold };
  if (pub.verification) out.verification = { v: hex(pub.verification.v), verificationKeys: pub.verification.verificationKeys.map(hex) };
  return out;
}

/** Decodes and validates a public key from JSON. */
export function decodePublicKey(j: ThresholdRsaPublicKeyJSON): ThresholdRsaPublicKey {
  check(typeof j === 'object' && j !== null, 'INVALID_ENCODING', 'public key must be an object');
  const pub: ThresholdRsaPublicKey = { n: hexToBigint(j.n, 'n'), e: hexToBigint(j.e, 'e'), parties: j.parties, threshold: j.threshold };
  if (j.verification !== undefined) {
    check(Array.isArray(j.verification.verificationKeys), 'INVALID_ENCODING', 'verificationKeys must be an array');
    pub.verification = { v: hexToBigint(j.verification.v, 'v'), verificationKeys: j.verification.verificationKeys.map((k) => hexToBigint(k, 'verification key')) };
  }
  validatePublicKey(pub);
  return pub;
}

/** Encodes a secret share for JSON (for sealed storage only). */
export function encodeSecretShare(s: SecretRsaShare): SecretRsaShareJSON {
  return { index: s.index, secret: hex(s.secret) };
}

/** Decodes a secret share from JSON. */
export function decodeSecretShare(j: SecretRsaShareJSON): SecretRsaShare {
  check(typeof j === 'object' && j !== null && Number.isInteger(j.index), 'INVALID_ENCODING', 'secret share must have an integer index');
  return { index: j.index, secret: hexToBigint(j.secret, 'secret') };
}

/** Encodes a signature share for JSON. */
export function encodeSignatureShare(s: RsaSignatureShare): RsaSignatureShareJSON {
  const out: RsaSignatureShareJSON = { index: s.index, value: hex(s.value) };
  if (s.proof) out.proof = { c: hex(s.proof.c), z: hex(s.proof.z) };
  return out;
}

/** Decodes a signature share from JSON. */
export function decodeSignatureShare(j: RsaSignatureShareJSON): RsaSignatureShare {
  check(typeof j === 'object' && j !== null && Number.isInteger(j.index), 'INVALID_ENCODING', 'signature share must have an integer index');
  const out: RsaSignatureShare = { index: j.index, value: hexToBigint(j.value, 'value') };
  if (j.proof !== undefined) out.proof = { c: hexToBigint(j.proof.c, 'c'), z: hexToBigint(j.proof.z, 'z') };
  return out;
}

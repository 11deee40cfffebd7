/**
 * How a threshold RSA key appears as a {@link SchemeKey}: `groupPublicKey` is the OpenPGP
 * algorithm-specific public material MPI(n) ‖ MPI(e) (RFC 9580 §5.5.5.1), so clients pin
 * exactly what the certificate carries; a safe-prime key's Shoup verification data is
 * `verificationBase` (v) and `verifyingShares` (v_i, k octets each).
 */
import { encodeMpi } from '@qsign/openpgp';
import { ThresholdRsaError, byteLength, fromBytes, toBytes, validatePublicKey, type ThresholdRsaPublicKey } from '@qsign/threshold-rsa';
import type { SchemeKey } from './scheme.js';

const bytesOf = (x: bigint): Uint8Array => toBytes(x, Math.max(1, Math.ceil(x.toString(16).length / 2)));

/** MPI(n) ‖ MPI(e): the group public key of an RSA key. */
export function rsaGroupPublicKey(n: bigint, e: bigint): Uint8Array {
  const a = encodeMpi(bytesOf(n));
  const b = encodeMpi(bytesOf(e));
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Reads MPI(n) ‖ MPI(e); INVALID_ENCODING for anything else (trailing bytes included). */
export function parseRsaGroupPublicKey(b: Uint8Array): { n: bigint; e: bigint } {
  const read = (at: number): [bigint, number] => {
    if (at + 2 > b.length) throw new ThresholdRsaError('INVALID_ENCODING', 'RSA public key: truncated MPI');
    const len = (((b[at]! << 8) | b[at + 1]!) + 7) >>> 3;
    if (len === 0 || at + 2 + len > b.length) throw new ThresholdRsaError('INVALID_ENCODING', 'RSA public key: truncated MPI');
    return [fromBytes(b.subarray(at + 2, at + 2 + len)), at + 2 + len];
  };
  const [n, at] = read(0);
  const [e, end] = read(at);
  if (end !== b.length) throw new ThresholdRsaError('INVALID_ENCODING', 'RSA public key: trailing bytes after MPI(e)');
  return { n, e };
}

/** The scheme view of a dealt public key. */
export function rsaSchemeKey(pub: ThresholdRsaPublicKey): SchemeKey {
  const k = byteLength(pub.n);
  const key: SchemeKey = { groupPublicKey: rsaGroupPublicKey(pub.n, pub.e), minSigners: pub.threshold, maxSigners: pub.parties, verifyingShares: new Map() };
  if (pub.verification) {
    key.verificationBase = toBytes(pub.verification.v, k);
    pub.verification.verificationKeys.forEach((vi, i) => (key.verifyingShares as Map<number, Uint8Array>).set(i + 1, toBytes(vi, k)));
  }
  return key;
}

/** The threshold RSA public key a scheme key describes, validated (modulus size, exponent, parties). */
export function rsaPublicKeyOf(key: SchemeKey): ThresholdRsaPublicKey {
  const { n, e } = parseRsaGroupPublicKey(key.groupPublicKey);
  const pub: ThresholdRsaPublicKey = { n, e, parties: key.maxSigners, threshold: key.minSigners };
  if (key.verificationBase) {
    const verificationKeys: bigint[] = [];
    for (let i = 1; i <= key.maxSigners; i++) {
      const vi = key.verifyingShares.get(i);
      if (!vi) throw new ThresholdRsaError('INVALID_ENCODING', `RSA key has verification data but none for share ${i}`);
      verificationKeys.push(fromBytes(vi));
    }
    pub.verification = { v: fromBytes(key.verificationBase), verificationKeys };
  }
  validatePublicKey(pub);
  return pub;
}

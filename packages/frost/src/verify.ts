/** Single-signer Ed25519 verification of the aggregate (RFC 9591 §5.3 / RFC 8032 §5.1.7). */
import { sha512 } from '@noble/hashes/sha2.js';
import { concat, equalBytes } from './bytes.js';
import { Point, mulBasePublic } from './point.js';
import { L, bytesToNumberLE, mod } from './scalar.js';

const P = 2n ** 255n - 19n;

// RFC 8032 §5.1.3 decoding as OpenSSL does it: y is taken mod p and x = 0 with the sign bit set
// is accepted. Returns undefined when no x exists for y.
function decodeLenient(b: Uint8Array): Point | undefined {
  const y = mod2p(bytesToNumberLE(b) & ((1n << 255n) - 1n));
  const canon = new Uint8Array(32);
  let v = y;
  for (let i = 0; i < 32; i++) {
    canon[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  canon[31]! |= b[31]! & 0x80;
  try {
    return Point.fromBytes(canon, true);
  } catch {
    return undefined;
  }
}
const mod2p = (y: bigint): bigint => (y >= P ? y - P : y);

/**
 * RFC 8032 §5.1.7 Ed25519 verification, cofactorless, with the exact acceptance rules of
 * OpenSSL (hence `node:crypto`): s must be below L, R is compared byte-for-byte with the
 * encoding of [s]B − [k]A, k = SHA-512(R || A || msg) mod L. Like OpenSSL it does not reject
 * small-order public keys; FROST group keys are validated where they are decoded.
 */
export function verifySignature(sig: Uint8Array, msg: Uint8Array, publicKey: Uint8Array): boolean {
  if (!(sig instanceof Uint8Array) || sig.length !== 64) return false;
  if (!(msg instanceof Uint8Array) || !(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false;
  const R = sig.subarray(0, 32);
  const s = bytesToNumberLE(sig.subarray(32));
  if (s >= L) return false;
  const A = decodeLenient(publicKey);
  if (A === undefined) return false;
  const k = mod(bytesToNumberLE(sha512(concat(R, publicKey, msg))));
  const check = mulBasePublic(s).subtract(A.multiplyUnsafe(k));
  return equalBytes(check.toBytes(), R);
}

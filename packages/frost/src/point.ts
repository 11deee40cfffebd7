/**
 * Group elements of FROST(Ed25519, SHA-512): RFC 9591 §6.5 SerializeElement / DeserializeElement,
 * the noble point type for the cold paths (dealer, DKG, reshare), and the pluggable
 * {@link PointBackend} that the signing hot path (commit, signShare, aggregate) runs on.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import type { EdwardsPoint } from '@noble/curves/abstract/edwards.js';
import { IDENTITY_ENCODING, type PointBackend } from './backend.js';
import { FrostError } from './errors.js';
import { equalBytes, toHex } from './bytes.js';
import { bytesToNumberLE } from './scalar.js';

/** An Ed25519 point in extended coordinates (noble). */
export type Point = EdwardsPoint;

/** The Ed25519 point constructor (noble). */
export const Point = ed25519.Point;

/** The base point B (RFC 8032 §5.1), with noble's precomputed window table. */
export const BASE: Point = ed25519.Point.BASE;

/** The identity element. */
export const ZERO: Point = ed25519.Point.ZERO;

/** SerializeElement(B), for passing the base point to {@link linearCombination}. */
export const BASE_ENCODING: Uint8Array = BASE.toBytes();

/** RFC 9591 §6.5 SerializeElement: 32-byte compressed encoding; the identity is refused. */
export function encodePoint(p: Point): Uint8Array {
  if (p.is0()) throw new FrostError('IDENTITY_POINT', 'cannot serialize the identity element');
  return p.toBytes();
}

// Validated encodings are pure functions of public bytes, so a small bounded cache saves
// re-doing the (expensive) subgroup check for points that recur: group keys, verifying shares,
// and commitments validated on upload then used when signing. A value of null means
// "validated, not yet decoded to a noble point" (the backend path needs no noble point).
const CACHE_MAX = 1024;
const cache = new Map<string, Point | null>();

/** Drops every cached point decode (for benchmarks that want cold-cache figures). */
export function clearPointCache(): void {
  cache.clear();
  results.clear();
}

function remember(key: string, p: Point | null): void {
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, p);
}

// noble's RFC 9591 §6.5 DeserializeElement, naming the reason for a rejection.
function nobleDecode(b: Uint8Array, what: string): Point {
  let p: Point;
  try {
    p = Point.fromBytes(b, false);
  } catch (cause) {
    throw new FrostError('INVALID_POINT', `${what}: not a canonical curve point`, { cause });
  }
  if (p.is0()) throw new FrostError('IDENTITY_POINT', `${what}: identity element`);
  if (!p.isTorsionFree()) throw new FrostError('INVALID_POINT', `${what}: not in the prime-order subgroup`);
  return p;
}

// A noble point for an encoding the contract says is valid (validated, B, or a backend result).
function nobleOf(b: Uint8Array): Point {
  const key = toHex(b);
  const hit = cache.get(key) ?? results.get(key);
  if (hit) return hit;
  const p = Point.fromBytes(b, false);
  if (cache.get(key) === null) cache.set(key, p);
  return p;
}
// Recent noble results (group commitments), so a later check on R needs no square root.
const results = new Map<string, Point>();
function nobleResult(p: Point): Uint8Array {
  const b = p.toBytes();
  if (results.size >= 64) results.delete(results.keys().next().value as string);
  results.set(toHex(b), p);
  return b;
}

/** The default backend: @noble/curves, pure TypeScript (constant-time base multiplication). */
export const nobleBackend: PointBackend = {
  name: 'noble',
  isValidElement(b) {
    try {
      nobleDecode(b, 'point');
      return true;
    } catch {
      return false;
    }
  },
  mulBaseSecret(s) {
    return BASE.multiply(bytesToNumberLE(s)).toBytes();
  },
  multiScalarMulPublic(points, scalars) {
    if (points.length !== scalars.length) throw new FrostError('INVALID_PARAMETERS', 'points and scalars differ in length');
    let acc = ZERO;
    const ps: Point[] = [];
    const ks: bigint[] = [];
    points.forEach((b, i) => {
      const k = scalars[i]!;
      if (k === 0n) return;
      if (equalBytes(b, BASE_ENCODING)) acc = acc.add(BASE.multiplyUnsafe(k)); // precomputed table
      else if (k === 1n) acc = acc.add(nobleOf(b));
      else {
        ps.push(nobleOf(b));
        ks.push(k);
      }
    });
    if (ps.length > 0) acc = acc.add(mulAddUnsafe(Point, ps, ks));
    return nobleResult(acc);
  },
  add(a, b) {
    return nobleResult(nobleOf(a).add(nobleOf(b)));
  },
};

let backend: PointBackend = nobleBackend;

/** The point backend in use. */
export function pointBackend(): PointBackend {
  return backend;
}

/** Installs `b` (see `setPointBackend` in the package index, which also drops caches). @internal */
export function installBackend(b: PointBackend): void {
  for (const f of ['isValidElement', 'mulBaseSecret', 'multiScalarMulPublic', 'add'] as const)
    if (typeof b?.[f] !== 'function') throw new FrostError('INVALID_PARAMETERS', `point backend lacks ${f}()`);
  backend = b;
  clearPointCache();
}

// The §6.5 check through the backend; returns a noble point when one came for free.
function check(b: Uint8Array, what: string): Point | null {
  if (backend === nobleBackend) return nobleDecode(b, what);
  if (backend.isValidElement(b)) return null;
  nobleDecode(b, what); // throws with the precise reason
  // The backend is stricter than noble: fail closed all the same.
  throw new FrostError('INVALID_POINT', `${what}: rejected by the ${backend.name} point backend`);
}

function assert32(b: Uint8Array, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== 32) throw new FrostError('INVALID_POINT', `${what}: expected 32 bytes`);
}

/**
 * RFC 9591 §6.5 DeserializeElement without building a point: canonical 32-byte encoding
 * (RFC 8032 §5.1.3, y < p, no negative zero), not the identity, prime-order subgroup.
 * Throws INVALID_POINT / IDENTITY_POINT; results are cached.
 */
export function validateElement(b: Uint8Array, what = 'point'): void {
  assert32(b, what);
  const key = toHex(b);
  if (cache.has(key)) return;
  remember(key, check(b, what));
}

/** Marks `b` valid without checks: only for encodings computed here as [s]B with 0 < s < L. @internal */
export function trustElement(b: Uint8Array): void {
  const key = toHex(b);
  if (!cache.has(key)) remember(key, null);
}

/**
 * RFC 9591 §6.5 DeserializeElement: canonical 32-byte encoding (RFC 8032 §5.1.3, y < p,
 * no negative zero), not the identity, and in the prime-order subgroup ([L]P = O).
 */
export function decodePoint(b: Uint8Array, what = 'point'): Point {
  assert32(b, what);
  const key = toHex(b);
  const hit = cache.get(key);
  if (hit) return hit;
  let p = hit === null ? null : check(b, what);
  if (p === null) {
    try {
      p = Point.fromBytes(b, false);
    } catch (cause) {
      throw new FrostError('INVALID_POINT', `${what}: accepted by the ${backend.name} backend but not decodable`, { cause });
    }
  }
  remember(key, p);
  return p;
}

/** Base-point multiplication for secret scalars (constant-time ladder over noble's precomputes). */
export function mulBase(s: bigint): Point {
  return BASE.multiply(s);
}

/** Base-point multiplication for public scalars (variable time; 0 allowed). */
export function mulBasePublic(s: bigint): Point {
  return BASE.multiplyUnsafe(s);
}

/** SerializeElement([s]B) for a secret scalar (32-byte LE, 0 < s < L), through the backend (constant time). */
export function mulBaseSecretBytes(s: Uint8Array): Uint8Array {
  return backend.mulBaseSecret(s);
}

/** Encoding of Σ [k_i]P_i for valid encodings and public scalars, through the backend (variable time). */
export function linearCombination(points: readonly Uint8Array[], scalars: readonly bigint[]): Uint8Array {
  return backend.multiScalarMulPublic(points, scalars);
}

/** Whether an encoding is the identity's. */
export function isIdentityEncoding(b: Uint8Array): boolean {
  return equalBytes(b, IDENTITY_ENCODING);
}

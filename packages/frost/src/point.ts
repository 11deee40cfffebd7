/**
 * Group elements of FROST(Ed25519, SHA-512): RFC 9591 §6.5 SerializeElement / DeserializeElement
 * on top of noble's Edwards point API.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { EdwardsPoint } from '@noble/curves/abstract/edwards.js';
import { FrostError } from './errors.js';
import { toHex } from './bytes.js';

/** An Ed25519 point in extended coordinates (noble). */
export type Point = EdwardsPoint;

/** The Ed25519 point constructor (noble). */
export const Point = ed25519.Point;

/** The base point B (RFC 8032 §5.1), with noble's precomputed window table. */
export const BASE: Point = ed25519.Point.BASE;

/** The identity element. */
export const ZERO: Point = ed25519.Point.ZERO;

/** RFC 9591 §6.5 SerializeElement: 32-byte compressed encoding; the identity is refused. */
export function encodePoint(p: Point): Uint8Array {
  if (p.is0()) throw new FrostError('IDENTITY_POINT', 'cannot serialize the identity element');
  return p.toBytes();
}

// Validated decodes are pure functions of public bytes, so a small bounded cache saves
// re-doing the square root and the (expensive) subgroup check for points that recur:
// group keys, verifying shares, and commitments seen by both aggregate and verifyShare.
const CACHE_MAX = 1024;
const cache = new Map<string, Point>();

/** Drops every cached point decode (for benchmarks that want cold-cache figures). */
export function clearPointCache(): void {
  cache.clear();
}

/**
 * RFC 9591 §6.5 DeserializeElement: canonical 32-byte encoding (RFC 8032 §5.1.3, y < p,
 * no negative zero), not the identity, and in the prime-order subgroup ([L]P = O).
 */
export function decodePoint(b: Uint8Array, what = 'point'): Point {
  if (!(b instanceof Uint8Array) || b.length !== 32)
    throw new FrostError('INVALID_POINT', `${what}: expected 32 bytes`);
  const key = toHex(b);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let p: Point;
  try {
    p = Point.fromBytes(b, false);
  } catch (cause) {
    throw new FrostError('INVALID_POINT', `${what}: not a canonical curve point`, { cause });
  }
  if (p.is0()) throw new FrostError('IDENTITY_POINT', `${what}: identity element`);
  if (!p.isTorsionFree()) throw new FrostError('INVALID_POINT', `${what}: not in the prime-order subgroup`);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, p);
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

/**
 * Start-up self-test of a point backend against the noble reference: the same accept/reject
 * decision on crafted edge-case encodings, and the same bytes for base multiplication,
 * multi-scalar multiplication and addition. A backend that fails is not installed.
 */
import { nobleBackend, type PointBackend } from '@qsign/frost';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The 8 points of order dividing 8 (E[8]), canonical encodings; the first is the identity. */
export const SMALL_ORDER_POINTS: readonly string[] = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // (0, -1), order 2
  '0000000000000000000000000000000000000000000000000000000000000000', // (+-sqrt(-1), 0), order 4
  '0000000000000000000000000000000000000000000000000000000000000080', // its negation
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
];

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;

function le32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/** One crafted encoding, what it is, and whether RFC 9591 §6.5 accepts it. */
export interface EdgeCase {
  label: string;
  bytes: Uint8Array;
  valid: boolean;
}

/**
 * Crafted encodings with what they are: the identity and every small-order point (also with
 * the sign bit flipped: negative zero), valid points plus every torsion component (mixed
 * order), every non-canonical y ≥ p with both sign bits, and valid prime-order points.
 * `extra` valid points (e.g. random ones) are mixed with every torsion component as well.
 * `valid` is RFC 9591 §6.5's answer: only torsion-free, non-identity, canonical encodings pass.
 */
export function edgeCasePoints(extra: readonly Uint8Array[] = []): EdgeCase[] {
  const out: EdgeCase[] = [];
  const B = nobleBackend.mulBaseSecret(le32(1n));
  const G = nobleBackend.mulBaseSecret(le32(0x1234567890abcdefn));
  SMALL_ORDER_POINTS.forEach((t, i) => {
    const T = hex(t);
    out.push({ label: `small-order point #${i}`, bytes: T, valid: false });
    const flipped = T.slice();
    flipped[31]! ^= 0x80;
    out.push({ label: `small-order point #${i}, sign bit flipped`, bytes: flipped, valid: false });
    for (const [name, V] of [['B', B], ['G', G], ...extra.map((e, j) => [`extra#${j}`, e] as const)] as const)
      out.push({ label: `${name} + small-order point #${i}`, bytes: nobleBackend.add(V, T), valid: i === 0 });
  });
  for (let j = 0n; j < 19n; j++) {
    const y = le32(P + j);
    out.push({ label: `y = p + ${j}`, bytes: y, valid: false });
    const neg = y.slice();
    neg[31]! |= 0x80;
    out.push({ label: `y = p + ${j}, sign bit set`, bytes: neg, valid: false });
  }
  // Valid points with a flipped sign bit are valid too (the negation); the top byte 0xff case.
  const negB = B.slice();
  negB[31]! ^= 0x80;
  out.push({ label: '-B', bytes: negB, valid: true }, { label: 'B', bytes: B, valid: true }, { label: 'G', bytes: G, valid: true });
  // y = 2: x² = (y²-1)/(dy²+1) has no square root, so no curve point; all 0xff: y ≥ p.
  out.push({ label: 'y = 2 (not on the curve)', bytes: le32(2n), valid: false }, { label: 'all 0xff', bytes: new Uint8Array(32).fill(0xff), valid: false });
  return out;
}

function expectSame(what: string, got: Uint8Array, want: Uint8Array): void {
  if (toHex(got) !== toHex(want)) throw new Error(`self-test: ${what} differs from noble (${toHex(got)} vs ${toHex(want)})`);
}

/**
 * Throws unless `backend` gives RFC 9591 §6.5's answer on every {@link edgeCasePoints} entry
 * (the tests check noble gives the same) and noble's bytes on known-answer computations.
 */
export function selfTest(backend: PointBackend): void {
  for (const { label, bytes, valid } of edgeCasePoints()) {
    if (backend.isValidElement(bytes) !== valid) throw new Error(`self-test: ${label} is ${valid ? 'rejected' : 'accepted'} by ${backend.name}`);
  }
  const scalars = [1n, 2n, L - 1n, 0x0ddba11cafef00d5eedn * 0x1000000000000000000000001n];
  const points = scalars.map((k) => nobleBackend.mulBaseSecret(le32(k)));
  scalars.forEach((k, i) => expectSame(`[${k}]B`, backend.mulBaseSecret(le32(k)), points[i]!));
  const B = points[0]!;
  const ks = [0n, 1n, L - 2n, 12345678901234567890n];
  expectSame('multi-scalar multiplication', backend.multiScalarMulPublic(points, ks), nobleBackend.multiScalarMulPublic(points, ks));
  expectSame('[k]B through the MSM', backend.multiScalarMulPublic([B], [L - 3n]), nobleBackend.multiScalarMulPublic([B], [L - 3n]));
  expectSame('cancelling sum', backend.multiScalarMulPublic([B, B], [1n, L - 1n]), nobleBackend.multiScalarMulPublic([B, B], [1n, L - 1n]));
  expectSame('empty sum', backend.multiScalarMulPublic([], []), nobleBackend.multiScalarMulPublic([], []));
  expectSame('addition', backend.add(points[1]!, points[3]!), nobleBackend.add(points[1]!, points[3]!));
}

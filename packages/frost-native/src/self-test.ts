/**
 * Start-up self-test of a point backend against the noble reference: the same accept/reject
 * decision on crafted edge-case encodings, and the same bytes for base multiplication,
 * multi-scalar multiplication and addition. A backend that fails is not installed.
 */
import { IDENTITY_ENCODING, nobleBackend, type PointBackend } from '@qsign/frost';

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

/**
 * Fixed inputs and noble's answers for them, so the start-up self-test needs no noble
 * arithmetic (noble's first base multiplication builds tables: ~0.5 s on a busy box).
 * The frost-native tests recompute every entry with noble.
 */
export const KNOWN_ANSWERS = {
  /** B = [1]B and G = [0x1234567890abcdef]B. */
  B: '5866666666666666666666666666666666666666666666666666666666666666',
  G: 'c4c1227d7fff941a976049ecefad7b663fa5121d769cbbd79a53d344e4773e98',
  /** B + SMALL_ORDER_POINTS[i] and G + SMALL_ORDER_POINTS[i]. */
  BplusT: ['5866666666666666666666666666666666666666666666666666666666666666', '9599999999999999999999999999999999999999999999999999999999999999', '5252cc0a7f208133b620acbd4537eba2a4123bf0a8c2e4f980c3b31bb69765ea', '9bad33f580df7ecc49df5342bac8145d5bedc40f573d1b067f3c4ce449689a15', 'da99e28ba529cdde35a25fba9059e78ecaee239f99755b9b1aa4f65df00803e2', '55ae61520ca466adcc4ae4a32dc1633a5d749c64a5b50f136fc3469f27e487e6', '98519eadf35b995233b51b5cd23e9cc5a28b639b5a4af0ec903cb960d81b7819', '13661d745ad63221ca5da0456fa618713511dc60668aa464e55b09a20ff7fc1d'],
  GplusT: ['c4c1227d7fff941a976049ecefad7b663fa5121d769cbbd79a53d344e4773e98', '293edd8280006be5689fb61310528499c05aede28963442865ac2cbb1b88c167', 'd08bd0e7082ed1801d49dff2d58f604791cf6d3b19ef77100e9e0d2a3fde87e1', '1d742f18f7d12e7fe2b6200d2a709fb86e3092c4e61088eff161f2d5c021781e', 'd5ef64df63da3bb3d38a00537014257b40d069b39e6c71bf5a2a9d8efbdc22d9', '2b133d50640102f911f063446520b54258e095fe24c0e587ba78ab7a90942a3b', 'c2ecc2af9bfefd06ee0f9cbb9adf4abda71f6a01db3f1a78458754856f6bd5c4', '18109b209c25c44c2c75ffac8febda84bf2f964c61938e40a5d562710423dd26'],
  /** [k]B for k in `scalars`. */
  scalars: [1n, 2n, L - 1n, 0x0ddba11cafef00d5eedn * 0x1000000000000000000000001n],
  kB: ['5866666666666666666666666666666666666666666666666666666666666666', 'c9a3f86aae465f0e56513864510f3997561fa2c9e85ea21dc2292309f3cd6022', '58666666666666666666666666666666666666666666666666666666666666e6', '941fe8babbfbee07b617e103b01a9d3bc6772428167d1fef52b262bcf5b014a8'],
  /** Σ msmScalars[i]·kB[i]; [L-3]B through the MSM; kB[1] + kB[3]. */
  msmScalars: [0n, 1n, L - 2n, 12345678901234567890n],
  msm: '4fc8f65afde1d16868ea4b3ccd2b0f2dd4ecfac6aa6d1c6538bcfdc5df8b511b',
  msmB: 'd4b4f5784868c3020403246717ec169ff79e26608ea126a1ab69ee77d1b16792',
  add: 'be4cd9168dd05c884eca13ce137855ecc6d9f95767aa9739e31fd72e08fa2022',
} as const;

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
  const K = KNOWN_ANSWERS;
  const B = hex(K.B);
  const G = hex(K.G);
  SMALL_ORDER_POINTS.forEach((t, i) => {
    const T = hex(t);
    out.push({ label: `small-order point #${i}`, bytes: T, valid: false });
    const flipped = T.slice();
    flipped[31]! ^= 0x80;
    out.push({ label: `small-order point #${i}, sign bit flipped`, bytes: flipped, valid: false });
    out.push({ label: `B + small-order point #${i}`, bytes: hex(K.BplusT[i]!), valid: i === 0 });
    out.push({ label: `G + small-order point #${i}`, bytes: hex(K.GplusT[i]!), valid: i === 0 });
    extra.forEach((V, j) => out.push({ label: `extra#${j} + small-order point #${i}`, bytes: nobleBackend.add(V, T), valid: i === 0 }));
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
  if (toHex(got) !== toHex(want)) throw new Error(`self-test: ${what} differs from noble's known answer (${toHex(got)} vs ${toHex(want)})`);
}

/**
 * Throws unless `backend` gives RFC 9591 §6.5's answer on every {@link edgeCasePoints} entry
 * (the tests check noble gives the same) and noble's bytes on known-answer computations
 * without falling back (a backend exposing `fallbacks` must report none).
 */
export function selfTest(backend: PointBackend): void {
  for (const { label, bytes, valid } of edgeCasePoints()) {
    if (backend.isValidElement(bytes) !== valid) throw new Error(`self-test: ${label} is ${valid ? 'rejected' : 'accepted'} by ${backend.name}`);
  }
  const K = KNOWN_ANSWERS;
  const points = K.kB.map(hex);
  K.scalars.forEach((k, i) => expectSame(`[${k}]B`, backend.mulBaseSecret(le32(k)), points[i]!));
  expectSame('multi-scalar multiplication', backend.multiScalarMulPublic(points, K.msmScalars), hex(K.msm));
  expectSame('[k]B through the MSM', backend.multiScalarMulPublic([hex(K.B)], [L - 3n]), hex(K.msmB));
  expectSame('cancelling sum', backend.multiScalarMulPublic([hex(K.B), hex(K.B)], [1n, L - 1n]), IDENTITY_ENCODING);
  expectSame('empty sum', backend.multiScalarMulPublic([], []), IDENTITY_ENCODING);
  expectSame('addition', backend.add(points[1]!, points[3]!), hex(K.add));
  const fallbacks = (backend as { fallbacks?: unknown }).fallbacks;
  if (typeof fallbacks === 'number' && fallbacks > 0) throw new Error(`self-test: ${backend.name} refused ${fallbacks} known-answer call(s)`);
}

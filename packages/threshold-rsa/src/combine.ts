/**
 * Combining signature shares (Shoup protocol 1, §2 "Share combining"): with integer
 * Lagrange coefficients λ_{0,j} = Δ·Π j'/(j' − j), w = Π x_j^(2λ_{0,j}) satisfies
 * w^e = x^(e'), e' = 4Δ²; with a·e' + b·e = 1 (Bezout), y = w^a·x^b is x^d mod n — the
 * ordinary RSASSA-PKCS1-v1_5 signature, byte for byte what the undivided key makes.
 */
import { byteLength, egcd, factorial, modInverse, modPowPublic, toBytes } from './bigint.js';
import { check, ThresholdRsaError } from './errors.js';
import { validatePublicKey } from './params.js';
import { type RsaHash } from './pkcs1.js';
import { messageRepresentative, verifyShare } from './share.js';
import type { RsaSignatureShare, ThresholdRsaPublicKey } from './types.js';

/** The result of {@link combine}: the signature and the indices of shares shown to be bad. */
export interface Combined {
  /** k-octet RSASSA-PKCS1-v1_5 signature (verified against the public key). */
  signature: Uint8Array;
  /** Shares proved wrong (safe-prime keys) or excluded by combination (imported keys). */
  excluded: number[];
}

/** Upper bound on subsets tried when blaming by combination. */
export const MAX_COMBINATIONS = 20_000;

/** Δ·Π_{j'∈S∖{j}} j'/(j' − j): an integer because Δ = l! (Shoup §2, Lemma 1). */
export function lagrangeCoefficient(delta: bigint, subset: readonly number[], j: number): bigint {
  let num = delta;
  let den = 1n;
  for (const o of subset) {
    if (o === j) continue;
    num *= BigInt(o);
    den *= BigInt(o - j);
  }
  return num / den;
}

/** y from exactly k shares (public values only), or undefined if it is not the signature. */
function combineSubset(pub: ThresholdRsaPublicKey, x: bigint, subset: readonly RsaSignatureShare[]): bigint | undefined {
  const { n } = pub;
  const delta = factorial(pub.parties);
  const indices = subset.map((s) => s.index);
  // w = num/den: negative exponents go to the denominator, so one inversion serves them all.
  let num = 1n;
  let den = 1n;
  for (const s of subset) {
    const exp = 2n * lagrangeCoefficient(delta, indices, s.index);
    if (exp >= 0n) num = (num * modPowPublic(s.value, exp, n)) % n;
    else den = (den * modPowPublic(s.value, -exp, n)) % n;
  }
  const ePrime = 4n * delta * delta;
  const [g, a, b] = egcd(ePrime, pub.e);
  check(g === 1n, 'INVALID_KEY', 'e is not coprime to 4Δ²');
  // y = w^a · x^b with a·e' + b·e = 1, again as a fraction.
  let yNum = a >= 0n ? modPowPublic(num, a, n) : modPowPublic(den, -a, n);
  let yDen = a >= 0n ? modPowPublic(den, a, n) : modPowPublic(num, -a, n);
  if (b >= 0n) yNum = (yNum * modPowPublic(x, b, n)) % n;
  else yDen = (yDen * modPowPublic(x, -b, n)) % n;
  let y: bigint;
  try {
    y = (yNum * modInverse(yDen, n)) % n;
  } catch {
    return undefined; // a share not invertible mod n: it cannot be a correct share
  }
  return modPowPublic(y, pub.e, n) === x ? y : undefined;
}

function* subsets<T>(items: readonly T[], k: number, start = 0, acc: T[] = []): Generator<T[]> {
  if (acc.length === k) {
    yield [...acc];
    return;
  }
  for (let i = start; i <= items.length - (k - acc.length); i++) {
    acc.push(items[i]!);
    yield* subsets(items, k, i + 1, acc);
    acc.pop();
  }
}

/**
 * Combines signature shares into the RSA signature of `digest` and names the bad ones.
 * Given exactly k shares that verify, that is one combination (the fast path). Given more
 * than k, or k that fail, every share is checked so that every bad one is named: for safe-prime
 * keys every share's proof is checked and the failing ones are excluded; for keys without
 * verification data every k-subset is combined and, when at least 2k − 1 shares were given,
 * a share in no verifying subset is excluded (see the comment below); with fewer, only
 * malformed shares are.
 *
 * @throws ThresholdRsaError NOT_ENOUGH_SHARES (with `culprits` when some were named),
 *   INVALID_PARAMETERS for duplicate or out-of-range indices, INVALID_DIGEST.
 * @example const { signature, excluded } = combine(pub, 'sha256', digest, shares);
 */
export function combine(pub: ThresholdRsaPublicKey, hash: RsaHash, digest: Uint8Array, shares: readonly RsaSignatureShare[]): Combined {
  validatePublicKey(pub);
  check(Array.isArray(shares), 'INVALID_PARAMETERS', 'shares must be an array');
  const x = messageRepresentative(pub, hash, digest);
  const k = byteLength(pub.n);
  const seen = new Set<number>();
  const culprits: number[] = [];
  const usable: RsaSignatureShare[] = [];
  for (const s of shares) {
    check(typeof s === 'object' && s !== null, 'INVALID_PARAMETERS', 'a share must be an object');
    check(Number.isInteger(s.index) && s.index >= 1 && s.index <= pub.parties, 'INVALID_PARAMETERS', `share index ${String(s.index)} is not in 1..${pub.parties}`);
    check(!seen.has(s.index), 'INVALID_PARAMETERS', `two shares for index ${s.index}`);
    seen.add(s.index);
    if (typeof s.value === 'bigint' && s.value > 0n && s.value < pub.n) usable.push(s);
    else culprits.push(s.index);
  }
  const done = (y: bigint, bad: number[]): Combined => ({ signature: toBytes(y, k), excluded: [...bad].sort((a, b) => a - b) });
  const notEnough = (why: string, bad: number[]): ThresholdRsaError =>
    new ThresholdRsaError('NOT_ENOUGH_SHARES', why, bad.length > 0 ? { culprits: [...bad].sort((a, b) => a - b) } : undefined);
  if (usable.length < pub.threshold) throw notEnough(`${usable.length} usable shares; the key needs ${pub.threshold}`, culprits);

  const first = combineSubset(pub, x, usable.slice(0, pub.threshold));
  if (first !== undefined && culprits.length === 0 && usable.length === pub.threshold) return done(first, culprits);

  if (pub.verification !== undefined) {
    // Named directly: a share whose proof fails is bad, whatever else happens.
    const good = usable.filter((s) => (verifyShare(pub, hash, digest, s) ? true : (culprits.push(s.index), false)));
    if (good.length < pub.threshold) throw notEnough(`${good.length} shares with a valid proof; the key needs ${pub.threshold}`, culprits);
    const y = first !== undefined && usable.slice(0, pub.threshold).every((s) => good.includes(s)) ? first : combineSubset(pub, x, good.slice(0, pub.threshold));
    if (y === undefined) throw new ThresholdRsaError('INVALID_KEY', 'shares with valid proofs do not combine to a valid signature: the public key is inconsistent');
    return done(y, culprits);
  }

  // No proofs: every k-subset is combined. An honest share lies in some subset that verifies
  // (with k − 1 other honest ones), so a share in none is bad — but only if at least k of the
  // shares are honest, which ≥ 2k − 1 shares from at most k − 1 faulty parties guarantee.
  // With fewer, two colluding bad shares that cancel inside one subset would make an honest
  // share look bad, so nobody is blamed. Cancelling bad shares still yield the one correct
  // signature (it verifies); they merely escape blame.
  let y: bigint | undefined;
  const cleared = new Set<number>();
  let tried = 0;
  for (const subset of subsets(usable, pub.threshold)) {
    if (++tried > MAX_COMBINATIONS) break;
    const candidate = combineSubset(pub, x, subset);
    if (candidate === undefined) continue;
    y ??= candidate;
    for (const s of subset) cleared.add(s.index);
  }
  if (y === undefined) {
    throw notEnough(`no ${pub.threshold} of the ${usable.length} shares combine to a valid signature; fewer than ${pub.threshold} are correct, and without proofs the bad ones cannot be named`, culprits);
  }
  if (usable.length >= 2 * pub.threshold - 1) for (const s of usable) if (!cleared.has(s.index)) culprits.push(s.index);
  return done(y, culprits);
}

/**
 * Distributed key generation: Pedersen DKG with proofs of knowledge (FROST paper, Fig. 1;
 * RFC 9591 §1 leaves DKG out of scope). Rounds, checks and byte formats follow frost-rs
 * `keys::dkg` and noble `ed25519_FROST.DKG`, so participants of either can be mixed.
 *
 * The caller must deliver round-1 packages by reliable broadcast (every participant sees the
 * same set) and round-2 packages over confidential, authenticated channels.
 */
import { concat, equalBytes } from './bytes.js';
import { assertThreshold, decodeCommitment, evaluateVss, vssCommit } from './dealer.js';
import { FrostError } from './errors.js';
import { HDKG } from './hash.js';
import { assertIdentifier, encodeIdentifier } from './identifier.js';
import { Point, ZERO, decodePoint, encodePoint, mulBase, mulBasePublic } from './point.js';
import { polynomialEvaluate } from './polynomial.js';
import { bytesToNumberLE, decodeScalar, defaultRandomBytes, encodeScalar, mod, randomScalar, L } from './scalar.js';
import type { Identifier, PublicKeyPackage, RandomBytes, SecretSigningShare } from './types.js';

/** DKG round-1 broadcast: VSS commitment to the sender's polynomial and a proof of knowledge of its constant term. */
export interface DkgRound1Package {
  identifier: Identifier;
  /** minSigners points [a_k]B; [0] is the sender's contribution to the group key. */
  commitment: Uint8Array[];
  /** 64-byte Schnorr proof R || μ of knowledge of a_0, bound to the sender's identifier. */
  proofOfKnowledge: Uint8Array;
}

/** DKG round-2 message from `identifier` to `recipient`: f_sender(recipient). Secret: send encrypted. */
export interface DkgRound2Package {
  /** Sender. */
  identifier: Identifier;
  recipient: Identifier;
  /** 32-byte scalar f_sender(recipient). */
  signingShare: Uint8Array;
}

/** Secret state kept by a participant between dkgRound1 and dkgRound2 (consumed by dkgRound2). */
export interface SecretDkgRound1 {
  readonly identifier: Identifier;
  readonly minSigners: number;
  readonly maxSigners: number;
  /** The secret polynomial, constant term first; zeroed by dkgRound2. */
  coefficients: bigint[];
  readonly commitment: Uint8Array[];
  consumed: boolean;
}

/** Secret state kept between dkgRound2 and dkgFinalize (consumed by dkgFinalize). */
export interface SecretDkgRound2 {
  readonly identifier: Identifier;
  readonly minSigners: number;
  readonly maxSigners: number;
  /** f_self(self). */
  ownShare: bigint;
  readonly commitment: Uint8Array[];
  /** The round-1 packages authenticated in dkgRound2 (sorted, own excluded). */
  readonly round1: readonly DkgRound1Package[];
  consumed: boolean;
}

const challenge = (id: Identifier, verifyingKey: Uint8Array, R: Uint8Array): bigint =>
  HDKG(concat(encodeIdentifier(id), verifyingKey, R));

/** Verifies a round-1 package's shape, points and proof of knowledge; names the sender on failure. */
function checkRound1(p: DkgRound1Package, minSigners: number): Point[] {
  if (p === null || typeof p !== 'object') throw new FrostError('INVALID_PARAMETERS', 'round-1 package must be an object');
  assertIdentifier(p.identifier, 'round-1 sender');
  const blame = (code: 'INVALID_COMMITMENT' | 'INVALID_PROOF_OF_KNOWLEDGE', msg: string, cause?: unknown): FrostError =>
    new FrostError(code, `participant ${p.identifier}: ${msg}`, { culprits: [p.identifier], cause });
  if (!Array.isArray(p.commitment) || p.commitment.length !== minSigners) throw blame('INVALID_COMMITMENT', `commitment must have ${minSigners} points`);
  let C: Point[];
  try {
    C = decodeCommitment(p.commitment);
  } catch (e) {
    throw blame('INVALID_COMMITMENT', 'invalid commitment point', e);
  }
  const pok = p.proofOfKnowledge;
  if (!(pok instanceof Uint8Array) || pok.length !== 64) throw blame('INVALID_PROOF_OF_KNOWLEDGE', 'proof must be 64 bytes');
  let R: Point;
  try {
    R = decodePoint(pok.subarray(0, 32), 'proof R');
  } catch (e) {
    throw blame('INVALID_PROOF_OF_KNOWLEDGE', 'invalid proof R', e);
  }
  const mu = bytesToNumberLE(pok.subarray(32));
  if (mu >= L) throw blame('INVALID_PROOF_OF_KNOWLEDGE', 'non-canonical proof scalar');
  const c = challenge(p.identifier, p.commitment[0]!, pok.subarray(0, 32));
  // R == [μ]B − [c]C_0 (all public).
  if (!R.equals(mulBasePublic(mu).subtract(C[0]!.multiplyUnsafe(c)))) throw blame('INVALID_PROOF_OF_KNOWLEDGE', 'proof of knowledge does not verify');
  return C;
}

/** Sorts, de-duplicates against `self` and checks the set of others' round-1 packages. */
function othersRound1(self: Identifier, ownCommitment: readonly Uint8Array[], maxSigners: number, packages: readonly DkgRound1Package[]): DkgRound1Package[] {
  if (!Array.isArray(packages)) throw new FrostError('INVALID_PARAMETERS', 'round-1 packages must be an array');
  for (const p of packages)
    if (p?.identifier === self && !(Array.isArray(p.commitment) && p.commitment.length === ownCommitment.length && p.commitment.every((c: unknown, j: number) => c instanceof Uint8Array && equalBytes(c, ownCommitment[j]!))))
      throw new FrostError('DUPLICATE_IDENTIFIER', `a round-1 package claims this participant's identifier ${self}`);
  const others = packages.filter((p) => p?.identifier !== self);
  if (others.length !== maxSigners - 1)
    throw new FrostError('INVALID_PARAMETERS', `expected ${maxSigners - 1} round-1 packages from the other participants, got ${others.length}`);
  const sorted = [...others].sort((a, b) => a.identifier - b.identifier);
  for (let k = 1; k < sorted.length; k++)
    if (sorted[k]!.identifier === sorted[k - 1]!.identifier)
      throw new FrostError('DUPLICATE_IDENTIFIER', `two round-1 packages from ${sorted[k]!.identifier}`, { culprits: [sorted[k]!.identifier] });
  return sorted;
}

/**
 * DKG part 1 (frost-rs `dkg::part1`): draws a random polynomial of degree minSigners−1,
 * commits to it and proves knowledge of its constant term. Broadcast `package`; keep `secret`.
 */
export function dkgRound1(
  identifier: Identifier,
  minSigners: number,
  maxSigners: number,
  rng: RandomBytes = defaultRandomBytes,
): { package: DkgRound1Package; secret: SecretDkgRound1 } {
  assertIdentifier(identifier);
  assertThreshold(minSigners, maxSigners);
  const coefficients = [randomScalar(rng)];
  for (let j = 1; j < minSigners; j++) coefficients.push(randomScalar(rng));
  const commitment = vssCommit(coefficients);
  const k = randomScalar(rng);
  const R = encodePoint(mulBase(k));
  const mu = mod(k + coefficients[0]! * challenge(identifier, commitment[0]!, R));
  return {
    package: { identifier, commitment: commitment.map((c) => c.slice()), proofOfKnowledge: concat(R, encodeScalar(mu)) },
    secret: { identifier, minSigners, maxSigners, coefficients, commitment, consumed: false },
  };
}

/**
 * DKG part 2 (frost-rs `dkg::part2`): verifies every other participant's round-1 package
 * (shape, points, proof of knowledge — a failure names the sender) and returns one secret
 * round-2 package per other participant. Consumes `secret` (its polynomial is zeroed).
 * `round1Packages` may include this participant's own package.
 */
export function dkgRound2(
  secret: SecretDkgRound1,
  round1Packages: DkgRound1Package[],
): { secret: SecretDkgRound2; packages: DkgRound2Package[] } {
  if (secret === null || typeof secret !== 'object' || secret.consumed || secret.coefficients.length === 0)
    throw new FrostError('INVALID_STATE', 'DKG round-1 secret already used');
  const others = othersRound1(secret.identifier, secret.commitment, secret.maxSigners, round1Packages);
  for (const p of others) checkRound1(p, secret.minSigners);
  const coeffs = secret.coefficients;
  const packages = others.map((p) => ({
    identifier: secret.identifier,
    recipient: p.identifier,
    signingShare: encodeScalar(polynomialEvaluate(BigInt(p.identifier), coeffs)),
  }));
  const ownShare = polynomialEvaluate(BigInt(secret.identifier), coeffs);
  coeffs.fill(0n);
  secret.coefficients = [];
  secret.consumed = true;
  const round1 = others.map((p) => ({ identifier: p.identifier, commitment: p.commitment.map((c) => c.slice()), proofOfKnowledge: p.proofOfKnowledge.slice() }));
  return {
    secret: { identifier: secret.identifier, minSigners: secret.minSigners, maxSigners: secret.maxSigners, ownShare, commitment: secret.commitment, round1, consumed: false },
    packages,
  };
}

/**
 * DKG part 3 (frost-rs `dkg::part3`): checks each received f_j(self) against sender j's
 * commitment (a mismatch names j), sums them into this participant's signing share and
 * derives the group key (Σ_j C_j0), the summed VSS commitment and every verifying share.
 * `round1Packages` must be the same set authenticated in dkgRound2. Consumes `secret`.
 */
export function dkgFinalize(
  secret: SecretDkgRound2,
  round1Packages: DkgRound1Package[],
  round2Packages: DkgRound2Package[],
): { share: SecretSigningShare; publicKeyPackage: PublicKeyPackage } {
  if (secret === null || typeof secret !== 'object' || secret.consumed) throw new FrostError('INVALID_STATE', 'DKG round-2 secret already used');
  const self = secret.identifier;
  const others = othersRound1(self, secret.commitment, secret.maxSigners, round1Packages);
  const same =
    others.length === secret.round1.length &&
    others.every((p, k) => {
      const q = secret.round1[k]!;
      return p.identifier === q.identifier && equalBytes(p.proofOfKnowledge, q.proofOfKnowledge) && p.commitment.length === q.commitment.length && p.commitment.every((c, j) => equalBytes(c, q.commitment[j]!));
    });
  if (!same) throw new FrostError('INVALID_PARAMETERS', 'round-1 packages differ from those authenticated in dkgRound2');
  if (!Array.isArray(round2Packages)) throw new FrostError('INVALID_PARAMETERS', 'round-2 packages must be an array');
  const received = new Map<Identifier, Uint8Array>();
  for (const p of round2Packages) {
    if (p === null || typeof p !== 'object') throw new FrostError('INVALID_PARAMETERS', 'round-2 package must be an object');
    assertIdentifier(p.identifier, 'round-2 sender');
    if (p.recipient !== undefined && p.recipient !== self)
      throw new FrostError('INVALID_PARAMETERS', `round-2 package from ${p.identifier} is addressed to ${p.recipient}`);
    if (received.has(p.identifier)) throw new FrostError('DUPLICATE_IDENTIFIER', `two round-2 packages from ${p.identifier}`, { culprits: [p.identifier] });
    received.set(p.identifier, p.signingShare);
  }
  const missing = others.filter((p) => !received.has(p.identifier)).map((p) => p.identifier);
  if (missing.length > 0 || received.size !== others.length)
    throw new FrostError('INVALID_PARAMETERS', `round-2 packages do not match the participants (missing ${missing.join(', ') || 'none'})`);

  const x = BigInt(self);
  const culprits: Identifier[] = [];
  let share = secret.ownShare;
  const all: Point[][] = [decodeCommitment(secret.commitment)];
  for (const p of others) {
    const C = decodeCommitment(p.commitment);
    all.push(C);
    let f: bigint;
    try {
      f = decodeScalar(received.get(p.identifier)!, 'round-2 share');
    } catch {
      culprits.push(p.identifier);
      continue;
    }
    if (!mulBase(f).equals(evaluateVss(x, C))) culprits.push(p.identifier);
    else share = mod(share + f);
  }
  if (culprits.length > 0)
    throw new FrostError('INVALID_SHARE', `round-2 share from ${culprits.join(', ')} does not match the sender's commitment`, { culprits });
  if (share === 0n) throw new FrostError('INVALID_SHARE', 'resulting signing share is zero');
  const merged: Point[] = [];
  for (let k = 0; k < secret.minSigners; k++) merged.push(all.reduce((acc, C) => acc.add(C[k]!), ZERO));
  const vssCommitment = merged.map(encodePoint);
  const verifyingShares = new Map<Identifier, Uint8Array>();
  for (const id of [self, ...others.map((p) => p.identifier)].sort((a, b) => a - b))
    verifyingShares.set(id, encodePoint(evaluateVss(BigInt(id), merged)));
  secret.ownShare = 0n;
  secret.consumed = true;
  return {
    share: { identifier: self, share: encodeScalar(share) },
    publicKeyPackage: {
      minSigners: secret.minSigners,
      maxSigners: secret.maxSigners,
      groupPublicKey: vssCommitment[0]!.slice(),
      verifyingShares,
      vssCommitment,
    },
  };
}

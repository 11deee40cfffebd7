/**
 * Resharing without reconstructing the group secret (proactive redistribution, Herzberg et al.;
 * Desmedt–Jajodia): changes the threshold and/or the participant set, keeps the group key.
 *
 * Dealers are a set S of old participants (at least the old threshold). Dealer i shares
 * λ_i·s_i (λ_i its Lagrange coefficient over S, RFC 9591 §4.2) with a fresh polynomial of
 * degree newMinSigners−1 and commits to it; the commitment's constant term must equal
 * [λ_i]PK_i, which every receiver checks against the old verifying shares. New participant j
 * sums its sub-shares: s'_j = Σ_i g_i(j), and Σ_i g_i(0) = Σ_i λ_i s_i = s.
 *
 * Commitments go by reliable broadcast to all new participants; sub-shares over confidential,
 * authenticated channels.
 */
import { equalBytes } from './bytes.js';
import { decodeCommitment, evaluateVss, shardSecret, vssCommit } from './dealer.js';
import { FrostError } from './errors.js';
import { assertIdentifier, MAX_IDENTIFIER } from './identifier.js';
import { type Point, ZERO, decodePoint, encodePoint, mulBase } from './point.js';
import { deriveInterpolatingValue } from './polynomial.js';
import { decodeScalar, defaultRandomBytes, encodeScalar, mod } from './scalar.js';
import type { Identifier, PublicKeyPackage, RandomBytes, SecretSigningShare } from './types.js';

/** What every dealer and receiver of one reshare must agree on. */
export interface ReshareParams {
  /** The current key's public package (old threshold, old verifying shares, group key). */
  oldPublicKeyPackage: PublicKeyPackage;
  /** Old participants acting as dealers, sorted, at least oldPublicKeyPackage.minSigners of them. */
  dealers: Identifier[];
  /** New threshold. */
  newMinSigners: number;
  /** New participant identifiers, sorted; may overlap the old ones. */
  newIdentifiers: Identifier[];
}

/** A dealer's broadcast: commitment to g_i, whose constant term is [λ_i]PK_i. */
export interface ReshareCommitment {
  dealer: Identifier;
  /** newMinSigners points. */
  commitment: Uint8Array[];
}

/** A dealer's secret message to one new participant: g_dealer(recipient). */
export interface ReshareSubShare {
  dealer: Identifier;
  recipient: Identifier;
  /** 32-byte scalar. */
  subShare: Uint8Array;
}

function assertSortedIds(ids: unknown, what: string): asserts ids is Identifier[] {
  if (!Array.isArray(ids) || ids.length === 0) throw new FrostError('INVALID_PARAMETERS', `${what} must be a non-empty array`);
  let prev = 0;
  for (const id of ids) {
    assertIdentifier(id, what);
    if (id === prev) throw new FrostError('DUPLICATE_IDENTIFIER', `${what}: ${id} twice`);
    if (id < prev) throw new FrostError('INVALID_PARAMETERS', `${what} must be sorted`);
    prev = id;
  }
}

/** Validates reshare parameters (thresholds, sets, old package membership). */
export function assertReshareParams(params: ReshareParams): void {
  if (params === null || typeof params !== 'object') throw new FrostError('INVALID_PARAMETERS', 'reshare params must be an object');
  const old = params.oldPublicKeyPackage;
  if (old === null || typeof old !== 'object' || !(old.verifyingShares instanceof Map))
    throw new FrostError('INVALID_PARAMETERS', 'oldPublicKeyPackage must be a public key package');
  assertSortedIds(params.dealers, 'dealers');
  assertSortedIds(params.newIdentifiers, 'newIdentifiers');
  if (params.dealers.length < old.minSigners)
    throw new FrostError('INVALID_PARAMETERS', `need at least ${old.minSigners} dealers, got ${params.dealers.length}`);
  for (const d of params.dealers)
    if (!old.verifyingShares.has(d)) throw new FrostError('INVALID_PARAMETERS', `dealer ${d} is not a participant of the old key`);
  const n = params.newIdentifiers.length;
  if (!Number.isInteger(params.newMinSigners) || params.newMinSigners < 2 || params.newMinSigners > n || n > MAX_IDENTIFIER)
    throw new FrostError('INVALID_PARAMETERS', `need 2 <= newMinSigners <= ${n}, got ${params.newMinSigners}`);
}

const lagrange = (params: ReshareParams, dealer: Identifier): bigint =>
  deriveInterpolatingValue(params.dealers.map(BigInt), BigInt(dealer));

/**
 * Dealer step: shares λ_i·s_i to the new participants. Checks the dealer's own share against
 * its old verifying share first. Broadcast `commitment`; send each sub-share to its recipient.
 */
export function reshareDeal(
  share: SecretSigningShare,
  params: ReshareParams,
  rng: RandomBytes = defaultRandomBytes,
): { commitment: ReshareCommitment; subShares: ReshareSubShare[] } {
  assertReshareParams(params);
  assertIdentifier(share.identifier, 'share identifier');
  if (!params.dealers.includes(share.identifier)) throw new FrostError('INVALID_PARAMETERS', `${share.identifier} is not among the dealers`);
  const s = decodeScalar(share.share, 'signing share', true);
  const vs = params.oldPublicKeyPackage.verifyingShares.get(share.identifier)!;
  if (!equalBytes(mulBase(s).toBytes(), vs)) throw new FrostError('INVALID_SHARE', 'signing share does not match its verifying share');
  const secret = mod(lagrange(params, share.identifier) * s);
  const { coefficients, shares } = shardSecret(secret, params.newMinSigners, params.newIdentifiers, rng);
  const commitment = vssCommit(coefficients);
  coefficients.fill(0n);
  return {
    commitment: { dealer: share.identifier, commitment },
    subShares: params.newIdentifiers.map((j, k) => ({ dealer: share.identifier, recipient: j, subShare: encodeScalar(shares[k]!) })),
  };
}

/**
 * Checks every dealer's commitment (length, points, constant term = [λ_i]PK_i, sum = group
 * key) and returns the new VSS commitment (their sum). A bad commitment names its dealer.
 */
export function reshareVerifyCommitments(params: ReshareParams, commitments: ReshareCommitment[]): Uint8Array[] {
  return verifyCommitments(params, commitments).map(encodePoint);
}

function verifyCommitments(params: ReshareParams, commitments: ReshareCommitment[]): Point[] {
  assertReshareParams(params);
  if (!Array.isArray(commitments)) throw new FrostError('INVALID_PARAMETERS', 'commitments must be an array');
  const byDealer = new Map<Identifier, ReshareCommitment>();
  for (const c of commitments) {
    assertIdentifier(c?.dealer, 'commitment dealer');
    if (byDealer.has(c.dealer)) throw new FrostError('DUPLICATE_IDENTIFIER', `two commitments from ${c.dealer}`, { culprits: [c.dealer] });
    if (!params.dealers.includes(c.dealer)) throw new FrostError('INVALID_PARAMETERS', `commitment from non-dealer ${c.dealer}`);
    byDealer.set(c.dealer, c);
  }
  const missing = params.dealers.filter((d) => !byDealer.has(d));
  if (missing.length > 0) throw new FrostError('INVALID_PARAMETERS', `no commitment from ${missing.join(', ')}`);
  const merged: Point[] = Array.from({ length: params.newMinSigners }, () => ZERO);
  const culprits: Identifier[] = [];
  for (const d of params.dealers) {
    const c = byDealer.get(d)!;
    let C: Point[];
    try {
      if (!Array.isArray(c.commitment) || c.commitment.length !== params.newMinSigners) throw new FrostError('INVALID_COMMITMENT', 'wrong length');
      C = decodeCommitment(c.commitment);
    } catch {
      culprits.push(d);
      continue;
    }
    const PK = decodePoint(params.oldPublicKeyPackage.verifyingShares.get(d)!, `old verifying share of ${d}`);
    if (!C[0]!.equals(PK.multiplyUnsafe(lagrange(params, d)))) {
      culprits.push(d);
      continue;
    }
    C.forEach((P, k) => (merged[k] = merged[k]!.add(P)));
  }
  if (culprits.length > 0)
    throw new FrostError('INVALID_COMMITMENT', `reshare commitment of ${culprits.join(', ')} is malformed or not bound to λ_i·PK_i`, { culprits });
  if (!equalBytes(encodePoint(merged[0]!), params.oldPublicKeyPackage.groupPublicKey))
    throw new FrostError('INVALID_COMMITMENT', 'reshare commitments do not add up to the group key');
  return merged;
}

/**
 * Receiver step for new participant `recipient`: verifies the dealers' commitments and its
 * sub-shares (a bad one names the dealer), sums them into its new signing share and builds the
 * new public key package — same group key, new threshold, new verifying shares and VSS commitment.
 */
export function reshareReceive(
  recipient: Identifier,
  params: ReshareParams,
  commitments: ReshareCommitment[],
  subShares: ReshareSubShare[],
): { share: SecretSigningShare; publicKeyPackage: PublicKeyPackage } {
  assertIdentifier(recipient, 'recipient');
  assertReshareParams(params);
  if (!params.newIdentifiers.includes(recipient)) throw new FrostError('INVALID_PARAMETERS', `${recipient} is not a new participant`);
  const merged = verifyCommitments(params, commitments);
  if (!Array.isArray(subShares)) throw new FrostError('INVALID_PARAMETERS', 'subShares must be an array');
  const got = new Map<Identifier, Uint8Array>();
  for (const s of subShares) {
    assertIdentifier(s?.dealer, 'sub-share dealer');
    if (s.recipient !== recipient) throw new FrostError('INVALID_PARAMETERS', `sub-share from ${s.dealer} is addressed to ${s.recipient}`);
    if (got.has(s.dealer)) throw new FrostError('DUPLICATE_IDENTIFIER', `two sub-shares from ${s.dealer}`, { culprits: [s.dealer] });
    if (!params.dealers.includes(s.dealer)) throw new FrostError('INVALID_PARAMETERS', `sub-share from non-dealer ${s.dealer}`);
    got.set(s.dealer, s.subShare);
  }
  const missing = params.dealers.filter((d) => !got.has(d));
  if (missing.length > 0) throw new FrostError('INVALID_PARAMETERS', `no sub-share from ${missing.join(', ')}`);
  const byDealer = new Map(commitments.map((c) => [c.dealer, c]));
  const x = BigInt(recipient);
  const culprits: Identifier[] = [];
  let share = 0n;
  for (const d of params.dealers) {
    let g: bigint;
    try {
      g = decodeScalar(got.get(d)!, 'sub-share');
    } catch {
      culprits.push(d);
      continue;
    }
    if (!mulBase(g).equals(evaluateVss(x, decodeCommitment(byDealer.get(d)!.commitment)))) culprits.push(d);
    else share = mod(share + g);
  }
  if (culprits.length > 0)
    throw new FrostError('INVALID_SHARE', `sub-share from ${culprits.join(', ')} does not match the dealer's commitment`, { culprits });
  if (share === 0n) throw new FrostError('INVALID_SHARE', 'resulting signing share is zero');
  const vssCommitment = merged.map(encodePoint);
  const verifyingShares = new Map<Identifier, Uint8Array>();
  for (const j of params.newIdentifiers) verifyingShares.set(j, encodePoint(evaluateVss(BigInt(j), merged)));
  return {
    share: { identifier: recipient, share: encodeScalar(share) },
    publicKeyPackage: {
      minSigners: params.newMinSigners,
      maxSigners: params.newIdentifiers.length,
      groupPublicKey: vssCommitment[0]!.slice(),
      verifyingShares,
      vssCommitment,
    },
  };
}

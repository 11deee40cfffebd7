/**
 * The public per-signature computations shared by signers, coordinators and verifiers:
 * commitment-list encoding (RFC 9591 §4.3), binding factors (§4.4), group commitment (§4.5)
 * and challenge (§4.6).
 */
import { concat, toHex } from './bytes.js';
import { FrostError } from './errors.js';
import { H1, H2, H4, H5 } from './hash.js';
import { assertIdentifier, encodeIdentifier } from './identifier.js';
import { isIdentityEncoding, linearCombination, trustElement, validateElement } from './point.js';
import { encodeScalar } from './scalar.js';
import type { Identifier, SigningCommitments } from './types.js';

/**
 * Structural checks on a commitment list (RFC 9591 §4.3, §5.2): an array of at least one
 * entry, identifiers valid, strictly ascending (sorted, no duplicates), 32-byte commitments.
 * Points are decoded separately (see {@link prepareSigning}).
 */
export function assertCommitmentList(list: readonly SigningCommitments[]): void {
  if (!Array.isArray(list) || list.length === 0)
    throw new FrostError('INVALID_PARAMETERS', 'commitment list must be a non-empty array');
  let prev = 0;
  for (const c of list) {
    if (c === null || typeof c !== 'object') throw new FrostError('INVALID_PARAMETERS', 'commitment entry must be an object');
    assertIdentifier(c.identifier, 'commitment identifier');
    if (c.identifier === prev)
      throw new FrostError('DUPLICATE_IDENTIFIER', `commitment list has identifier ${c.identifier} twice`, { culprits: [c.identifier] });
    if (c.identifier < prev)
      throw new FrostError('UNSORTED_COMMITMENTS', 'commitment list must be sorted by identifier (RFC 9591 §4.3)');
    if (!(c.hiding instanceof Uint8Array) || c.hiding.length !== 32 || !(c.binding instanceof Uint8Array) || c.binding.length !== 32)
      throw new FrostError('INVALID_POINT', `commitment of ${c.identifier}: expected two 32-byte points`, { culprits: [c.identifier] });
    prev = c.identifier;
  }
}

/**
 * RFC 9591 §3.1/§6.5 checks of one participant's round-one commitments: a valid identifier and
 * two canonical, non-identity, prime-order points. A coordinator calls this when a node uploads
 * commitments, so a bad one is blamed on its uploader (`culprits`) before any signing session;
 * the validated decodes are also cached (bounded), which takes them off the signing hot path.
 */
export function validateSigningCommitments(commitments: SigningCommitments): void {
  assertCommitmentList([commitments]);
  try {
    validateElement(commitments.hiding, `hiding commitment of ${commitments.identifier}`);
    validateElement(commitments.binding, `binding commitment of ${commitments.identifier}`);
  } catch (e) {
    if (e instanceof FrostError) throw new FrostError(e.code, e.message, { culprits: [commitments.identifier], cause: e });
    throw e;
  }
}

/** Returns `list` sorted by identifier (a copy), for coordinators assembling a list (RFC 9591 §4.3). */
export function sortCommitments(list: readonly SigningCommitments[]): SigningCommitments[] {
  return [...list].sort((a, b) => a.identifier - b.identifier);
}

/** RFC 9591 §4.3 encode_group_commitment_list: SerializeScalar(id) || hiding || binding, in list order. */
export function encodeGroupCommitmentList(list: readonly SigningCommitments[]): Uint8Array {
  assertCommitmentList(list);
  const out = new Uint8Array(96 * list.length);
  list.forEach((c, i) => {
    out.set(encodeIdentifier(c.identifier), 96 * i);
    out.set(c.hiding, 96 * i + 32);
    out.set(c.binding, 96 * i + 64);
  });
  return out;
}

/** Everything public about one signing session: binding factors, group commitment, challenge. */
export interface SigningContext {
  /** Identifiers in list order. */
  readonly identifiers: readonly Identifier[];
  /** Binding factor ρ_i per identifier (RFC 9591 §4.4). */
  readonly bindingFactors: ReadonlyMap<Identifier, bigint>;
  /** Validated commitment encodings per identifier. */
  readonly commitments: ReadonlyMap<Identifier, { hiding: Uint8Array; binding: Uint8Array }>;
  /** SerializeElement(R) of the group commitment R (RFC 9591 §4.5). */
  readonly groupCommitmentBytes: Uint8Array;
  /** Challenge c = H2(R || PK || msg) (RFC 9591 §4.6). */
  readonly challenge: bigint;
}

// Memo of recent contexts keyed by the rho input prefix (PK || H4(msg) || H5(list)), which is a
// collision-resistant digest of every input: a coordinator's aggregate() and its verifyShare()
// calls for the same session compute the group commitment once.
const MEMO_MAX = 64;
const memo = new Map<string, SigningContext>();

/** Drops memoized signing contexts (for benchmarks that want cold figures). */
export function clearSigningCache(): void {
  memo.clear();
}

/**
 * Computes the {@link SigningContext} of RFC 9591 §4.4–4.6 (validating the group key and every
 * commitment). `knownIdentifier` names one entry the caller has already checked equals
 * ([d]B, [e]B) of its own nonces (a signer's own commitment), which is then trusted.
 * @internal
 */
export function prepareSigning(
  groupPublicKey: Uint8Array,
  list: readonly SigningCommitments[],
  msg: Uint8Array,
  knownIdentifier?: Identifier,
): SigningContext {
  assertCommitmentList(list);
  if (!(msg instanceof Uint8Array)) throw new FrostError('INVALID_PARAMETERS', 'message must be a Uint8Array');
  validateElement(groupPublicKey, 'group public key');
  const encodedList = encodeGroupCommitmentList(list);
  const rhoPrefix = concat(groupPublicKey, H4(msg), H5(encodedList));
  const key = toHex(rhoPrefix);
  const hit = memo.get(key);
  if (hit !== undefined) return hit;

  const commitments = new Map<Identifier, { hiding: Uint8Array; binding: Uint8Array }>();
  for (const c of list) {
    try {
      if (c.identifier === knownIdentifier) {
        trustElement(c.hiding);
        trustElement(c.binding);
      } else {
        validateElement(c.hiding, `hiding commitment of ${c.identifier}`);
        validateElement(c.binding, `binding commitment of ${c.identifier}`);
      }
    } catch (e) {
      if (e instanceof FrostError) throw new FrostError(e.code, e.message, { culprits: [c.identifier], cause: e });
      throw e;
    }
    // Copies (Uint8Array.from, not slice(): Buffer.slice() is a view, and callers pass Buffers).
    commitments.set(c.identifier, { hiding: Uint8Array.from(c.hiding), binding: Uint8Array.from(c.binding) });
  }
  // RFC 9591 §4.4 compute_binding_factors.
  const bindingFactors = new Map<Identifier, bigint>();
  for (const c of list) bindingFactors.set(c.identifier, H1(concat(rhoPrefix, encodeIdentifier(c.identifier))));
  // RFC 9591 §4.5 compute_group_commitment: Σ D_i + [ρ_i]E_i. Binding factors are public, so
  // the whole sum is one variable-time multi-scalar multiplication on the point backend.
  const points: Uint8Array[] = [];
  const scalars: bigint[] = [];
  for (const c of commitments.values()) points.push(c.hiding), scalars.push(1n);
  for (const [id, c] of commitments) points.push(c.binding), scalars.push(bindingFactors.get(id)!);
  const groupCommitmentBytes = linearCombination(points, scalars);
  if (isIdentityEncoding(groupCommitmentBytes)) throw new FrostError('IDENTITY_POINT', 'cannot serialize the identity element');
  // RFC 9591 §4.6 compute_challenge.
  const challenge = H2(concat(groupCommitmentBytes, groupPublicKey, msg));
  const ctx: SigningContext = {
    identifiers: list.map((c) => c.identifier),
    bindingFactors,
    commitments,
    groupCommitmentBytes,
    challenge,
  };
  if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value as string);
  memo.set(key, ctx);
  return ctx;
}

/**
 * RFC 9591 §4.4 compute_binding_factors: each signer's 32-byte binding factor.
 * The commitment list must be sorted by identifier.
 */
export function computeBindingFactors(
  groupPublicKey: Uint8Array,
  commitmentList: SigningCommitments[],
  msg: Uint8Array,
): Map<Identifier, Uint8Array> {
  const ctx = prepareSigning(groupPublicKey, commitmentList, msg);
  return new Map([...ctx.bindingFactors].map(([id, rho]) => [id, encodeScalar(rho)]));
}

/**
 * RFC 9591 §4.5 compute_group_commitment: the 32-byte R of the final signature.
 *
 * A coordinator can aggregate optimistically: `aggregate()` without a public key package
 * (R from here, z = Σ z_i), one `verifySignature()`, and only on failure `verifyShare()`
 * for each share to find the culprit — or simply pass the package to `aggregate()`,
 * which does exactly that.
 */
export function groupCommitment(groupPublicKey: Uint8Array, commitmentList: SigningCommitments[], msg: Uint8Array): Uint8Array {
  return Uint8Array.from(prepareSigning(groupPublicKey, commitmentList, msg).groupCommitmentBytes);
}

/** RFC 9591 §4.6 compute_challenge: H2(R || PK || msg) as a 32-byte scalar. */
export function computeChallenge(groupCommitmentBytes: Uint8Array, groupPublicKey: Uint8Array, msg: Uint8Array): Uint8Array {
  validateElement(groupCommitmentBytes, 'group commitment');
  validateElement(groupPublicKey, 'group public key');
  return encodeScalar(H2(concat(groupCommitmentBytes, groupPublicKey, msg)));
}

/** JSON-able encodings of public FROST data (hex fields), validated on the way in. */
import { equalBytes, fromHex, toHex } from './bytes.js';
import { assertThreshold, decodeCommitment, evaluateVss } from './dealer.js';
import { FrostError } from './errors.js';
import { assertIdentifier } from './identifier.js';
import { decodePoint } from './point.js';
import type { Identifier, PublicKeyPackage } from './types.js';

/** A {@link PublicKeyPackage} as plain JSON: points as lower-case hex, verifying shares keyed by decimal identifier. */
export interface PublicKeyPackageJSON {
  minSigners: number;
  maxSigners: number;
  groupPublicKey: string;
  verifyingShares: Record<string, string>;
  vssCommitment: string[];
}

/** Encodes a public key package (RFC 9591 §6.5 element encodings) as a JSON-able object. */
export function encodePublicKeyPackage(pkp: PublicKeyPackage): PublicKeyPackageJSON {
  const verifyingShares: Record<string, string> = {};
  for (const id of [...pkp.verifyingShares.keys()].sort((a, b) => a - b)) verifyingShares[String(id)] = toHex(pkp.verifyingShares.get(id)!);
  return {
    minSigners: pkp.minSigners,
    maxSigners: pkp.maxSigners,
    groupPublicKey: toHex(pkp.groupPublicKey),
    verifyingShares,
    vssCommitment: pkp.vssCommitment.map(toHex),
  };
}

/**
 * Checks a public key package: thresholds, one valid verifying share per participant
 * (maxSigners of them), every point canonical, non-identity and of prime order
 * (RFC 9591 §6.5), and — when a VSS commitment is present — that it has minSigners points,
 * starts with the group key and yields every verifying share (App. C.2 derive_group_info).
 */
export function validatePublicKeyPackage(pkp: PublicKeyPackage): void {
  if (pkp === null || typeof pkp !== 'object') throw new FrostError('INVALID_PARAMETERS', 'public key package must be an object');
  assertThreshold(pkp.minSigners, pkp.maxSigners);
  decodePoint(pkp.groupPublicKey, 'group public key');
  if (!(pkp.verifyingShares instanceof Map) || pkp.verifyingShares.size !== pkp.maxSigners)
    throw new FrostError('INVALID_PARAMETERS', `expected ${pkp.maxSigners} verifying shares`);
  const points = new Map<Identifier, ReturnType<typeof decodePoint>>();
  for (const [id, vs] of pkp.verifyingShares) {
    assertIdentifier(id, 'verifying share identifier');
    points.set(id, decodePoint(vs, `verifying share of ${id}`));
  }
  if (!Array.isArray(pkp.vssCommitment)) throw new FrostError('INVALID_PARAMETERS', 'vssCommitment must be an array');
  if (pkp.vssCommitment.length === 0) return;
  if (pkp.vssCommitment.length !== pkp.minSigners)
    throw new FrostError('INVALID_COMMITMENT', `VSS commitment must have ${pkp.minSigners} points`);
  const C = decodeCommitment(pkp.vssCommitment);
  if (!equalBytes(pkp.vssCommitment[0]!, pkp.groupPublicKey))
    throw new FrostError('INVALID_COMMITMENT', 'VSS commitment does not start with the group public key');
  for (const [id, P] of points)
    if (!evaluateVss(BigInt(id), C).equals(P))
      throw new FrostError('INVALID_COMMITMENT', `verifying share of ${id} does not match the VSS commitment`);
}

/** Decodes and fully validates (see {@link validatePublicKeyPackage}) a {@link PublicKeyPackageJSON}. */
export function decodePublicKeyPackage(json: unknown): PublicKeyPackage {
  if (json === null || typeof json !== 'object') throw new FrostError('INVALID_ENCODING', 'public key package must be an object');
  const o = json as Record<string, unknown>;
  const vsIn = o['verifyingShares'];
  const vssIn = o['vssCommitment'];
  if (vsIn === null || typeof vsIn !== 'object' || Array.isArray(vsIn)) throw new FrostError('INVALID_ENCODING', 'verifyingShares must be an object');
  if (!Array.isArray(vssIn)) throw new FrostError('INVALID_ENCODING', 'vssCommitment must be an array');
  const verifyingShares = new Map<Identifier, Uint8Array>();
  for (const [k, v] of Object.entries(vsIn as Record<string, unknown>)) {
    if (!/^[1-9][0-9]{0,4}$/.test(k)) throw new FrostError('INVALID_ENCODING', `bad identifier key ${JSON.stringify(k)}`);
    verifyingShares.set(Number(k), fromHex(v, 32, `verifying share ${k}`));
  }
  const pkp: PublicKeyPackage = {
    minSigners: o['minSigners'] as number,
    maxSigners: o['maxSigners'] as number,
    groupPublicKey: fromHex(o['groupPublicKey'], 32, 'groupPublicKey'),
    verifyingShares,
    vssCommitment: vssIn.map((c, j) => fromHex(c, 32, `vssCommitment[${j}]`)),
  };
  validatePublicKeyPackage(pkp);
  return pkp;
}

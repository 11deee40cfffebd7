/**
 * A reshare plan: which old holders deal, which nodes receive (with their
 * enrollment keys), the new threshold. An officer's key signs it; every node
 * checks that signature and the signer's role itself, and that every dealer
 * and new holder is a pinned peer, so the coordinator that relays the
 * reshare cannot redirect shares to keys of its choosing.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { decodePublicKeyPackage, type PublicKeyPackageJSON } from '@qsign/frost';
import { QsignError, errorMessage } from './errors.js';
import { isValidKeyName, newRequestId } from './request.js';
import { openLifecycle, signLifecycle, type SignedLifecycle } from './lifecycle-request.js';

/** Format tag of reshare plans. */
export const RESHARE_PLAN_FORMAT = 'qsign-reshare-plan/v1';

/** Domain separation prefix of the client signature over a plan. */
export const RESHARE_PLAN_CONTEXT = utf8ToBytes('qsign/v1/reshare-plan\n');

/** A reshare plan (JSON). */
export interface ResharePlan {
  format: typeof RESHARE_PLAN_FORMAT;
  planId: string;
  keyName: string;
  /** Hex group public key: must be unchanged by the reshare. */
  groupPublicKey: string;
  /** The key's current public package (old threshold, verifying shares, VSS commitment); holders check it against their own. */
  oldPackage: PublicKeyPackageJSON;
  /** Old identifiers that deal, sorted; at least the old threshold. */
  dealers: number[];
  newThreshold: number;
  /** New holders, sorted by id. */
  newNodes: Array<{ id: number; enrollmentKey: string }>;
  /** Enrollment keys of the dealers (so receivers can authenticate their sub-shares). */
  dealerKeys: Array<{ id: number; enrollmentKey: string }>;
  /** Key metadata the new holders keep. */
  userId: string;
  createdUnixSeconds: number;
  createdAtMs: number;
}

/** A plan with the signer's (an officer's) public key and signature. */
export type SignedResharePlan = SignedLifecycle;

/** Builds a plan with a fresh id and the current time. */
export function newResharePlan(p: Omit<ResharePlan, 'format' | 'planId' | 'createdAtMs'>): ResharePlan {
  const plan: ResharePlan = { format: RESHARE_PLAN_FORMAT, planId: newRequestId(), createdAtMs: Date.now(), ...p };
  validateResharePlan(plan);
  return plan;
}

/** Signs a plan with an officer's Ed25519 secret key. */
export function signResharePlan(plan: ResharePlan, officerSecretKey: Uint8Array): SignedResharePlan {
  return signLifecycle(RESHARE_PLAN_CONTEXT, plan, officerSecretKey);
}

/** Verifies the signature and shape of a signed plan; returns the plan. */
export function openResharePlan(s: SignedResharePlan): ResharePlan {
  const plan = openLifecycle(RESHARE_PLAN_CONTEXT, s, 'reshare plan') as ResharePlan;
  validateResharePlan(plan);
  return plan;
}

/** Checks a plan's fields; errors say what is wrong. */
export function validateResharePlan(p: ResharePlan): void {
  const bad = (why: string): never => {
    throw new QsignError('INVALID_ARGUMENT', `reshare plan: ${why}`);
  };
  if (p?.format !== RESHARE_PLAN_FORMAT) bad(`format must be ${RESHARE_PLAN_FORMAT}`);
  if (!isValidKeyName(p.keyName)) bad('keyName is not a valid key name');
  if (typeof p.groupPublicKey !== 'string' || !/^[0-9a-f]{64}$/.test(p.groupPublicKey)) bad('groupPublicKey must be 32 bytes hex');
  const ids = (v: unknown, what: string) => {
    if (!Array.isArray(v) || v.length === 0) bad(`${what} must be a non-empty list`);
    (v as unknown[]).forEach((x, i, a) => {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 1 || x > 0xffff) bad(`${what} must be node ids 1..65535`);
      if (i > 0 && (x as number) <= (a[i - 1] as number)) bad(`${what} must be sorted with no duplicates (node ${x})`);
    });
  };
  ids(p.dealers, 'dealers');
  try {
    if (decodePublicKeyPackage(p.oldPackage).groupPublicKey.some((b, i) => b !== parseInt(p.groupPublicKey.slice(2 * i, 2 * i + 2), 16))) bad('oldPackage has a different group key');
  } catch (e) {
    bad(`oldPackage: ${errorMessage(e)}`);
  }
  const keyList = (v: unknown, what: string) => {
    if (!Array.isArray(v)) bad(`${what} must be a list of {id, enrollmentKey}`);
    for (const n of v as Array<Record<string, unknown>>)
      if (typeof n?.enrollmentKey !== 'string' || !/^[0-9a-f]{64}$/.test(n.enrollmentKey)) bad(`${what}: node ${String(n?.id)} needs a 32-byte hex enrollment key`);
    ids((v as Array<{ id: number }>).map((n) => n.id), what);
  };
  keyList(p.newNodes, 'newNodes');
  keyList(p.dealerKeys, 'dealerKeys');
  if (p.dealerKeys.map((d) => d.id).join(',') !== p.dealers.join(',')) bad('dealerKeys must list exactly the dealers');
  if (!Number.isInteger(p.newThreshold) || p.newThreshold < 2) bad(`new threshold must be at least 2, got ${p.newThreshold}`);
  if (p.newThreshold > p.newNodes.length) bad(`new threshold ${p.newThreshold} is greater than the ${p.newNodes.length} new nodes`);
  if (typeof p.userId !== 'string' || !Number.isSafeInteger(p.createdUnixSeconds) || !Number.isSafeInteger(p.createdAtMs) || typeof p.planId !== 'string' || !p.planId) bad('userId, createdUnixSeconds, createdAtMs and planId are required');
  if (!/^[0-9a-f]{32}$/.test(p.planId)) bad('planId must be 16 bytes hex');
}

/**
 * Building a reshare plan from what the cluster says of a key (its KeyInfo):
 * the old public package, the dealers and the new holders with their
 * enrollment keys (docs/key-lifecycle.md §6). The officer signs the result.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { newResharePlan, type ResharePlan } from '@qsign/protocol';

/** The parts of a key's KeyInfo a plan needs. */
export interface PlanKeyInfo {
  minSigners: number;
  maxSigners: number;
  groupPublicKey: Uint8Array;
  verifyingShares: Record<string, Uint8Array>;
  userId: string;
  createdUnixSeconds: number;
}

/** A fresh plan moving `keyName` from `dealers` to `newNodes` at `newThreshold` (ids sorted by the caller). */
export function resharePlanFor(
  keyName: string,
  info: PlanKeyInfo,
  p: { dealers: Array<{ id: number; enrollmentKey: string }>; newNodes: Array<{ id: number; enrollmentKey: string }>; newThreshold: number },
): ResharePlan {
  return newResharePlan({
    keyName,
    groupPublicKey: bytesToHex(info.groupPublicKey),
    oldPackage: {
      minSigners: info.minSigners,
      maxSigners: info.maxSigners,
      groupPublicKey: bytesToHex(info.groupPublicKey),
      verifyingShares: Object.fromEntries(Object.entries(info.verifyingShares).map(([k, v]) => [k, bytesToHex(v)])),
      vssCommitment: [], // KeyInfo does not carry it; holders check the rest against their own
    },
    dealers: p.dealers.map((d) => d.id),
    dealerKeys: p.dealers,
    newThreshold: p.newThreshold,
    newNodes: p.newNodes,
    userId: info.userId,
    createdUnixSeconds: info.createdUnixSeconds,
  });
}

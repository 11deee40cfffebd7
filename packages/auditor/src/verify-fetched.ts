/**
 * Verifying one fetched log (tree, every checkpoint, consistency) and the
 * checks between a log and checkpoints seen elsewhere. Works on a
 * {@link FetchedLog}; asks {@link LogProofs} only for Merkle proofs.
 */
import {
  type AuditRecord,
  type Checkpoint,
  checkConsistencyWithPrevious,
  leafHash,
  makeVerifierKey,
  openCheckpoint,
  openNote,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE_V1,
  verifyInclusion,
  verifyLog,
} from '@qsign/audit';
import { errorMessage } from '@qsign/protocol';
import { rpcProofs, type FetchedLog, type LogProofs, type LogTarget } from './fetch.js';

/** A problem found, with where it is. */
export interface Finding {
  /** `coordinator` or `node-<id>`. */
  log: string;
  /** Record index in that log, when the problem is one record. */
  index?: number;
  kind: string;
  message: string;
  /** The record (decoded if possible). */
  record?: unknown;
}

/** What {@link verifyFetched} found. */
export interface LogVerification {
  ok: boolean;
  size: number;
  checkpoints: number;
  checkpointedSize: number;
  cosigners: number;
  findings: Finding[];
}

const shortRecord = (r: { bytes: Uint8Array; record?: AuditRecord }): unknown => r.record ?? new TextDecoder().decode(r.bytes.slice(0, 2000));

/**
 * Verifies one log: recompute the tree from its records, check every
 * checkpoint it issued (signature, origin, order, root) — which also proves
 * each consistent with the ones before — and name the first bad index. When
 * records no longer hash to a checkpoint, inclusion proofs from the log
 * (`proofs`, by default its own server) pinpoint the record that changed.
 */
export async function verifyFetched(f: FetchedLog, peers: LogTarget[] = [], proofs?: LogProofs): Promise<LogVerification> {
  const t = f.target;
  const key = parseVerifierKey(t.verifierKey);
  const findings: Finding[] = [];
  const ordered = f.records.every((r, i) => r.index === i);
  const v = await verifyLog(f.records.map((r) => r.bytes), f.checkpoints, key);
  let checkpointedSize = 0;
  if (v.ok) {
    checkpointedSize = v.checkpointedSize;
  } else {
    let index = v.firstBadIndex;
    if (v.code === 'root-mismatch' && v.checkpointIndex !== undefined && ordered) {
      const own = proofs ?? rpcProofs(t);
      try {
        index = (await pinpoint(f, openCheckpoint(f.checkpoints[v.checkpointIndex]!, [key]).checkpoint, v.firstBadIndex, own)) ?? index;
      } finally {
        if (!proofs) own.close?.();
      }
    } else if (v.code === 'missing-records' && v.checkpointIndex !== undefined) {
      // Records were removed; any after the last checkpoint that still matches may have been rewritten too.
      const earlier = await verifyLog(f.records.map((r) => r.bytes), f.checkpoints.slice(0, v.checkpointIndex), key);
      if (earlier.ok) index = Math.min(index, earlier.checkpointedSize);
    }
    const rec = f.records[index];
    findings.push({ log: t.name, index, kind: v.code, message: `${t.name}: ${v.code} at index ${index}: ${v.reason}`, record: rec ? shortRecord(rec) : undefined });
  }
  if (f.damaged) findings.push({ log: t.name, kind: 'damaged', message: `${t.name} reports its own log damaged: ${f.damaged}` });
  const cosigners = cosignersOf(f, peers).length;
  return { ok: findings.length === 0, size: f.records.length, checkpoints: f.checkpoints.length, checkpointedSize, cosigners, findings };
}

/** Finds the first record in [from, cp.size) whose leaf does not verify against `cp` with the log's own inclusion proof. */
async function pinpoint(f: FetchedLog, cp: Checkpoint, from: number, proofs: LogProofs): Promise<number | undefined> {
  try {
    for (let i = from; i < Math.min(cp.size, from + 4096, f.records.length); i++) {
      try {
        const proof = await proofs.inclusionProof(i, cp.size);
        verifyInclusion(leafHash(f.records[i]!.bytes), i, cp.size, proof, cp.rootHash);
      } catch {
        return i;
      }
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** Checks `latest` extends `prev` for the log `t`, asking `proofs` for the consistency proof. Returns the problem, if any. */
export async function consistentWith(t: LogTarget, prev: string, latest: string, proofs: LogProofs): Promise<{ index: number; message: string } | undefined> {
  const key = parseVerifierKey(t.verifierKey);
  let prevSize = 0;
  try {
    prevSize = openCheckpoint(prev, [key]).checkpoint.size;
    const cur = openCheckpoint(latest, [key]).checkpoint;
    const proof = prevSize > 0 && cur.size > prevSize ? await proofs.consistencyProof(prevSize, cur.size) : [];
    checkConsistencyWithPrevious(prev, latest, proof, [key]);
    return undefined;
  } catch (e) {
    return { index: prevSize, message: `the log as checkpointed at size ${prevSize} is not a prefix of its latest checkpoint: ${errorMessage(e)}` };
  }
}

/** Checks the cosignature lines on a log's latest checkpoint against peers' witness keys; returns who cosigned. */
export function cosignersOf(f: FetchedLog, peers: LogTarget[]): string[] {
  if (!f.cosigned) return [];
  const keys = peers.filter((p) => p.name !== f.target.name).map((p) => {
    const k = parseVerifierKey(p.verifierKey);
    return parseVerifierKey(makeVerifierKey(k.name, k.publicKey, SIG_TYPE_COSIGNATURE_V1));
  });
  try {
    return openNote(f.cosigned, [parseVerifierKey(f.target.verifierKey), ...keys]).signatures.filter((s) => s.type === SIG_TYPE_COSIGNATURE_V1).map((s) => s.name);
  } catch {
    return [];
  }
}

/**
 * The auditor's tools behind `qsign audit`: fetch logs over the Audit gRPC
 * service, verify a log end to end (tree, every checkpoint, consistency),
 * cross-check the coordinator's log against the nodes' logs and against
 * checkpoints kept from the last run (as golang.org/x/mod/sumdb's client
 * keeps its tree state), answer "what was signed" queries, and export.
 *
 * Verifier keys come from the caller (cluster.json or the command line),
 * never from the log being audited.
 */
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import {
  type AuditRecord,
  checkConsistencyWithPrevious,
  decodeRecord,
  leafHash,
  openCheckpoint,
  openNote,
  parseVerifierKey,
  verifyInclusion,
  verifyLog,
  SIG_TYPE_COSIGNATURE_V1,
  makeVerifierKey,
  type Checkpoint,
} from '@qsign/audit';
import { QsignError, errorMessage } from '@qsign/protocol';
import { AuditRpcClient, expectIdentity, expecting, type TransportSecurity } from '@qsign/rpc';
import { thresholdsAtSigning } from './audit-thresholds.js';

/** One log to audit: a node's or the coordinator's. */
export interface LogTarget {
  /** `coordinator` or `node-<id>`. */
  name: string;
  /** Node id (0 for the coordinator). */
  id: number;
  address: string;
  /** The log's pinned verifier key (type 0x01 vkey). */
  verifierKey: string;
  /** How to reach it (the client's TLS certificate); the server must present the target's own identity. */
  security?: TransportSecurity;
}

/** An audit client for `t`, checking that the server is the coordinator or node it names. */
function auditClient(t: LogTarget, label?: string): AuditRpcClient {
  const who = t.id === 0 ? { role: 'coordinator' as const, name: '' } : { role: 'node' as const, name: String(t.id) };
  const security = t.security ?? { kind: 'insecure' };
  const check = who.role === 'coordinator' ? expecting(security, (p) => (p?.role === 'coordinator' ? undefined : `expected a coordinator certificate for ${t.name}`)) : expecting(security, expectIdentity(who));
  return new AuditRpcClient(t.address, label, check);
}

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

/** A log as fetched. */
export interface FetchedLog {
  target: LogTarget;
  records: Array<{ index: number; bytes: Uint8Array; record?: AuditRecord }>;
  checkpoints: string[];
  /** What the log says about itself (damage found at its start). */
  damaged: string;
  /** The latest checkpoint with cosignatures. */
  cosigned: string;
  /** Checkpoints of peers this log's owner witnessed. */
  witnessed: Array<{ origin: string; checkpoint: string }>;
}

/** Parses `--log NAME@HOST:PORT@VKEY` (NAME is `coordinator` or `node-<id>`). */
export function parseTarget(spec: string): LogTarget {
  const m = /^(coordinator|node-(\d{1,5}))@([^@\s]+:\d+)@([^@\s]+)$/.exec(spec);
  if (!m) throw new QsignError('INVALID_ARGUMENT', `--log must be NAME@HOST:PORT@VKEY with NAME coordinator or node-<id>, got ${JSON.stringify(spec.slice(0, 80))}`);
  try {
    parseVerifierKey(m[4]!);
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `--log ${m[1]}: not a valid verifier key: ${errorMessage(e)}`);
  }
  return { name: m[1]!, id: m[2] ? Number(m[2]) : 0, address: m[3]!, verifierKey: m[4]! };
}

/** Fetches every record and checkpoint of a log. */
export async function fetchLog(t: LogTarget): Promise<FetchedLog> {
  const c = auditClient(t, `${t.name} at ${t.address}`);
  try {
    const head = await c.checkpoint(false);
    const records: FetchedLog['records'] = [];
    for await (const r of c.allRecords()) {
      let record: AuditRecord | undefined;
      try {
        record = decodeRecord(r.record);
      } catch {
        record = undefined;
      }
      records.push({ index: r.index, bytes: r.record, record });
    }
    return { target: t, records, checkpoints: await c.allCheckpoints(), damaged: head.damaged, cosigned: await c.cosigned(), witnessed: await c.witnessed() };
  } finally {
    c.close();
  }
}

const shortRecord = (r: { bytes: Uint8Array; record?: AuditRecord }): unknown => r.record ?? new TextDecoder().decode(r.bytes.slice(0, 2000));

/**
 * Verifies one log: recompute the tree from its records, check every
 * checkpoint it issued (signature, origin, order, root) — which also proves
 * each consistent with the ones before — and name the first bad index. When
 * records no longer hash to a checkpoint, inclusion proofs from the log
 * pinpoint the record that changed.
 */
export async function verifyFetched(f: FetchedLog, peers: LogTarget[] = []): Promise<{ ok: boolean; size: number; checkpoints: number; checkpointedSize: number; cosigners: number; findings: Finding[] }> {
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
      index = (await pinpoint(f, openCheckpoint(f.checkpoints[v.checkpointIndex]!, [key]).checkpoint, v.firstBadIndex)) ?? index;
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
async function pinpoint(f: FetchedLog, cp: Checkpoint, from: number): Promise<number | undefined> {
  const c = auditClient(f.target);
  try {
    for (let i = from; i < Math.min(cp.size, from + 4096, f.records.length); i++) {
      try {
        const proof = await c.inclusionProof(i, cp.size);
        verifyInclusion(leafHash(f.records[i]!.bytes), i, cp.size, proof, cp.rootHash);
      } catch {
        return i;
      }
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    c.close();
  }
}

/** The auditor's kept checkpoints, one per log origin (`--state FILE`). */
export interface AuditState {
  version: 1;
  checkpoints: Record<string, string>;
}

function readState(path: string): AuditState {
  if (!existsSync(path)) return { version: 1, checkpoints: {} };
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as AuditState;
    if (s.version !== 1 || typeof s.checkpoints !== 'object') throw new Error('unknown format');
    return s;
  } catch (e) {
    throw new QsignError('CONFIG', `cannot read audit state ${path}: ${errorMessage(e)}`);
  }
}

/** Options of {@link crosscheck}. */
export interface CrosscheckOptions {
  /** Each issued signature must be recorded by at least this many node logs (default: the key's threshold when it was signed, as the node logs say; else its signer count). */
  minNodes?: number;
  /** Checkpoints kept from the last run; updated for every log found consistent. */
  statePath?: string;
}

/** What {@link crosscheck} found. */
export interface CrosscheckReport {
  findings: Finding[];
  issued: number;
  accounted: number;
  nodeSignatures: number;
  /** Node shares released for requests the coordinator reports as failed (no signature issued). */
  sharesForFailed: number;
  logs: Array<{ name: string; size: number; checkpoints: number; cosigners: number }>;
}

/**
 * Cross-checks a cluster: verify every log; every signature the coordinator
 * issued appears in ≥ N node logs with the same digest (N: the key's
 * threshold at the time, from the node logs) (and in each signer's
 * log); every node signature appears in the coordinator's log; each log's
 * latest checkpoint is consistent with the one kept in the state file; and
 * every checkpoint a node witnessed for a peer is consistent with that
 * peer's log (a fork shows here).
 */
export async function crosscheck(targets: LogTarget[], opts: CrosscheckOptions = {}, progress: (m: string) => void = () => undefined): Promise<CrosscheckReport> {
  const logs: FetchedLog[] = [];
  const findings: Finding[] = [];
  for (const t of targets) {
    progress(`fetching ${t.name} at ${t.address}`);
    try {
      logs.push(await fetchLog(t));
    } catch (e) {
      findings.push({ log: t.name, kind: 'unreachable', message: `${t.name}: cannot read its log: ${errorMessage(e)}` });
    }
  }
  const summary: CrosscheckReport['logs'] = [];
  for (const f of logs) {
    const v = await verifyFetched(f, targets);
    findings.push(...v.findings);
    summary.push({ name: f.target.name, size: v.size, checkpoints: v.checkpoints, cosigners: v.cosigners });
  }

  // Checkpoints vs. the state kept from last time.
  const state = opts.statePath ? readState(opts.statePath) : undefined;
  for (const f of logs) {
    const key = parseVerifierKey(f.target.verifierKey);
    const latest = f.checkpoints[f.checkpoints.length - 1];
    const prev = state?.checkpoints[key.name];
    if (!state) continue;
    if (prev === undefined) {
      if (latest) state.checkpoints[key.name] = latest;
      continue;
    }
    if (!latest) {
      findings.push({ log: f.target.name, kind: 'inconsistent-with-state', message: `${f.target.name}: serves no checkpoint, but one was seen before` });
      continue;
    }
    const problem = await consistentWith(f.target, prev, latest);
    if (problem) findings.push({ log: f.target.name, index: problem.index, kind: 'inconsistent-with-state', message: `${f.target.name}: latest checkpoint is inconsistent with the one kept in ${opts.statePath}: ${problem.message}` });
    else state.checkpoints[key.name] = latest;
  }

  // Witnessed views vs. each peer's log.
  const byOrigin = new Map(logs.map((f) => [parseVerifierKey(f.target.verifierKey).name, f]));
  for (const w of logs) {
    for (const seen of w.witnessed) {
      const peer = byOrigin.get(seen.origin);
      if (!peer) continue;
      const latest = peer.checkpoints[peer.checkpoints.length - 1];
      const problem = latest ? await consistentWith(peer.target, seen.checkpoint, latest) : { index: 0, message: 'the log serves no checkpoint' };
      if (problem) findings.push({ log: peer.target.name, index: problem.index, kind: 'fork', message: `${peer.target.name}: its log is inconsistent with the checkpoint ${w.target.name} witnessed: ${problem.message}` });
    }
  }

  // Join the coordinator's log with the nodes' logs by request id.
  const coordinator = logs.find((f) => f.target.id === 0);
  const nodes = logs.filter((f) => f.target.id !== 0);
  const signedBy = new Map<string, Array<{ node: number; log: string; index: number; digest?: string; record: AuditRecord }>>();
  // The key's threshold when each node signed (a reshare changes it), the most any node says.
  const thresholdAt = new Map<string, number>();
  for (const n of nodes) for (const [id, t] of thresholdsAtSigning(n)) thresholdAt.set(id, Math.max(t, thresholdAt.get(id) ?? 0));
  let nodeSignatures = 0;
  for (const n of nodes) {
    for (const r of n.records) {
      if (r.record?.event !== 'signed' || !r.record.requestId) continue;
      nodeSignatures++;
      const list = signedBy.get(r.record.requestId) ?? [];
      list.push({ node: n.target.id, log: n.target.name, index: r.index, digest: r.record.digest, record: r.record });
      signedBy.set(r.record.requestId, list);
    }
  }
  let issued = 0;
  let accounted = 0;
  let sharesForFailed = 0;
  const known = new Set<string>();
  if (coordinator) {
    for (const r of coordinator.records) {
      const rec = r.record;
      if (!rec?.requestId) continue;
      known.add(rec.requestId);
      const shares = signedBy.get(rec.requestId) ?? [];
      if (rec.event === 'failed') {
        sharesForFailed += shares.length;
        continue;
      }
      if (rec.event !== 'issued') continue;
      issued++;
      const need = opts.minNodes ?? thresholdAt.get(rec.requestId) ?? rec.signers?.length ?? 1;
      const same = shares.filter((s) => s.digest === rec.digest);
      const nodesWith = new Set(same.map((s) => s.node));
      for (const s of shares.filter((s) => s.digest !== rec.digest)) {
        findings.push({ log: s.log, index: s.index, kind: 'digest-mismatch', message: `${s.log} index ${s.index}: request ${rec.requestId} signed with digest ${s.digest}, the coordinator issued ${rec.digest} (coordinator index ${r.index})`, record: s.record });
      }
      const missing = (rec.signers ?? []).filter((id) => !nodesWith.has(id) && nodes.some((n) => n.target.id === id));
      for (const id of missing) {
        findings.push({ log: `node-${id}`, kind: 'missing-signature', message: `node-${id}: no record of signing request ${rec.requestId}, which the coordinator issued naming it as a signer (coordinator index ${r.index})`, record: rec });
      }
      if (nodesWith.size < need) {
        findings.push({ log: 'coordinator', index: r.index, kind: 'under-accounted', message: `coordinator index ${r.index}: signature for request ${rec.requestId} is recorded by ${nodesWith.size} node logs (${[...nodesWith].join(', ') || 'none'}), needs ${need}`, record: rec });
      } else if (missing.length === 0) accounted++;
    }
    for (const [requestId, list] of signedBy) {
      if (known.has(requestId)) continue;
      for (const s of list) {
        findings.push({ log: s.log, index: s.index, kind: 'not-in-coordinator-log', message: `${s.log} index ${s.index}: signed request ${requestId}, which the coordinator's log does not have`, record: s.record });
      }
    }
  } else if (targets.some((t) => t.id === 0) === false) {
    findings.push({ log: 'coordinator', kind: 'unreachable', message: 'no coordinator log given: signatures cannot be joined' });
  }

  if (state && opts.statePath) {
    const tmp = `${opts.statePath}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, opts.statePath);
  }
  return { findings, issued, accounted, nodeSignatures, sharesForFailed, logs: summary };
}

/** Checks `latest` extends `prev` for one log, asking it for the consistency proof. Returns the problem, if any. */
async function consistentWith(t: LogTarget, prev: string, latest: string): Promise<{ index: number; message: string } | undefined> {
  const key = parseVerifierKey(t.verifierKey);
  let prevSize = 0;
  try {
    prevSize = openCheckpoint(prev, [key]).checkpoint.size;
    const cur = openCheckpoint(latest, [key]).checkpoint;
    let proof: Uint8Array[] = [];
    if (prevSize > 0 && cur.size > prevSize) {
      const c = auditClient(t);
      try {
        proof = await c.consistencyProof(prevSize, cur.size);
      } finally {
        c.close();
      }
    }
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

/**
 * Cross-checking a cluster's logs: every log verified, every signature the
 * coordinator issued accounted for in the nodes' logs (and the reverse),
 * each log consistent with the checkpoints the auditor kept from its last
 * run (as golang.org/x/mod/sumdb's client keeps its tree state) and with
 * what its peers witnessed. {@link crosscheckLogs} works on fetched logs;
 * {@link crosscheck} fetches them and keeps the state file.
 */
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { parseVerifierKey } from '@qsign/audit';
import { QsignError, errorMessage } from '@qsign/protocol';
import { fetchLog, rpcProofs, type FetchedLog, type LogProofs, type LogTarget } from './fetch.js';
import { consistentWith, verifyFetched, type Finding } from './verify-fetched.js';
import { joinSignatures } from './join.js';

/** The auditor's kept checkpoints, one per log origin (`--state FILE`). */
export interface AuditState {
  version: 1;
  checkpoints: Record<string, string>;
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

/** Inputs of {@link crosscheckLogs} beyond the logs. */
export interface CrosscheckLogsOptions {
  /** See {@link CrosscheckOptions.minNodes}. */
  minNodes?: number;
  /** Checkpoints kept from the last run, updated in place for every log found consistent. */
  state?: AuditState;
  /** Where each log answers proof requests. */
  proofsFor: (t: LogTarget) => LogProofs;
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

function writeState(path: string, state: AuditState): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
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
  const unreachable: Finding[] = [];
  for (const t of targets) {
    progress(`fetching ${t.name} at ${t.address}`);
    try {
      logs.push(await fetchLog(t));
    } catch (e) {
      unreachable.push({ log: t.name, kind: 'unreachable', message: `${t.name}: cannot read its log: ${errorMessage(e)}` });
    }
  }
  const state = opts.statePath ? readState(opts.statePath) : undefined;
  const sources = new Map<string, LogProofs>();
  try {
    const r = await crosscheckLogs(logs, targets, { minNodes: opts.minNodes, state, proofsFor: (t) => sources.get(t.name) ?? sources.set(t.name, rpcProofs(t)).get(t.name)! });
    if (state && opts.statePath) writeState(opts.statePath, state);
    return { ...r, findings: [...unreachable, ...r.findings] };
  } finally {
    for (const s of sources.values()) s.close?.();
  }
}

/** {@link crosscheck} over logs already fetched; `targets` are all the logs asked for (some may not have answered). */
export async function crosscheckLogs(logs: FetchedLog[], targets: LogTarget[], opts: CrosscheckLogsOptions): Promise<CrosscheckReport> {
  const findings: Finding[] = [];
  const summary: CrosscheckReport['logs'] = [];
  for (const f of logs) {
    const v = await verifyFetched(f, targets, opts.proofsFor(f.target));
    findings.push(...v.findings);
    summary.push({ name: f.target.name, size: v.size, checkpoints: v.checkpoints, cosigners: v.cosigners });
  }

  // Checkpoints vs. the state kept from last time.
  const state = opts.state;
  for (const f of state ? logs : []) {
    const key = parseVerifierKey(f.target.verifierKey);
    const latest = f.checkpoints[f.checkpoints.length - 1];
    const prev = state!.checkpoints[key.name];
    if (prev === undefined) {
      if (latest) state!.checkpoints[key.name] = latest;
      continue;
    }
    if (!latest) {
      findings.push({ log: f.target.name, kind: 'inconsistent-with-state', message: `${f.target.name}: serves no checkpoint, but one was seen before` });
      continue;
    }
    const problem = await consistentWith(f.target, prev, latest, opts.proofsFor(f.target));
    if (problem) findings.push({ log: f.target.name, index: problem.index, kind: 'inconsistent-with-state', message: `${f.target.name}: latest checkpoint is inconsistent with the one kept from the last run: ${problem.message}` });
    else state!.checkpoints[key.name] = latest;
  }

  // Witnessed views vs. each peer's log.
  const byOrigin = new Map(logs.map((f) => [parseVerifierKey(f.target.verifierKey).name, f]));
  for (const w of logs) {
    for (const seen of w.witnessed) {
      const peer = byOrigin.get(seen.origin);
      if (!peer) continue;
      const latest = peer.checkpoints[peer.checkpoints.length - 1];
      const problem = latest ? await consistentWith(peer.target, seen.checkpoint, latest, opts.proofsFor(peer.target)) : { index: 0, message: 'the log serves no checkpoint' };
      if (problem) findings.push({ log: peer.target.name, index: problem.index, kind: 'fork', message: `${peer.target.name}: its log is inconsistent with the checkpoint ${w.target.name} witnessed: ${problem.message}` });
    }
  }

  const joined = joinSignatures(logs, opts.minNodes);
  if (!logs.some((f) => f.target.id === 0) && !targets.some((t) => t.id === 0)) {
    findings.push({ log: 'coordinator', kind: 'unreachable', message: 'no coordinator log given: signatures cannot be joined' });
  }
  return { findings: [...findings, ...joined.findings], issued: joined.issued, accounted: joined.accounted, nodeSignatures: joined.nodeSignatures, sharesForFailed: joined.sharesForFailed, logs: summary };
}

/**
 * The crosscheck's join of the coordinator's log with the nodes' logs by
 * request id: every `issued` signature recorded as `signed` by at least the
 * key's threshold of node logs at the time (a reshare changes it), with the
 * same digest, and by every signer it names; every node signature known to
 * the coordinator. Pure.
 */
import type { AuditRecord } from '@qsign/audit';
import type { FetchedLog } from './fetch.js';
import type { Finding } from './verify-fetched.js';
import { thresholdsAtSigning } from './audit-thresholds.js';

/** What {@link joinSignatures} counted and found. */
export interface JoinResult {
  findings: Finding[];
  issued: number;
  accounted: number;
  nodeSignatures: number;
  sharesForFailed: number;
}

interface Share {
  node: number;
  log: string;
  index: number;
  digest?: string;
  record: AuditRecord;
}

/** Node `signed` records by request id, and how many there are. */
function sharesByRequest(nodes: FetchedLog[]): { signedBy: Map<string, Share[]>; count: number } {
  const signedBy = new Map<string, Share[]>();
  let count = 0;
  for (const n of nodes) {
    for (const r of n.records) {
      if (r.record?.event !== 'signed' || !r.record.requestId) continue;
      count++;
      const list = signedBy.get(r.record.requestId) ?? [];
      list.push({ node: n.target.id, log: n.target.name, index: r.index, digest: r.record.digest, record: r.record });
      signedBy.set(r.record.requestId, list);
    }
  }
  return { signedBy, count };
}

/**
 * Joins the coordinator's log (target id 0) with the node logs. Each issued
 * signature needs `minNodes` node records, else the key's threshold when the
 * nodes signed (the most any node log says), else its signer count.
 */
export function joinSignatures(logs: FetchedLog[], minNodes?: number): JoinResult {
  const coordinator = logs.find((f) => f.target.id === 0);
  const nodes = logs.filter((f) => f.target.id !== 0);
  const { signedBy, count } = sharesByRequest(nodes);
  const out: JoinResult = { findings: [], issued: 0, accounted: 0, nodeSignatures: count, sharesForFailed: 0 };
  if (!coordinator) return out;
  const thresholdAt = new Map<string, number>();
  for (const n of nodes) for (const [id, t] of thresholdsAtSigning(n)) thresholdAt.set(id, Math.max(t, thresholdAt.get(id) ?? 0));
  const known = new Set<string>();
  for (const r of coordinator.records) {
    const rec = r.record;
    if (!rec?.requestId) continue;
    known.add(rec.requestId);
    const shares = signedBy.get(rec.requestId) ?? [];
    if (rec.event === 'failed') {
      out.sharesForFailed += shares.length;
      continue;
    }
    if (rec.event !== 'issued') continue;
    out.issued++;
    const need = minNodes ?? thresholdAt.get(rec.requestId) ?? rec.signers?.length ?? 1;
    const nodesWith = new Set(shares.filter((s) => s.digest === rec.digest).map((s) => s.node));
    for (const s of shares.filter((s) => s.digest !== rec.digest)) {
      out.findings.push({ log: s.log, index: s.index, kind: 'digest-mismatch', message: `${s.log} index ${s.index}: request ${rec.requestId} signed with digest ${s.digest}, the coordinator issued ${rec.digest} (coordinator index ${r.index})`, record: s.record });
    }
    const missing = (rec.signers ?? []).filter((id) => !nodesWith.has(id) && nodes.some((n) => n.target.id === id));
    for (const id of missing) {
      out.findings.push({ log: `node-${id}`, kind: 'missing-signature', message: `node-${id}: no record of signing request ${rec.requestId}, which the coordinator issued naming it as a signer (coordinator index ${r.index})`, record: rec });
    }
    if (nodesWith.size < need) {
      out.findings.push({ log: 'coordinator', index: r.index, kind: 'under-accounted', message: `coordinator index ${r.index}: signature for request ${rec.requestId} is recorded by ${nodesWith.size} node logs (${[...nodesWith].join(', ') || 'none'}), needs ${need}`, record: rec });
    } else if (missing.length === 0) out.accounted++;
  }
  for (const [requestId, list] of signedBy) {
    if (known.has(requestId)) continue;
    for (const s of list) {
      out.findings.push({ log: s.log, index: s.index, kind: 'not-in-coordinator-log', message: `${s.log} index ${s.index}: signed request ${requestId}, which the coordinator's log does not have`, record: s.record });
    }
  }
  return out;
}

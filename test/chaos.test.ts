/**
 * Issue 12, target 7: node churn under load. On a 3-of-5 cluster, one node is
 * SIGKILLed every ~2 s and restarted 2 s later (never more than two down) for two
 * minutes while 8 clients sign (QSIGN_CHAOS_SECONDS shortens it by hand):
 *  - at least 99.9 % of requests are signed;
 *  - none fails while a quorum serves: at no instant of its life were more
 *    than two nodes down (helpers/churn.ts: a restarted node counts as
 *    serving only once it has answered a Status call);
 *  - every share a node released (its `signed` audit record) is accounted for
 *    by the coordinator's log: part of the signature it issued (the `issued`
 *    record's signer set), released in an attempt it gave up (that record's
 *    `details.abandoned`: a node died mid-attempt), or released for a request
 *    it recorded as `failed`. A node cannot know whether a signature failed,
 *    so the join is by request id and signer set against the coordinator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { AuditRpcClient } from '@qsign/rpc';
import { errorMessage } from '@qsign/protocol';
import { TestCluster } from './helpers/cluster.js';
import { maxDownDuring, startChurn, type DownSpan } from './helpers/churn.js';
import { registerSignatures } from './helpers/r-registry.js';

const SECONDS = Number(process.env.QSIGN_CHAOS_SECONDS ?? 120);
const CONCURRENCY = 8;
const THRESHOLD = 3;
const NODES = [1, 2, 3, 4, 5];

/** A failed request with the churn around it: nodes down at its start and end, and the last kill and return before its end. */
function describeFailure(down: readonly DownSpan[], f: { start: number; end: number; error?: string }): string {
  const downAt = (t: number) => down.filter((d) => d.from <= t && t < d.to).map((d) => d.id).join(',') || '-';
  const lastKill = Math.max(...down.filter((d) => d.from <= f.end).map((d) => d.from));
  const lastBack = Math.max(...down.filter((d) => d.to <= f.end).map((d) => d.to));
  const ago = (t: number) => (Number.isFinite(t) ? `${f.end - t} ms` : 'never');
  return (
    `after ${f.end - f.start} ms, down at start [${downAt(f.start)}] at end [${downAt(f.end)}], most down ${maxDownDuring(down, f.start, f.end)}; ` +
    `last kill ${ago(lastKill)} before, last return ${ago(lastBack)} before: ${f.error}`
  );
}

/** What the coordinator's log says about each request: the signer sets that released shares, and which failed. */
async function coordinatorAccount(c: TestCluster): Promise<{ sets: Map<string, Set<string>>; failed: Set<string> }> {
  const co = new AuditRpcClient(c.file.coordinator.address, undefined, c.as('client'));
  const sets = new Map<string, Set<string>>();
  const failed = new Set<string>();
  const key = (signers: readonly number[]) => [...signers].sort((a, b) => a - b).join(',');
  try {
    for await (const r of co.allRecords()) {
      const rec = JSON.parse(new TextDecoder().decode(r.record)) as { event: string; requestId: string; signers?: number[]; details?: { abandoned?: Array<{ signers: number[] }> } };
      if (rec.event === 'failed') failed.add(rec.requestId);
      if (rec.event !== 'issued') continue;
      sets.set(rec.requestId, new Set([key(rec.signers ?? []), ...(rec.details?.abandoned ?? []).map((a) => key(a.signers))]));
    }
  } finally {
    co.close();
  }
  return { sets, failed };
}

describe('chaos: node churn under load', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start({ nodes: NODES.length, threshold: THRESHOLD });
  }, 180_000);
  afterAll(async () => c?.stop());

  it('signs ≥ 99.9 % of requests, fails none while a quorum serves, and accounts for every released share', async () => {
    const churn = startChurn(c, { nodes: NODES, everyMs: 2000, downMs: 2000, maxDown: NODES.length - THRESHOLD });
    const t0 = Date.now();
    const until = t0 + SECONDS * 1000;
    const results: Array<{ ok: boolean; start: number; end: number; error?: string }> = [];
    const signatures: Uint8Array[] = [];
    try {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (Date.now() < until) {
            const start = Date.now();
            try {
              const res = await c.client.sign({ keyName: 'demo', kind: 'raw', data: new Uint8Array(randomBytes(40)) }, 30_000);
              signatures.push(res.signature);
              results.push({ ok: true, start, end: Date.now() });
            } catch (e) {
              results.push({ ok: false, start, end: Date.now(), error: errorMessage(e) });
            }
          }
        }),
      );
    } finally {
      await churn.stop();
    }
    registerSignatures(signatures);
    const failed = results.filter((r) => !r.ok);
    const failedWithQuorum = failed.filter((r) => maxDownDuring(churn.down, r.start, r.end) <= NODES.length - THRESHOLD);
    const rate = (results.length - failed.length) / results.length;
    process.stdout.write(
      `chaos: ${results.length} requests in ${SECONDS} s at concurrency ${CONCURRENCY}, ${churn.down.length} kills; ` +
        `${(rate * 100).toFixed(2)} % signed, ${failed.length} failed (${failedWithQuorum.length} while a quorum served)\n`,
    );
    // Each failure with the churn around it: who was down when it started and ended, and how long
    // since the last kill and the last restarted node answered (the classes the mechanism must handle).
    for (const f of failed) process.stdout.write(`  failed: ${describeFailure(churn.down, f)}\n`);
    process.stdout.write(`chaos: down spans (node: from-to ms): ${churn.down.map((d) => `${d.id}: ${d.from - t0}-${d.to - t0}`).join(', ')}\n`);

    const { sets, failed: failedIds } = await coordinatorAccount(c);
    let released = 0;
    const unaccounted: string[] = [];
    for (const id of NODES) {
      for (const r of await c.audit(id)) {
        if (r.event !== 'signed') continue;
        released++;
        const requestId = String(r.requestId);
        const set = [...(r.signers as number[])].sort((a, b) => a - b).join(',');
        if (sets.get(requestId)?.has(set) || failedIds.has(requestId)) continue;
        unaccounted.push(`node ${id} request ${requestId} signers ${set}`);
      }
    }
    process.stdout.write(`chaos: ${released} shares released, ${unaccounted.length} neither in an issued signature, an abandoned attempt nor a failed request\n`);
    for (const u of unaccounted.slice(0, 5)) process.stdout.write(`  unaccounted: ${u}\n`);
    expect(results.length).toBeGreaterThan(0);
    // A kill comes every 2 s while fewer than two are down; on two busy cores a restart takes 5-15 s, so
    // that is what paces the churn. It must have happened, and with two nodes down at once.
    expect(churn.down.length).toBeGreaterThanOrEqual(4);
    expect(maxDownDuring(churn.down, t0, Date.now())).toBe(NODES.length - THRESHOLD);
    expect(failedWithQuorum.map((f) => f.error)).toEqual([]);
    expect(rate).toBeGreaterThanOrEqual(0.999);
    expect(unaccounted).toEqual([]);
  }, SECONDS * 1000 + 240_000);
});

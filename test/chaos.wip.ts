// NOT YET IN THE SUITE (named .wip.ts so vitest skips it): last run 819 requests, 92.67 % signed, 59 failed while 3 nodes served, 137 shares unaccounted. Run: cp test/chaos.wip.ts test/chaos.test.ts && npx vitest run test/chaos.test.ts
/**
 * Issue 12, target 7: node churn under load. On a 3-of-5 cluster, one node is
 * SIGKILLed and restarted every ~2 s (never more than two down) for two
 * minutes while 8 clients sign: at least 99.9 % of requests are signed, none
 * fails while a quorum serves, and every share a node released (its `signed`
 * audit record) belongs to a signature the coordinator issued (its `issued`
 * record, same signer set), to an attempt that record lists as abandoned (a
 * node died mid-attempt), or to a request the coordinator recorded as failed.
 *
 * "A quorum served" comes from a timeline the churn loop keeps: a node is
 * down from just before its SIGKILL until the restarted process answers
 * Status. A failed request counts against the cluster only if at least 3
 * nodes were up during its whole lifetime.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { AuditRpcClient } from '@qsign/rpc';
import { errorMessage } from '@qsign/protocol';
import { TestCluster } from './helpers/cluster.js';
import { registerSignatures } from './helpers/r-registry.js';

const SECONDS = Number(process.env.QSIGN_CHAOS_SECONDS ?? 120);
const CONCURRENCY = 8;

describe('chaos: node churn under load', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 5, threshold: 3 });
  }, 180_000);
  afterAll(async () => c?.stop());

  it('signs ≥ 99.9 % of requests, fails none while a quorum serves, and accounts for every released share', async () => {
    const down: Array<{ id: number; from: number; to: number }> = [];
    const until = Date.now() + SECONDS * 1000;
    let stop = false;
    const churn = (async () => {
      const restarts: Array<Promise<void>> = [];
      let k = 0;
      while (!stop) {
        const isDown = (id: number) => down.some((d) => d.id === id && d.to === Infinity);
        if (down.filter((d) => d.to === Infinity).length < 2) {
          let id = (k++ % 5) + 1;
          while (isDown(id)) id = (k++ % 5) + 1;
          const span = { id, from: Date.now(), to: Infinity };
          down.push(span);
          await c.kill(id);
          restarts.push(
            new Promise((r) => setTimeout(r, 2000))
              .then(() => c.restartServing(id))
              .then(() => void (span.to = Date.now())),
          );
        }
        await new Promise((r) => setTimeout(r, 2000));
      }
      await Promise.all(restarts);
    })();
    const results: Array<{ ok: boolean; start: number; end: number; error?: string }> = [];
    const signatures: Uint8Array[] = [];
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
    stop = true;
    await churn;
    registerSignatures(signatures);
    const upThroughout = (r: { start: number; end: number }) => down.filter((d) => d.from < r.end && d.to > r.start).length <= 2;
    const failed = results.filter((r) => !r.ok);
    const failedWithQuorum = failed.filter(upThroughout);
    const rate = (results.length - failed.length) / results.length;
    process.stdout.write(`chaos: ${results.length} requests in ${SECONDS} s, ${failed.length} failed (${failedWithQuorum.length} while a quorum served), ${(rate * 100).toFixed(2)} % signed, ${down.length} kills\n`);
    for (const f of failed.slice(0, 5)) process.stdout.write(`  failed: ${f.error}\n`);

    // Every released share accounted for, from the audit logs.
    const co = new AuditRpcClient(c.file.coordinator.address, undefined, c.as('client'));
    const issued = new Map<string, string[]>();
    const failedIds = new Set<string>();
    try {
      for await (const r of co.allRecords()) {
        const rec = JSON.parse(new TextDecoder().decode(r.record)) as Record<string, any>;
        if (rec.event === 'issued') issued.set(rec.requestId, [[...rec.signers].sort().join(','), ...((rec.abandoned ?? []) as Array<{ signers: number[] }>).map((a) => [...a.signers].sort().join(','))]);
        if (rec.event === 'failed') failedIds.add(rec.requestId);
      }
    } finally {
      co.close();
    }
    let released = 0;
    const unaccounted: string[] = [];
    for (const n of c.file.nodes) {
      for (const r of await c.audit(n.id)) {
        if (r.event !== 'signed') continue;
        released++;
        const set = [...(r.signers as number[])].sort().join(',');
        if (issued.get(r.requestId as string)?.includes(set) || failedIds.has(r.requestId as string)) continue;
        unaccounted.push(`node ${n.id} request ${String(r.requestId)} signers ${set}`);
      }
    }
    process.stdout.write(`chaos: ${released} shares released, ${unaccounted.length} neither in an issued signature nor in a failed request\n`);
    for (const u of unaccounted.slice(0, 5)) process.stdout.write(`  unaccounted: ${u}\n`);
    expect(rate).toBeGreaterThanOrEqual(0.999);
    expect(failedWithQuorum.map((f) => f.error)).toEqual([]);
    expect(unaccounted).toEqual([]);
  }, SECONDS * 1000 + 240_000);
});

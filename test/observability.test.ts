/**
 * Issue 15 acceptance 4, and the health service: both daemons' Prometheus
 * metrics move when the cluster signs (fetched with curl, as Prometheus
 * would); every daemon log line is a JSON object and request-scoped lines
 * carry the request id; grpc.health.v1 says SERVING for an unsealed node
 * holding keys and NOT_SERVING while it is sealed; and no daemon log or
 * metrics page holds a key share or nonce (read back from the node store).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { clusterCoordinators } from '@qsign/devcluster';
import { loadNodeConfig, openStoreWithShares } from '@qsign/node';
import { ServingStatus, checkHealth, decodeSignRequest } from '@qsign/rpc';
import { isQsignError } from '@qsign/protocol';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { registerSignatures } from './helpers/r-registry.js';
import { requireTools } from './helpers/tools.js';
import { findSecrets } from './helpers/secrets.js';

/** GET /metrics with curl. */
const curl = (address: string): string => execFileSync('curl', ['-sSf', '--max-time', '30', `http://${address}/metrics`], { encoding: 'utf8' });

/** The sum of every sample of `name` whose labels include `labels` (e.g. 'code="STALE_REQUEST"'). */
function metric(page: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of page.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name && (m[2] ?? '').includes(labels)) sum += Number(m[3]);
  }
  return sum;
}

/** Every line of a daemon log, parsed (throws on a line that is not a JSON object). */
function logLines(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l, i) => {
    try {
      const o = JSON.parse(l) as unknown;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not an object');
      return o as Record<string, unknown>;
    } catch (e) {
      throw new Error(`${path}:${i + 1} is not a JSON object line (${(e as Error).message}): ${l.slice(0, 200)}`);
    }
  });
}

describe('observability', () => {
  let c: TestCluster;
  const signedIds: string[] = [];
  beforeAll(async () => {
    requireTools('curl');
    c = await TestCluster.start({ nodes: 3, threshold: 2, metrics: true, unseal: { threshold: 2, shares: 3 } });
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  it('metrics move when signing (curl the endpoints)', async () => {
    const co = c.file.coordinator;
    const before = { co: curl(co.metrics!), nodes: c.file.nodes.map((n) => curl(n.metrics!)) };
    const sigs: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await c.client.sign({ keyName: 'demo', kind: 'raw', data: new Uint8Array(randomBytes(40)) });
      sigs.push(r.signature);
      signedIds.push(r.requestId);
    }
    registerSignatures(sigs);
    // A stale request: every node asked refuses it with STALE_REQUEST.
    const stale = c.client.buildRequest({ keyName: 'demo', kind: 'raw', data: new Uint8Array(16) }, { createdAtMs: Date.now() - 3_600_000 });
    const coord = new (await import('@qsign/rpc')).CoordinatorRpcClient(co.address, c.as('client'));
    await expect(coord.sign(stale)).rejects.toSatisfy((e) => isQsignError(e, 'STALE_REQUEST'));
    coord.close();
    const staleId = decodeSignRequest(stale.body).requestId;

    const after = { co: curl(co.metrics!), nodes: c.file.nodes.map((n) => curl(n.metrics!)) };
    expect(metric(after.co, 'qsign_coordinator_signatures_total', 'key="demo"') - metric(before.co, 'qsign_coordinator_signatures_total', 'key="demo"')).toBe(3);
    expect(metric(after.co, 'qsign_coordinator_refusals_total', 'code="STALE_REQUEST"') - metric(before.co, 'qsign_coordinator_refusals_total', 'code="STALE_REQUEST"')).toBe(1);
    expect(metric(after.co, 'qsign_coordinator_sign_seconds_count') - metric(before.co, 'qsign_coordinator_sign_seconds_count')).toBe(4);
    expect(metric(after.co, 'qsign_coordinator_nonce_pool')).toBeGreaterThan(0);
    expect(metric(after.co, 'qsign_coordinator_audit_records')).toBeGreaterThan(metric(before.co, 'qsign_coordinator_audit_records'));
    expect(after.co).toMatch(/^qsign_coordinator_audit_checkpoint_age_seconds\{coordinator="dev-coordinator"\} \d/m);
    const nodeSum = (pages: string[], name: string, labels = '') => pages.reduce((s, p) => s + metric(p, name, labels), 0);
    // Two shares per signature (threshold 2), each from one node.
    expect(nodeSum(after.nodes, 'qsign_node_signature_shares_total', 'key="demo"') - nodeSum(before.nodes, 'qsign_node_signature_shares_total', 'key="demo"')).toBe(6);
    expect(nodeSum(after.nodes, 'qsign_node_refusals_total', 'code="STALE_REQUEST"') - nodeSum(before.nodes, 'qsign_node_refusals_total', 'code="STALE_REQUEST"')).toBeGreaterThanOrEqual(2);
    expect(nodeSum(after.nodes, 'qsign_node_sign_share_seconds_count', 'outcome="signed"') - nodeSum(before.nodes, 'qsign_node_sign_share_seconds_count', 'outcome="signed"')).toBe(6);
    for (const p of after.nodes) {
      expect(metric(p, 'qsign_node_sealed')).toBe(0);
      expect(metric(p, 'qsign_node_keys')).toBe(1);
      expect(metric(p, 'qsign_node_unused_nonces')).toBeGreaterThan(0);
      expect(p).toMatch(/^qsign_node_held_requests\{node="\d"\} 0$/m);
      expect(p).toMatch(/^qsign_node_audit_checkpoint_age_seconds\{node="\d"\} \d/m);
    }
    expect(nodeSum(after.nodes, 'qsign_node_audit_records')).toBeGreaterThan(nodeSum(before.nodes, 'qsign_node_audit_records'));
    signedIds.push(staleId);
  }, 120_000);

  it('logs are JSON lines, and request-scoped lines carry the request id', async () => {
    const [ok1, ok2, ok3, stale] = signedIds;
    // Daemons write synchronously; wait only for the line of the last request to be there.
    await waitFor(() => logLines(c.file.coordinator.log).some((l) => l.requestId === stale), 30_000, 'the coordinator to log the stale request');
    const co = logLines(c.file.coordinator.log);
    for (const l of co) expect(l).toMatchObject({ daemon: 'qsign-coordinator', coordinatorId: 'dev-coordinator', level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
    for (const id of [ok1, ok2, ok3]) expect(co.filter((l) => l.requestId === id && /^signed request/.test(String(l.msg)))).toHaveLength(1);
    expect(co.find((l) => l.requestId === stale && / failed: /.test(String(l.msg)))).toMatchObject({ level: 'warn', code: 'STALE_REQUEST' });
    let released = 0;
    for (const n of c.file.nodes) {
      const lines = logLines(n.log);
      for (const l of lines) expect(l).toMatchObject({ daemon: 'qsign-node', nodeId: n.id, level: expect.any(String), msg: expect.any(String) });
      const shares = lines.filter((l) => /^released a signature share/.test(String(l.msg)));
      for (const l of shares) expect(l).toMatchObject({ requestId: expect.any(String), keyName: expect.any(String), client: 'dev-client', coordinator: 'dev-coordinator' });
      released += shares.filter((l) => [ok1, ok2, ok3].includes(String(l.requestId))).length;
    }
    expect(released).toBe(6);
  }, 60_000);

  it('grpc.health.v1: SERVING unsealed with keys, NOT_SERVING while sealed; unknown services are NOT_FOUND', async () => {
    for (const n of c.file.nodes) expect(await checkHealth(n.address, '', 5000, c.as('client'))).toBe(ServingStatus.SERVING);
    expect(await checkHealth(c.file.nodes[0]!.address, 'qsign.v1.Node', 5000, c.as('client'))).toBe(ServingStatus.SERVING);
    for (const co of clusterCoordinators(c.file)) expect(await checkHealth(co.address, 'qsign.v1.Coordinator', 5000, c.as('client'))).toBe(ServingStatus.SERVING);
    await expect(checkHealth(c.file.nodes[0]!.address, 'no.such.Service', 5000, c.as('client'))).rejects.toThrow(/NOT_FOUND|unknown service/);
    // A restarted node comes up sealed: it answers NOT_SERVING until it is unsealed.
    await c.kill(1);
    await c.restart(1, undefined, false);
    let sealed: ServingStatus | undefined;
    await waitFor(async () => {
      sealed = await checkHealth(c.file.nodes[0]!.address, '', 2000, c.as('client')).catch(() => undefined);
      return sealed !== undefined;
    }, 60_000, 'node 1 to answer health checks');
    expect(sealed).toBe(ServingStatus.NOT_SERVING);
    expect(metric(curl(c.file.nodes[0]!.metrics!), 'qsign_node_sealed')).toBe(1);
    await c.unseal(1);
    expect(await checkHealth(c.file.nodes[0]!.address, '', 5000, c.as('client'))).toBe(ServingStatus.SERVING);
  }, 120_000);

  it('no daemon log or metrics page holds a key share or a nonce', async () => {
    // Scrape once more, then read node 2's share and its unused nonces back from its store.
    const pages = [...clusterCoordinators(c.file), ...c.file.nodes].map((p) => Buffer.from(curl(p.metrics!)));
    const n2 = c.file.nodes[1]!;
    const cfg = loadNodeConfig(n2.config);
    await c.kill(2);
    const store = await openStoreWithShares(cfg, c.file.unsealShares![2]!.slice(0, 2));
    const secrets: Uint8Array[] = [];
    try {
      secrets.push((await store.getKey('demo'))!.share);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      for await (const k of (store as any).db.keys({ gt: 'n!', lt: 'n!\xff', limit: 20 })) {
        const nonce = await store.getNonce(Buffer.from(String(k).slice(2), 'hex'));
        secrets.push(nonce!.hiding, nonce!.binding);
      }
    } finally {
      await store.close();
    }
    expect(secrets.length).toBeGreaterThan(3);
    const logs = [...clusterCoordinators(c.file), ...c.file.nodes].map((p) => readFileSync(p.log));
    expect(findSecrets([...logs, ...pages], secrets)).toEqual([]);
    // Positive control: a public value the nodes do log (a request id) is found by the same search.
    expect(findSecrets(logs, [new TextEncoder().encode(signedIds[0]!)])).toHaveLength(1);
    await c.restart(2, undefined, false);
    await c.unseal(2);
  }, 120_000);
});

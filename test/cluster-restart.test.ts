/**
 * Issue 16 item 6: a development cluster can be stopped and started again
 * (`cluster up` on its directory, or `cluster start`), one process restarted
 * with `cluster restart NODE` while cluster.json stays true (so `cluster
 * down` leaves no process behind), and a node's policy reloaded without a
 * restart (`node reload`, `cluster reload` / SIGHUP), audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, clusterDown, clusterTransportAs, readClusterFile, type ClusterFile } from '@qsign/devcluster';
import { NodeRpcClient } from '@qsign/rpc';
import { qsign } from './helpers/qsign-cli.js';
import { nodeAudit, waitFor } from './helpers/cluster.js';

/** Every pid cluster.json names. */
const pidsOf = (c: ClusterFile) => [c.coordinator.pid, ...c.nodes.map((n) => n.pid)];

/** Node `id`'s audit records, decoded (details lifted). */
const auditOf = (c: ClusterFile, id: number) => nodeAudit(new NodeRpcClient(c.nodes.find((x) => x.id === id)!.address, `node ${id}`, clusterTransportAs(c, 'coordinator')));

describe('dev cluster start, restart and policy reload', () => {
  let work: string;
  let dir: string;
  const seen = new Set<number>();
  const remember = () => pidsOf(readClusterFile(dir)).forEach((p) => p > 0 && seen.add(p));
  const signOnce = async (name: string) => {
    const f = join(work, name);
    writeFileSync(f, `hello ${name}\n`);
    return qsign(['sign', '--key', 'demo', '--raw', f, '-o', `${f}.sig`, '-c', join(dir, 'client.json')]);
  };
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'qsign-restart-'));
    dir = join(work, 'dev');
    const up = await qsign(['cluster', 'up', '--dir', dir, '--nodes', '3', '--threshold', '2'], undefined);
    expect(up.code, up.stderr).toBe(0);
    remember();
  });
  afterAll(async () => {
    await clusterDown(dir).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  it('cluster up on a stopped cluster directory starts it again, and it signs', async () => {
    // 3 nodes, the coordinator and the qsign agent that cluster up started for client.json
    const down = await qsign(['cluster', 'down', '--dir', dir]);
    expect(down.stdout).toMatch(/stopped 5 processes \(start again: npx qsign cluster start --dir /);
    expect([...seen].filter(alive)).toEqual([]);
    const again = await qsign(['cluster', 'up', '--dir', dir]);
    expect(again.stderr).toMatch(/already holds a cluster: starting it again/);
    expect(again.code).toBe(0);
    remember();
    expect(pidsOf(readClusterFile(dir)).every(alive)).toBe(true);
    expect((await signOnce('a')).code).toBe(0);
    const twice = await qsign(['cluster', 'start', '--dir', dir]);
    expect(twice.stderr).toMatch(/is already running/);
    expect(twice.code).not.toBe(0);
  });

  it('cluster restart NODE replaces the process and records its new pid; cluster down then leaves nothing running', async () => {
    const before = readClusterFile(dir).nodes.find((n) => n.id === 2)!.pid;
    const r = await qsign(['cluster', 'restart', '2', '--dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const after = readClusterFile(dir).nodes.find((n) => n.id === 2)!.pid;
    expect(after).not.toBe(before);
    expect(alive(before)).toBe(false);
    expect(alive(after)).toBe(true);
    remember();
    const co = await qsign(['cluster', 'restart', 'coordinator', '--dir', dir]);
    expect(co.code, co.stderr).toBe(0);
    remember();
    expect((await signOnce('b')).code).toBe(0);
    expect((await qsign(['cluster', 'down', '--dir', dir])).code).toBe(0);
    expect([...seen].filter(alive)).toEqual([]);
    expect((await qsign(['cluster', 'start', '--dir', dir])).code).toBe(0);
    remember();
  });

  it("node reload applies a changed policy at once and audits it as 'config-changed'", async () => {
    const c = readClusterFile(dir);
    const cfgPath = c.nodes.find((n) => n.id === 1)!.config;
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
    cfg.policy = { keys: [{ match: 'some-other-key' }] };
    writeFileSync(cfgPath, JSON.stringify(cfg, null, 2));
    const r = await qsign(['node', 'reload', '--config', cfgPath]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^policy reloaded \(sha256 [0-9a-f]{16}…\)$/m);
    const audit = await auditOf(c, 1);
    const changed = audit.filter((a) => a.event === 'config-changed').at(-1)!;
    expect(changed.policy).toEqual({ keys: [{ match: 'some-other-key' }] });
    // Node 1 now refuses key demo: with node 3 stopped, nodes 1 and 2 cannot sign.
    const n3 = c.nodes.find((n) => n.id === 3)!.pid;
    process.kill(n3, 'SIGTERM');
    await waitFor(() => !alive(n3), 30_000, 'node 3 to stop');
    const refused = await signOnce('c');
    expect(refused.stderr).toMatch(/no policy rule matches key demo/);
    expect(refused.code).not.toBe(0);
    // The same through SIGHUP (cluster reload): back to no policy.
    delete cfg.policy;
    writeFileSync(cfgPath, JSON.stringify(cfg, null, 2));
    const changes = (await auditOf(c, 1)).filter((a) => a.event === 'config-changed').length;
    const hup = await qsign(['cluster', 'reload', '1', '--dir', dir]);
    expect(hup.code, hup.stderr).toBe(0);
    await waitFor(async () => (await auditOf(c, 1)).filter((a) => a.event === 'config-changed').length > changes, 30_000, 'the SIGHUP reload audit record');
    expect((await auditOf(c, 1)).filter((a) => a.event === 'config-changed').at(-1)!.policy ?? null).toBeNull();
    expect((await signOnce('c2')).code).toBe(0); // nodes 1 and 2 sign again
    const same = await qsign(['node', 'reload', '--config', cfgPath]);
    expect(same.stdout).toMatch(/^policy unchanged/);
    // A policy naming an unknown client is refused and audited; the policy in force stays.
    writeFileSync(cfgPath, JSON.stringify({ ...cfg, policy: { keys: [{ match: '*', clients: ['nobody'] }] } }, null, 2));
    const bad = await qsign(['node', 'reload', '--config', cfgPath]);
    expect(bad.stderr).toMatch(/"nobody" is not the name of a configured client/);
    expect(bad.code).not.toBe(0);
    expect((await qsign(['cluster', 'reload', '1', '--dir', dir])).code).toBe(0);
    await waitFor(async () => (await auditOf(c, 1)).some((a) => a.event === 'refused' && a.operation === 'reload-policy' && /the policy in force stays: .*"nobody"/.test(String(a.reason))), 30_000, 'the audited refusal of a bad reload');
    expect((await signOnce('d')).code).toBe(0); // node 1 kept its policy in force
    writeFileSync(cfgPath, JSON.stringify(cfg, null, 2));
    expect((await qsign(['cluster', 'restart', '3', '--dir', dir])).code).toBe(0);
  });
});

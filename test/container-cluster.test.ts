/**
 * Issue 15, acceptance 1: a 3-of-5 cluster in containers of the qsign image
 * on a `podman network create` network, mutual TLS with certificates issued
 * for the container host names (deploy/compose/make-config.mjs writes the
 * files), the coordinator published on loopback. An RPM signed through it
 * passes `rpmkeys -K`; with one node container killed it still signs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@qsign/devcluster';
import { PODMAN_FLAGS, REPO, buildImage, podmanAsync, podmanEnv, podmanQuiet } from './helpers/podman.js';
import { signRpm, trustKey, waitForCluster } from './helpers/container-cluster.js';

const KEY = 'containers@example.org';
const NODES = [1, 2, 3, 4, 5];

describe('a 3-of-5 cluster in podman containers with TLS', () => {
  const name = `qsign-cc-${process.pid}`;
  const containers = [...NODES.map((id) => `${name}-node${id}`), `${name}-coordinator`];
  let dir: string;
  let clientConfig: string;
  let dbpath: string;

  beforeAll(async () => {
    const tag = buildImage();
    dir = mkdtempSync(join(tmpdir(), 'qsign-containers-'));
    const port = await freePort();
    execFileSync(process.execPath, [join(REPO, 'deploy', 'compose', 'make-config.mjs'), '--dir', join(dir, 'config'), '--key', KEY, '--port', String(port)], { stdio: 'pipe' });
    clientConfig = join(dir, 'config', 'client.json');
    await podmanAsync(['network', 'create', name]);
    const run = (container: string, alias: string, mount: string, extra: string[], command: string[]) =>
      podmanAsync(['run', '-d', '--name', container, '--network', name, '--network-alias', alias, '--read-only', '--cap-drop', 'ALL', '--tmpfs', '/run/qsign',
        '-v', `${join(dir, 'config', mount)}:/data`, '-v', `${join(dir, 'config', 'tls')}:/etc/qsign/tls:ro`, ...extra, tag, ...command]);
    // All six at once: with the vfs driver each container start copies the image.
    await Promise.all([
      ...NODES.map((id) => run(`${name}-node${id}`, `node${id}`, `node-${id}`, [], ['node', 'start', '--config', '/data/node.json'])),
      run(`${name}-coordinator`, 'coordinator', 'coordinator', ['-p', `127.0.0.1:${port}:7100`], ['coordinator', 'start', '--config', '/data/coordinator.json']),
    ]);
    try {
      await waitForCluster(clientConfig, NODES.length);
    } catch (e) {
      // Say what the coordinator saw (one run under heavy load never answered on the published port).
      const logs = spawnSync('podman', [...PODMAN_FLAGS, 'logs', '--tail', '30', `${name}-coordinator`], { env: podmanEnv(), encoding: 'utf8' });
      throw new Error(`${(e as Error).message}\ncoordinator container log:\n${logs.stdout}${logs.stderr}`);
    }
    dbpath = trustKey(clientConfig, KEY, dir);
  }, 1_800_000);

  afterAll(() => {
    podmanQuiet(['rm', '-f', '-t', '2', ...containers]);
    podmanQuiet(['network', 'rm', '-f', name]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 600_000);

  it('signs an RPM that rpmkeys -K accepts', () => {
    const r = signRpm(clientConfig, KEY, dir, dbpath, 'qs-container-a');
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/Header V4 EdDSA\/SHA256 Signature, key ID [0-9a-f]{8}: OK/);
  }, 600_000);

  it('still signs with one node container killed', async () => {
    await podmanAsync(['kill', `${name}-node2`]);
    expect((await podmanAsync(['inspect', '--format', '{{.State.Running}}', `${name}-node2`])).trim()).toBe('false');
    const r = signRpm(clientConfig, KEY, dir, dbpath, 'qs-container-b');
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/Header V4 EdDSA\/SHA256 Signature, key ID [0-9a-f]{8}: OK/);
  }, 600_000);
});

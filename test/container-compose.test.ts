/**
 * Issue 15, acceptance 2 (compose): deploy/compose/compose.yaml runs under
 * podman-compose with the ./config that deploy/compose/make-config.mjs
 * writes (as deploy/README.md tells an operator), and the cluster it starts
 * signs an RPM that `rpmkeys -K` accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@qsign/devcluster';
import { PODMAN_FLAGS, REPO, buildImage, podmanEnv, podmanQuiet } from './helpers/podman.js';
import { signRpm, trustKey, waitForCluster } from './helpers/container-cluster.js';

const KEY = 'compose@example.org';

describe('deploy/compose under podman-compose', () => {
  const project = `qsigncompose${process.pid}`;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let clientConfig: string;
  let dbpath: string;
  const compose = (args: string[]) => {
    const r = spawnSync('podman-compose', ['--podman-args', PODMAN_FLAGS.join(' '), '-p', project, '-f', join(dir, 'compose.yaml'), ...args], { env, cwd: dir, encoding: 'utf8', timeout: 1_200_000 });
    if (r.status !== 0) throw new Error(`podman-compose ${args.join(' ')} failed (${r.status}): ${r.stderr}\n${r.stdout}`);
    return r.stdout;
  };

  beforeAll(async () => {
    const tag = buildImage();
    dir = mkdtempSync(join(tmpdir(), 'qsign-compose-'));
    copyFileSync(join(REPO, 'deploy', 'compose', 'compose.yaml'), join(dir, 'compose.yaml'));
    const port = await freePort();
    execFileSync(process.execPath, [join(REPO, 'deploy', 'compose', 'make-config.mjs'), '--dir', join(dir, 'config'), '--key', KEY, '--port', String(port)], { stdio: 'pipe' });
    clientConfig = join(dir, 'config', 'client.json');
    env = { ...podmanEnv(), QSIGN_IMAGE: tag, QSIGN_PORT: String(port) };
    compose(['up', '-d']);
    await waitForCluster(clientConfig, 5);
    dbpath = trustKey(clientConfig, KEY, dir);
  }, 1_800_000);

  afterAll(() => {
    if (dir) spawnSync('podman-compose', ['--podman-args', PODMAN_FLAGS.join(' '), '-p', project, '-f', join(dir, 'compose.yaml'), 'down', '-t', '2'], { env, cwd: dir, stdio: 'ignore', timeout: 300_000 });
    podmanQuiet(['network', 'rm', '-f', `${project}_qsign`]); // podman-compose 1.0 down leaves its network
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 600_000);

  it('starts five nodes and a coordinator, and signs an RPM that rpmkeys -K accepts', () => {
    const ps = compose(['ps']);
    for (const s of ['node1', 'node2', 'node3', 'node4', 'node5', 'coordinator']) expect(ps).toContain(s);
    const r = signRpm(clientConfig, KEY, dir, dbpath, 'qs-compose');
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/Header V4 EdDSA\/SHA256 Signature, key ID [0-9a-f]{8}: OK/);
  }, 600_000);
});

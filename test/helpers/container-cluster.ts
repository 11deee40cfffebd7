/**
 * What the container tests do with a cluster once it runs: wait until the
 * coordinator (published on loopback) sees its nodes, have the cluster
 * certify its key, and sign a freshly built RPM that stock `rpmkeys -K`
 * must accept with the cluster's certificate.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coordinatorTransport, loadClientConfig } from '@qsign/client';
import { waitHealthy } from '@qsign/devcluster';
import { parseSignature } from '@qsign/openpgp';
import { readRpm, RpmSigTag } from '@qsign/rpm';
import { buildRpm } from '../../packages/rpm/src/__tests__/fixtures.js';
import { registerSignatures } from './r-registry.js';
import { requireTools } from './tools.js';

const QSIGN = fileURLToPath(new URL('../../packages/cli/dist/bin/qsign.js', import.meta.url));

/** Runs the qsign CLI on the host with `clientConfig`; throws with its stderr on failure. */
export function qsignWith(clientConfig: string, args: string[]): string {
  const r = spawnSync(process.execPath, [QSIGN, ...args], { env: { ...process.env, QSIGN_CONFIG: clientConfig }, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`qsign ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Waits (generously: containers on 2 loaded cores) until the coordinator in `clientConfig` has `nodes` healthy nodes. */
export async function waitForCluster(clientConfig: string, nodes: number): Promise<void> {
  const cfg = loadClientConfig(clientConfig);
  await waitHealthy(cfg.coordinator, nodes, 300_000, coordinatorTransport(cfg));
}

/** Certifies `key` through the cluster and imports its certificate into a fresh rpm database under `dir`; returns the dbpath. */
export function trustKey(clientConfig: string, key: string, dir: string): string {
  requireTools('rpmbuild', 'rpmkeys');
  qsignWith(clientConfig, ['certify', '--key', key]);
  writeFileSync(join(dir, 'key.asc'), qsignWith(clientConfig, ['pubkey', '--key', key, '--armor']));
  const dbpath = join(dir, 'rpmdb');
  mkdirSync(dbpath, { recursive: true });
  const imp = spawnSync('rpmkeys', ['--dbpath', dbpath, '--import', join(dir, 'key.asc')], { encoding: 'utf8' });
  if (imp.status !== 0) throw new Error(`rpmkeys --import: ${imp.stderr}`);
  return dbpath;
}

/** Builds an RPM named `name`, signs it through the cluster and returns `rpmkeys -K -v` (status and output). */
export function signRpm(clientConfig: string, key: string, dir: string, dbpath: string, name: string): { status: number | null; output: string } {
  const rpm = buildRpm(dir, { name, version: '1.0', release: '1', buildArch: 'noarch', install: [`mkdir -p $RPM_BUILD_ROOT/usr/share/${name}`, `echo ${name} > $RPM_BUILD_ROOT/usr/share/${name}/README`], files: [`/usr/share/${name}`] });
  qsignWith(clientConfig, ['rpm', 'sign', '--key', key, rpm]);
  const sig = readRpm(new Uint8Array(readFileSync(rpm))).signatureHeader.entry(RpmSigTag.DSA);
  if (sig) registerSignatures([parseSignature(sig.data).signature64]);
  const r = spawnSync('rpmkeys', ['--dbpath', dbpath, '-K', '-v', rpm], { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

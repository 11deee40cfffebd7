/**
 * The files of a cluster that runs in containers (deploy/compose, the
 * container tests): each party reached by its container host name (`nodeN`,
 * `coordinator`), mutual TLS from a cluster CA (`qsign pki`) issued for those
 * names, one key split K-of-M by a development ceremony and imported into
 * each node's store. Nothing is started. The layout, mounted per container:
 *
 *   DIR/node-N/       → /data (rw): node.json, master.key, data/
 *   DIR/coordinator/  → /data (rw): coordinator.json, master.key, data/
 *   DIR/tls/          → /etc/qsign/tls (ro): ca.crt and every leaf (no CA key)
 *   DIR/pki/          the CA key: stays on the host
 *   DIR/client.json   the signing client's config, for the host (the
 *                     coordinator published on 127.0.0.1:PORT)
 */
import { chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { QsignError } from '@qsign/protocol';
import { initNode, loadNodeConfig, NodeSigner, nodeVerifierKey, nonceHedge, openNodeStore } from '@qsign/node';
import { openCoordinatorLog } from '@qsign/coordinator';
import { defaultUserId, splitKey, wipeShares } from '@qsign/ceremony';
import { pinPeers, createDevRoles, grantLifecycleRoles } from './cluster-lifecycle.js';
import { clientTrust } from './cluster.js';

/** Options of {@link containerClusterConfigs}. */
export interface ContainerClusterOptions {
  dir: string;
  nodes: number;
  threshold: number;
  keyName: string;
  /** The port the coordinator is published on at 127.0.0.1 (client.json). */
  port: number;
  /** Owner (uid) of the files the containers read and write (default 10001, the image's qsign user; only applied as root). */
  uid?: number;
}

/** The container host name of node `id` and of the coordinator. */
export const nodeHost = (id: number): string => `node${id}`;
export const COORDINATOR_HOST = 'coordinator';
/** Where the image's daemons find their TLS files. */
export const CONTAINER_TLS_DIR = '/etc/qsign/tls';
const PORT = 7101;
/** Every daemon's plaintext health-only listener (`healthListen`, for probes). */
export const HEALTH_PORT = 7180;

/** Writes the configs, TLS files and node stores of a container cluster into `dir` (which must not exist yet). */
export async function containerClusterConfigs(o: ContainerClusterOptions): Promise<{ clientConfig: string }> {
  const dir = resolve(o.dir);
  let exists = true;
  try { statSync(dir); } catch { exists = false; }
  if (exists) throw new QsignError('INVALID_ARGUMENT', `${dir} already exists; remove it or pick another --dir`);
  mkdirSync(join(dir, 'tls'), { recursive: true, mode: 0o755 });
  const { pkiInit, pkiIssue } = await import('./pki.js');
  const pki = join(dir, 'pki');
  await pkiInit(pki, { name: 'qsign container cluster CA' });
  writeFileSync(join(dir, 'tls', 'ca.crt'), readFileSync(join(pki, 'ca.crt')));
  const ids = Array.from({ length: o.nodes }, (_, i) => i + 1);
  for (const id of ids) await pkiIssue(pki, { role: 'node', name: String(id) }, { hosts: [nodeHost(id)], out: join(dir, 'tls', `node-${id}`) });
  await pkiIssue(pki, { role: 'coordinator', name: COORDINATOR_HOST }, { hosts: [COORDINATOR_HOST, '127.0.0.1', 'localhost'], out: join(dir, 'tls', 'coordinator') });
  await pkiIssue(pki, { role: 'client', name: 'client' }, { out: join(pki, 'client') });

  const clientSecret = ed25519.utils.randomSecretKey();
  const roles = createDevRoles(dir);
  const tls = (name: string) => ({ ca: `${CONTAINER_TLS_DIR}/ca.crt`, cert: `${CONTAINER_TLS_DIR}/${name}.crt`, key: `${CONTAINER_TLS_DIR}/${name}.key` });
  const { files } = splitKey({ keyName: o.keyName, threshold: o.threshold, shares: o.nodes, userId: defaultUserId(o.keyName) });
  const nodes: Array<{ id: number; verifierKey: string; config: string }> = [];
  try {
    const enrollment: Array<{ id: number; enrollmentKey: string }> = [];
    for (const id of ids) {
      const r = await initNode({ dir: join(dir, `node-${id}`), nodeId: id, listen: `0.0.0.0:${PORT}`, devMasterKey: true, clients: [{ name: 'client', publicKey: bytesToHex(ed25519.getPublicKey(clientSecret)) }] });
      enrollment.push({ id, enrollmentKey: r.enrollmentPublicKey });
      const cfg = JSON.parse(readFileSync(r.configPath, 'utf8')) as Record<string, unknown>;
      delete cfg.insecurePlaintext;
      writeFileSync(r.configPath, JSON.stringify({ ...cfg, adminSocket: '/run/qsign/admin.sock', healthListen: `0.0.0.0:${HEALTH_PORT}`, tls: { ...tls(`node-${id}`), coordinators: [COORDINATOR_HOST] } }, null, 2) + '\n');
      grantLifecycleRoles(r.configPath, roles, Math.min(...ids)); // the coordinator's default RSA dealer, allowed by every node
      nodes.push({ id, verifierKey: '', config: r.configPath });
    }
    for (const n of nodes) pinPeers(n.config, enrollment);
    for (const n of nodes) {
      const cfg = loadNodeConfig(n.config);
      const store = await openNodeStore(cfg);
      try {
        await new NodeSigner(cfg, store, await nonceHedge(store)).importShare(files.find((f) => f.identifier === n.id)!);
        n.verifierKey = await nodeVerifierKey(cfg, store);
      } finally {
        await store.close();
      }
    }
  } finally {
    wipeShares(files);
  }
  for (const n of nodes) pinPeers(n.config, nodes.map((p) => ({ id: p.id, address: `${nodeHost(p.id)}:${PORT}`, verifierKey: p.verifierKey })));

  const cdir = join(dir, 'coordinator');
  const cmaster = randomBytes(32);
  writeFileSync(join(cdir, 'master.key'), bytesToHex(cmaster) + '\n', { mode: 0o600 });
  writeFileSync(join(cdir, 'coordinator.json'), JSON.stringify({ coordinatorId: COORDINATOR_HOST, listen: '0.0.0.0:7100', healthListen: `0.0.0.0:${HEALTH_PORT}`, nodes: ids.map((id) => ({ id, address: `${nodeHost(id)}:${PORT}` })), dataDir: 'data', masterKeyFile: 'master.key', development: true, tls: tls('coordinator') }, null, 2) + '\n');
  (await openCoordinatorLog(join(cdir, 'data'), cmaster, COORDINATOR_HOST)).store.close();

  const clientConfig = join(dir, 'client.json');
  const trust = clientTrust(nodes, o.threshold, [files[0]!]);
  const client = { coordinator: `127.0.0.1:${o.port}`, clientName: 'client', secretKey: bytesToHex(clientSecret), officer: 'officer.json', ...trust, tls: { ca: 'tls/ca.crt', cert: 'pki/client.crt', key: 'pki/client.key' } };
  writeFileSync(clientConfig, JSON.stringify(client, null, 2) + '\n', { mode: 0o600 });
  if (process.getuid?.() === 0) for (const sub of [...ids.map((id) => `node-${id}`), 'coordinator', 'tls']) chownTree(join(dir, sub), o.uid ?? 10001);
  return { clientConfig };
}

/** chown -R. */
function chownTree(p: string, uid: number): void {
  chownSync(p, uid, uid);
  if (statSync(p).isDirectory()) for (const name of readdirSync(p)) chownTree(join(p, name), uid);
}

/**
 * Development-cluster helpers for the key lifecycle: pinning peers'
 * enrollment keys in node configs, unsealing over operator sockets, and
 * adding a brand-new node to a running cluster (for reshares).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { QsignError, errorMessage } from '@qsign/protocol';
import { initNode, loadNodeConfig, offlineVerifierKey } from '@qsign/node';
import { writeConfigObject } from '@qsign/client';
import { CoordinatorKeysRpcClient, NodeSealRpcClient } from '@qsign/rpc';
import { QsignClient, coordinatorTransport, loadOfficerKey, makeWindowedKey, type PublishedWindow } from '@qsign/client';
import { clusterCoordinators, freePort, spawnDaemon, QSIGN_BIN, type ClusterFile, type ClusterProcess } from './cluster.js';
import { addNodeTransport, issueFor } from './cluster-tls.js';
import { loadClientConfig } from '@qsign/client';

/** One entry of a node config's `peers` list (see @qsign/node peers.ts). */
export interface PeerEntry {
  id: number;
  address?: string;
  verifierKey?: string;
  enrollmentKey?: string;
}

/**
 * Adds or updates `peers` (except the node itself) in a node config file:
 * fields given are set, fields pinned before (enrollment key, audit address
 * and verifier key) are kept.
 */
export function pinPeers(configPath: string, peers: PeerEntry[]): void {
  const raw = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  const have = new Map(((raw.peers as PeerEntry[]) ?? []).map((p) => [p.id, { ...p }]));
  for (const p of peers) {
    if (p.id === raw.nodeId) continue;
    const entry = have.get(p.id) ?? { id: p.id };
    for (const f of ['address', 'verifierKey', 'enrollmentKey'] as const) if (p[f] !== undefined) entry[f] = p[f];
    have.set(p.id, entry);
  }
  raw.peers = [...have.values()].sort((a, b) => a.id - b.id);
  writeFileSync(configPath, JSON.stringify(raw, null, 2) + '\n');
}

/** The lifecycle roles of a development cluster (docs/key-lifecycle.md, "Roles"): public halves. */
export interface DevRoles {
  officer: { name: string; publicKey: string };
  keygenClient: { name: string; publicKey: string };
  /** The coordinator's renewal client (`renew` permission: re-issues self-signatures before keys expire). */
  renewalClient: { name: string; publicKey: string };
}

/** The client name of a development coordinator's renewal loop. */
export const DEV_RENEWAL_CLIENT = 'coordinator-renewal';

/**
 * Creates a development cluster's lifecycle keys: the officer key
 * (`DIR/officer.json`, 0600, separate from the signing client key) and the
 * coordinator's keygen client key (`DIR/coordinator/keygen-client.key`, for
 * copr-keygen's gen_key) and renewal client key (`DIR/coordinator/renewal-client.key`). Returns their public halves for the node configs.
 */
export function createDevRoles(dir: string): DevRoles {
  const officer = ed25519.utils.randomSecretKey();
  const keygen = ed25519.utils.randomSecretKey();
  writeFileSync(join(dir, 'officer.json'), JSON.stringify({ name: 'dev-officer', secretKey: bytesToHex(officer) }, null, 2) + '\n', { mode: 0o600 });
  mkdirSync(join(dir, 'coordinator'), { recursive: true });
  writeFileSync(join(dir, 'coordinator', 'keygen-client.key'), bytesToHex(keygen) + '\n', { mode: 0o600 });
  const renewal = ed25519.utils.randomSecretKey();
  writeFileSync(join(dir, 'coordinator', 'renewal-client.key'), bytesToHex(renewal) + '\n', { mode: 0o600 });
  return {
    officer: { name: 'dev-officer', publicKey: bytesToHex(ed25519.getPublicKey(officer)) },
    keygenClient: { name: 'copr-keygen', publicKey: bytesToHex(ed25519.getPublicKey(keygen)) },
    renewalClient: { name: DEV_RENEWAL_CLIENT, publicKey: bytesToHex(ed25519.getPublicKey(renewal)) },
  };
}

/**
 * Writes the roles into a node config: the officer, the keygen client
 * (`permissions: ["keygen"]`), the renewal client (`["renew"]`), `lifecycle.hold: []` — a development
 * cluster's operator is its developer; production nodes hold reshare and
 * retire by default — and `lifecycle.rsaDealers: [rsaDealer]`, the node the coordinator names to
 * deal new RSA keys by default (its lowest node id); production nodes allow no dealer by default.
 */
export function grantLifecycleRoles(configPath: string, roles: DevRoles, rsaDealer: number): void {
  const raw = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  const clients = ((raw.clients as Array<{ name: string }>) ?? []).filter((c) => c.name !== roles.keygenClient.name && c.name !== roles.renewalClient.name);
  raw.clients = [...clients, { ...roles.keygenClient, permissions: ['keygen'] }, { ...roles.renewalClient, permissions: ['renew'] }];
  raw.officers = [roles.officer];
  raw.lifecycle = { hold: [], rsaDealers: [rsaDealer] };
  writeFileSync(configPath, JSON.stringify(raw, null, 2) + '\n');
}

/** Unseals a node over its operator socket, retrying while the daemon starts. */
export async function unsealOverSocket(socket: string, shares: string[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    const c = new NodeSealRpcClient(socket);
    try {
      await c.unseal(shares.map((s) => Uint8Array.from(Buffer.from(s, 'hex'))), 3000);
      return;
    } catch (e) {
      last = errorMessage(e);
      if ((e as QsignError).code === 'SEALED' || (e as QsignError).code === 'INVALID_ARGUMENT') throw e;
    } finally {
      c.close();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new QsignError('DEADLINE', `could not unseal the node at ${socket}: ${last}`);
}

/**
 * Initialises and starts a new node (development master key) in a running
 * cluster directory: it takes the first node's clients, officers and
 * lifecycle policy, pins every existing node (enrollment key, audit address
 * and verifier key) and is pinned by them in their configs. They read the
 * new pin at their next start — until then they refuse reshares to it (key
 * material moves only to pinned peers): restart them. The coordinator's
 * config gains the node; restart the coordinator too.
 */
export async function addClusterNode(dir: string, cluster: ClusterFile, id: number, clientPublicKey: string, env: NodeJS.ProcessEnv = process.env): Promise<ClusterProcess & { enrollmentKey: string }> {
  if (cluster.nodes.some((n) => n.id === id)) throw new QsignError('INVALID_ARGUMENT', `node ${id} already exists`);
  const ndir = join(dir, `node-${id}`);
  const port = await freePort();
  const r = await initNode({ dir: ndir, nodeId: id, listen: `127.0.0.1:${port}`, devMasterKey: true, clients: [{ name: 'dev-client', publicKey: clientPublicKey }] });
  const plaintext = loadClientConfig(cluster.clientConfig).transport.kind === 'insecure';
  if (!plaintext) await issueFor(dir, { role: 'node', name: String(id) });
  const coordinatorIds = clusterCoordinators(cluster).map((c) => (JSON.parse(readFileSync(c.config, 'utf8')) as { coordinatorId?: string }).coordinatorId ?? 'coordinator');
  addNodeTransport(dir, r.configPath, id, coordinatorIds, plaintext);
  const peers = cluster.nodes.map((n) => ({ id: n.id, address: n.verifierKey ? n.address : undefined, verifierKey: n.verifierKey, enrollmentKey: readFileSync(join(n.config, '..', 'enrollment.pub'), 'utf8').trim() }));
  copyRoles(cluster.nodes[0]!.config, join(ndir, 'node.json'));
  pinPeers(join(ndir, 'node.json'), peers);
  const cfg = loadNodeConfig(join(ndir, 'node.json'));
  const verifierKey = await offlineVerifierKey(cfg);
  for (const n of cluster.nodes) pinPeers(n.config, [{ id, address: cfg.listen, verifierKey, enrollmentKey: r.enrollmentPublicKey }]);
  pinClientNode(cluster.clientConfig, id, verifierKey);
  const proc: ClusterProcess = { id, address: cfg.listen, pid: 0, dataDir: cfg.dataDir, config: r.configPath, log: join(ndir, 'node.log'), command: [process.execPath, QSIGN_BIN, 'node', 'start', '--config', r.configPath], verifierKey };
  proc.pid = spawnDaemon(proc.command, proc.log, env);
  cluster.nodes.push(proc);
  const ccfg = JSON.parse(readFileSync(cluster.coordinator.config, 'utf8')) as { nodes: Array<{ id: number; address: string }> };
  ccfg.nodes.push({ id, address: proc.address });
  writeFileSync(cluster.coordinator.config, JSON.stringify(ccfg, null, 2) + '\n');
  return { ...proc, enrollmentKey: r.enrollmentPublicKey };
}

/** Adds node `id`'s identity to a client config's pinned `nodes` (docs/pinning.md), so it may attest keys. */
export function pinClientNode(clientConfig: string, id: number, verifierKey: string): void {
  const o = JSON.parse(readFileSync(clientConfig, 'utf8')) as Record<string, unknown>;
  const nodes = ((o.nodes as Array<{ id: number }> | undefined) ?? []).filter((n) => n.id !== id);
  writeConfigObject(clientConfig, { ...o, nodes: [...nodes, { id, verifierKey }].sort((a, b) => a.id - b.id) });
}

/** Copies the role fields (clients, officers, lifecycle) of one node config into another. */
function copyRoles(from: string, to: string): void {
  const src = JSON.parse(readFileSync(from, 'utf8')) as Record<string, unknown>;
  const dst = JSON.parse(readFileSync(to, 'utf8')) as Record<string, unknown>;
  for (const f of ['clients', 'officers', 'lifecycle']) if (src[f] !== undefined) dst[f] = src[f];
  writeFileSync(to, JSON.stringify(dst, null, 2) + '\n');
}

/**
 * `qsign cluster up --window`: makes the development key `keyName` (already split and pinned)
 * a windowed key — its windows' signing subkeys by DKG, bound by threshold bindings
 * (`@qsign/client` makeWindowedKey). Returns the windows.
 */
export async function makeDevWindowedKey(clientConfig: string, keyName: string, windowSeconds: number, say: (m: string) => void): Promise<PublishedWindow[]> {
  const config = loadClientConfig(clientConfig);
  const client = new QsignClient(config);
  const keys = new CoordinatorKeysRpcClient(config.coordinator, coordinatorTransport(config));
  try {
    const officer = loadOfficerKey(undefined, config);
    const info = await client.key(keyName);
    const made = await makeWindowedKey(client, keys, { keyName, userId: info.userId, threshold: 0, windowSeconds, officerSecretKey: officer.secretKey, say, existingPrimary: true });
    return made.windows;
  } finally {
    keys.close();
    client.close();
  }
}

/**
 * Development-cluster helpers for the key lifecycle: pinning peers'
 * enrollment keys in node configs, unsealing over operator sockets, and
 * adding a brand-new node to a running cluster (for reshares).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QsignError, errorMessage } from '@qsign/protocol';
import { initNode, loadNodeConfig } from '@qsign/node';
import { NodeSealRpcClient } from '@qsign/rpc';
import { freePort, spawnDaemon, QSIGN_BIN, type ClusterFile, type ClusterProcess } from './cluster.js';
import { addNodeTransport, issueFor } from './cluster-tls.js';
import { loadClientConfig } from './client-config.js';

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
 * cluster directory: it pins every existing node's enrollment key and is
 * pinned by them in their configs (they read it at their next start; a
 * reshare plan carries it signed meanwhile). The coordinator is not told:
 * restart it with the new node in its config (returned path).
 */
export async function addClusterNode(dir: string, cluster: ClusterFile, id: number, clientPublicKey: string, env: NodeJS.ProcessEnv = process.env): Promise<ClusterProcess & { enrollmentKey: string }> {
  if (cluster.nodes.some((n) => n.id === id)) throw new QsignError('INVALID_ARGUMENT', `node ${id} already exists`);
  const ndir = join(dir, `node-${id}`);
  const port = await freePort();
  const r = await initNode({ dir: ndir, nodeId: id, listen: `127.0.0.1:${port}`, devMasterKey: true, clients: [{ name: 'dev-client', publicKey: clientPublicKey }] });
  const plaintext = loadClientConfig(cluster.clientConfig).transport.kind === 'insecure';
  if (!plaintext) await issueFor(dir, { role: 'node', name: String(id) });
  addNodeTransport(dir, r.configPath, id, JSON.parse(readFileSync(cluster.coordinator.config, 'utf8')).coordinatorId ?? 'coordinator', plaintext);
  const peers = cluster.nodes.map((n) => ({ id: n.id, enrollmentKey: readFileSync(join(n.config, '..', 'enrollment.pub'), 'utf8').trim() }));
  pinPeers(join(ndir, 'node.json'), peers);
  for (const n of cluster.nodes) pinPeers(n.config, [{ id, enrollmentKey: r.enrollmentPublicKey }]);
  const cfg = loadNodeConfig(join(ndir, 'node.json'));
  const proc: ClusterProcess = { id, address: cfg.listen, pid: 0, dataDir: cfg.dataDir, config: r.configPath, log: join(ndir, 'node.log'), command: [process.execPath, QSIGN_BIN, 'node', 'start', '--config', r.configPath] };
  proc.pid = spawnDaemon(proc.command, proc.log, env);
  cluster.nodes.push(proc);
  const ccfg = JSON.parse(readFileSync(cluster.coordinator.config, 'utf8')) as { nodes: Array<{ id: number; address: string }> };
  ccfg.nodes.push({ id, address: proc.address });
  writeFileSync(cluster.coordinator.config, JSON.stringify(ccfg, null, 2) + '\n');
  return { ...proc, enrollmentKey: r.enrollmentPublicKey };
}

/**
 * Mutual TLS for development clusters (`qsign cluster up`, on by default):
 * DIR/pki holds the cluster CA and one certificate per node, the
 * coordinator and the client; each config's `tls` section points at its
 * own files (docs/tls.md). `plaintext` writes the development plaintext
 * mode instead (loopback only).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { loadCoordinatorConfig } from '@qsign/coordinator';
import { openTransport, type PeerIdentity, type TransportSecurity } from '@qsign/rpc';
import { pkiPaths } from './pki-files.js';
import { loadClientConfig } from '@qsign/client';
import type { ClusterFile } from './cluster.js';

/** Where a dev cluster keeps its CA and certificates. */
export const clusterPkiDir = (dir: string): string => join(resolve(dir), 'pki');

/** Creates DIR/pki: a CA and certificates for `nodes`, the coordinators and the client (all reached on 127.0.0.1). */
export async function clusterPki(dir: string, nodes: number[], coordinatorIds: string[], clientName: string): Promise<void> {
  const pki = clusterPkiDir(dir);
  const { pkiInit } = await import('./pki.js'); // loaded on use: the X.509 library is large
  await pkiInit(pki, { name: `qsign dev cluster CA (${resolve(dir)})`.slice(0, 64) });
  for (const id of nodes) await issueFor(dir, { role: 'node', name: String(id) });
  for (const name of coordinatorIds) await issueFor(dir, { role: 'coordinator', name });
  await issueFor(dir, { role: 'client', name: clientName });
}

/** Issues DIR/pki/ROLE-NAME.{crt,key} (e.g. for a node added later). */
export async function issueFor(dir: string, id: PeerIdentity): Promise<{ cert: string; key: string }> {
  const { pkiIssue } = await import('./pki.js');
  return pkiIssue(clusterPkiDir(dir), id, { hosts: ['127.0.0.1', 'localhost'] });
}

/** The config fields that select the transport of `id`, with paths relative to `configFile`. */
export function transportFields(dir: string, configFile: string, id: PeerIdentity, plaintext: boolean): Record<string, unknown> {
  if (plaintext) return { insecurePlaintext: true };
  const pki = clusterPkiDir(dir);
  const rel = (p: string) => relative(dirname(resolve(configFile)), p);
  return { tls: { ca: rel(pkiPaths(pki).caCert), cert: rel(join(pki, `${id.role}-${id.name}.crt`)), key: rel(join(pki, `${id.role}-${id.name}.key`)) } };
}

/** Adds a node's transport to its node.json: its certificate, and the coordinators it serves. */
export function addNodeTransport(dir: string, configFile: string, nodeId: number, coordinatorIds: string[], plaintext: boolean): void {
  const cfg = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  const t = transportFields(dir, configFile, { role: 'node', name: String(nodeId) }, plaintext);
  if (t.tls) (t.tls as Record<string, unknown>).coordinators = coordinatorIds;
  delete cfg.insecurePlaintext; // node init's default for a development node without TLS files
  writeFileSync(configFile, JSON.stringify({ ...cfg, ...(plaintext ? { development: true } : {}), ...t }, null, 2) + '\n');
}

/**
 * A tool's transport into a dev cluster as one of its parties: the client
 * (its client.json certificate) or the coordinator (tests that drive nodes
 * directly stand where the coordinator stands). No server identity check.
 */
export function clusterTransportAs(cluster: ClusterFile, who: 'coordinator' | 'client'): TransportSecurity {
  return openTransport(who === 'client' ? loadClientConfig(cluster.clientConfig).transport : loadCoordinatorConfig(cluster.coordinator.config).transport);
}

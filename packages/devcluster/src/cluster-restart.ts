/**
 * Restarting a development cluster from its `cluster.json`: `cluster start`
 * (and `cluster up` on an existing directory) starts every stopped process,
 * `cluster restart NODE` restarts one, and `cluster reload NODE` asks a node
 * to re-read its policy (SIGHUP). Every pid change is written back to
 * `cluster.json` at once, so `cluster down` always finds every process.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QSIGN_HINT, QsignError } from '@qsign/protocol';
import { loadNodeConfig } from '@qsign/node';
import { startClusterAgent } from './cluster-agent.js';
import { alive, clusterCoordinators, clusterProcesses, clusterTransport, readClusterFile, spawnDaemon, stopPids, waitHealthy, writeClusterFile, type ClusterFile, type ClusterProcess } from './cluster.js';

/** True if `dir` holds a cluster made by `cluster up` (running or stopped). */
export function hasCluster(dir: string): boolean {
  return existsSync(join(resolve(dir), 'cluster.json'));
}

/** The process of `cluster.json` named by `which`: a node id, or "coordinator" / 0. */
export function clusterProcess(cluster: ClusterFile, which: string): ClusterProcess {
  if (which === 'coordinator' || which === '0') return cluster.coordinator;
  const n = cluster.nodes.find((x) => String(x.id) === which);
  if (!n) throw new QsignError('INVALID_ARGUMENT', `no node ${which} in this cluster (nodes ${cluster.nodes.map((x) => x.id).join(', ')}, or "coordinator")`);
  return n;
}

function refuseSealed(p: ClusterProcess): void {
  if (p.id !== 0 && !loadNodeConfig(p.config).masterKeyFile)
    throw new QsignError('SEALED', `node ${p.id} is sealed (no development master key): start it with '${QSIGN_HINT} node start --config ${p.config}' and unseal it with '${QSIGN_HINT} node unseal --config ${p.config}'`);
}

/**
 * Starts every process of a stopped cluster directory with the commands
 * recorded in `cluster.json`; refuses if any of them still runs.
 */
export async function clusterStart(dir: string, o: { env?: NodeJS.ProcessEnv; timeoutMs?: number; progress?: (m: string) => void } = {}): Promise<ClusterFile> {
  const cluster = readClusterFile(dir);
  const all = [...cluster.nodes, ...clusterCoordinators(cluster), ...(cluster.agent ? [cluster.agent] : [])];
  const running = all.filter((p) => p.pid > 0 && alive(p.pid));
  if (running.length) throw new QsignError('INVALID_ARGUMENT', `the cluster in ${dir} is already running (pids ${running.map((p) => p.pid).join(', ')}); restart one process with '${QSIGN_HINT} cluster restart NODE --dir ${dir}' or stop it with '${QSIGN_HINT} cluster down --dir ${dir}'`);
  for (const n of cluster.nodes) refuseSealed(n);
  for (const n of cluster.nodes) n.pid = spawnDaemon(n.command, n.log, { ...process.env, ...o.env });
  for (const c of clusterCoordinators(cluster)) c.pid = spawnDaemon(c.command, c.log);
  writeClusterFile(resolve(dir), cluster);
  o.progress?.(`started ${cluster.nodes.length} nodes and a coordinator from ${dir}/cluster.json; waiting until all are healthy`);
  await waitHealthy(cluster.coordinator.address, cluster.nodes.length, o.timeoutMs ?? 60_000, clusterTransport(cluster), clusterProcesses(cluster));
  if (cluster.agent) await startClusterAgent(resolve(dir), cluster, o.progress);
  return cluster;
}

/**
 * Restarts one process (a node id or the coordinator): stops it if it runs,
 * starts it with its recorded command, writes the new pid to `cluster.json`
 * and waits until the coordinator sees every running node healthy.
 */
export async function clusterRestart(dir: string, which: string, o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ClusterProcess> {
  const cluster = readClusterFile(dir);
  const p = clusterProcess(cluster, which);
  refuseSealed(p);
  await stopPids([p.pid]);
  p.pid = 0;
  writeClusterFile(resolve(dir), cluster);
  p.pid = spawnDaemon(p.command, p.log, { ...process.env, ...o.env });
  writeClusterFile(resolve(dir), cluster);
  const coordinatorUp = cluster.coordinator.pid > 0 && alive(cluster.coordinator.pid);
  if (coordinatorUp) await waitHealthy(cluster.coordinator.address, cluster.nodes.filter((n) => n.pid > 0 && alive(n.pid)).length, o.timeoutMs ?? 60_000, clusterTransport(cluster));
  return p;
}

/** Asks a running node to reload its policy (SIGHUP; the node audits the change). */
export function clusterReload(dir: string, which: string): ClusterProcess {
  const p = clusterProcess(readClusterFile(dir), which);
  if (p.id === 0) throw new QsignError('INVALID_ARGUMENT', 'only nodes have a policy to reload; restart the coordinator instead');
  if (!(p.pid > 0 && alive(p.pid))) throw new QsignError('NODE_UNAVAILABLE', `node ${p.id} is not running; start it with '${QSIGN_HINT} cluster restart ${p.id} --dir ${dir}'`);
  process.kill(p.pid, 'SIGHUP');
  return p;
}

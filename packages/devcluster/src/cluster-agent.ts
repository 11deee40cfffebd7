/**
 * The development cluster's `qsign agent` (docs/agent.md): `cluster up`
 * starts it on DIR/agent/agent.sock (a 0700 directory) once the cluster is
 * healthy and points client.json at it ("agent": {"socket"}), so `sign` and
 * the README's commands take the thin-client path with no extra step.
 * `cluster down` stops it with the rest; `cluster start` starts it again.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QsignError } from '@qsign/protocol';
import { writeConfigObject } from '@qsign/client';
import { MAX_SOCKET_PATH } from '@qsign/agent';
import { canReachSocket } from '@qsign/agent/thin';
import { alive, spawnDaemon, writeClusterFile, QSIGN_BIN, type ClusterFile, type ClusterProcess } from './cluster.js';

/** The agent process of a cluster directory (not started), or undefined if its socket path would be too long. */
export function clusterAgentProcess(dir: string, clientConfig: string): ClusterProcess | undefined {
  const adir = join(dir, 'agent');
  const socket = join(adir, 'agent.sock');
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) return undefined;
  return { id: -1, address: socket, pid: 0, dataDir: adir, config: clientConfig, log: join(adir, 'agent.log'), command: [process.execPath, QSIGN_BIN, 'agent', '--config', clientConfig, '--socket', socket] };
}

/**
 * Starts the cluster's agent (a new one, or the one cluster.json records),
 * waits until it listens and writes its socket into client.json.
 */
export async function startClusterAgent(dir: string, cluster: ClusterFile, say: (m: string) => void = () => undefined, timeoutMs = 30_000): Promise<void> {
  const proc = cluster.agent ?? clusterAgentProcess(dir, cluster.clientConfig);
  if (!proc) {
    say(`not starting an agent: ${join(dir, 'agent', 'agent.sock')} is too long for a unix socket address; sign calls connect directly`);
    return;
  }
  mkdirSync(proc.dataDir, { recursive: true, mode: 0o700 });
  proc.pid = spawnDaemon(proc.command, proc.log);
  cluster.agent = proc;
  writeClusterFile(dir, cluster);
  const until = Date.now() + timeoutMs;
  while (!(await canReachSocket(proc.address))) {
    if (!alive(proc.pid) || Date.now() > until)
      throw new QsignError('INTERNAL', `the agent did not start listening on ${proc.address} (log: ${proc.log}): ${readFileSync(proc.log, 'utf8').trim().split('\n').slice(-3).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const o = JSON.parse(readFileSync(cluster.clientConfig, 'utf8')) as Record<string, unknown>;
  if ((o.agent as { socket?: string } | undefined)?.socket !== proc.address) writeConfigObject(cluster.clientConfig, { ...o, agent: { socket: proc.address } });
  say(`agent listening on ${proc.address}: sign calls go through it (client.json "agent")`);
}

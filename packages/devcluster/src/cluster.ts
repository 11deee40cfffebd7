/**
 * A development cluster, like `vault server -dev`: one key split 3-of-5,
 * M node processes and a coordinator on free loopback ports, master keys in
 * files (development mode). `cluster.json` says how to restart each process.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync, readFileSync, readdirSync, existsSync, closeSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { QSIGN_HINT, QsignError, errorMessage, keyFingerprint } from '@qsign/protocol';
import { loadNodeConfig, initNode, importOffline } from '@qsign/node';
import { openCoordinatorLog } from '@qsign/coordinator';
import { CoordinatorRpcClient, type TransportSecurity } from '@qsign/rpc';
import { DEV_RENEWAL_CLIENT, createDevRoles, grantLifecycleRoles, makeDevWindowedKey, pinPeers, unsealOverSocket } from './cluster-lifecycle.js';
import { defaultUserId, generateRsaKey, readGpgRsaKey, splitKey, splitRsaKey, wipeShares, type RsaDealerKey } from '@qsign/ceremony';
import { QsignClient } from '@qsign/client';
import { coordinatorTransport, loadClientConfig, pinOf } from '@qsign/client';
import { addNodeTransport, clusterPki, transportFields } from './cluster-tls.js';
import { certifyKey } from '@qsign/client';
import { startClusterAgent } from './cluster-agent.js';

/** Path of the compiled `qsign` entry point, for spawning daemons. */
export const QSIGN_BIN = fileURLToPath(new URL('../../cli/dist/bin/qsign.js', import.meta.url));

/** One process of a cluster, with what restarts it. */
export interface ClusterProcess {
  id: number;
  address: string;
  pid: number;
  dataDir: string;
  config: string;
  log: string;
  command: string[];
  /** The process's audit log verifier key (c2sp.org/signed-note vkey), pinned at creation. */
  verifierKey?: string;
  /** Its Prometheus metrics address (clusters started with `metrics`). */
  metrics?: string;
}

/** `cluster.json`. */
export interface ClusterFile {
  /** Only in clusterUp's return value with `unseal`: each node's unseal shares (never written to disk). */
  unsealShares?: Record<number, string[]>;
  coordinator: ClusterProcess;
  /** Further coordinators over the same nodes (`--coordinators N`); the client config lists them all. */
  moreCoordinators?: ClusterProcess[];
  nodes: ClusterProcess[];
  threshold: number;
  keyName: string;
  clientConfig: string;
  /** The coordinator's copr-keygen HTTP address (loopback). */
  keygen?: string;
  /** The `qsign agent` serving client.json (address: its socket), when cluster up started one. */
  agent?: ClusterProcess;
}

/**
 * A free loopback TCP port that no qsign process on this machine handed out in the
 * last {@link PORT_HOLD_MS}: a dev cluster picks every port before any daemon binds,
 * and the OS offers a port again once the probe socket closes — to this process (seen:
 * the coordinator got node 1's port, and node 1 failed with EADDRINUSE) and to any
 * other one (two test files starting clusters at once drew the same port). So each
 * port handed out is also reserved by an exclusively created file under the temp
 * directory, which only ages out once the daemon has long since bound it; the first
 * reservation of each process deletes the aged-out ones, so the directory does not grow.
 * Ports are drawn below the ephemeral range, where no outgoing connection takes one
 * ({@link portRange}).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = await probePort();
    if (port !== undefined && !handedOut.has(port) && reservePort(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new QsignError('INTERNAL', 'no free loopback port found in 200 attempts');
}

const handedOut = new Set<number>();

/** How long a port handed out by {@link freePort} stays reserved across processes. */
export const PORT_HOLD_MS = 10 * 60_000;

let swept = false;

/** Deletes the reservations in `dir` older than {@link PORT_HOLD_MS} (best effort: another process may be doing the same). */
function sweepReservations(dir: string): void {
  swept = true;
  for (const name of readdirSync(dir)) {
    try {
      if (/^\d+$/.test(name) && Date.now() - statSync(join(dir, name)).mtimeMs >= PORT_HOLD_MS) unlinkSync(join(dir, name));
    } catch {
      // gone already, or taken over meanwhile
    }
  }
}

/** Reserves `port` machine-wide (false if another process holds it); best effort where the temp directory is not writable. */
function reservePort(port: number): boolean {
  const dir = join(tmpdir(), `qsign-ports-${process.getuid?.() ?? 'u'}`);
  const file = join(dir, String(port));
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!swept) sweepReservations(dir);
    closeSync(openSync(file, 'wx'));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return true; // no reservation possible here: the in-process set still applies
    try {
      if (Date.now() - statSync(file).mtimeMs < PORT_HOLD_MS) return false;
      utimesSync(file, new Date(), new Date()); // an old reservation: take it over
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * The ports {@link freePort} draws from: below the kernel's ephemeral range
 * (net.ipv4.ip_local_port_range, 32768–60999 by default). A port the OS hands out for
 * `listen(0)` comes from that range, which is also where every outgoing connection's
 * source port comes from — so between the pick and the daemon's bind, any client on the
 * machine (a test's gRPC channel) could take it as a source port, and the daemon failed
 * with EADDRINUSE (seen in a full test run). Below the range, only listeners compete.
 */
export function portRange(rangeFile = '/proc/sys/net/ipv4/ip_local_port_range'): { low: number; high: number } {
  let ephemeralLow = 32768;
  try {
    const first = Number(readFileSync(rangeFile, 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(first) && first > 2048) ephemeralLow = first;
  } catch {
    // not Linux: keep the IANA-style default
  }
  return { low: Math.max(1024, ephemeralLow - 12_000), high: ephemeralLow };
}

/** A random port below the ephemeral range if 127.0.0.1 can bind it right now (the probe socket is closed again), else undefined. */
function probePort(): Promise<number | undefined> {
  const { low, high } = portRange();
  const port = low + (randomBytes(2).readUInt16BE(0) % (high - low));
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(undefined));
    s.listen(port, '127.0.0.1', () => s.close(() => res(port)));
  });
}

/** Starts a detached daemon whose output goes to `log`; returns its pid. */
export function spawnDaemon(command: string[], log: string, env: NodeJS.ProcessEnv = process.env): number {
  const fd = openSync(log, 'a');
  const child = spawn(command[0]!, command.slice(1), { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  child.unref();
  if (!child.pid) throw new QsignError('INTERNAL', `could not start ${command.join(' ')}`);
  return child.pid;
}

/** Options of `cluster up`. */
export interface ClusterUpOptions {
  dir: string;
  nodes: number;
  threshold: number;
  keyName?: string;
  userId?: string;
  /** Sealed nodes: each gets K-of-L unseal shares instead of a dev master key file, and is unsealed after start. */
  unseal?: { threshold: number; shares: number };
  /** Extra environment for node processes (tests set QSIGN_TEST_FAULTS=1). */
  nodeEnv?: NodeJS.ProcessEnv;
  progress?: (msg: string) => void;
  timeoutMs?: number;
  /** Rewrites each node's config before it starts (e.g. to add a policy, clients or `digestOnlyKeys`). */
  nodeConfig?: (id: number, base: Record<string, unknown>) => Record<string, unknown>;
  /** More keys split the same way and imported into every node. */
  extraKeys?: string[];
  /** Skip the self-certification (default: certify, so `qsign pubkey --armor` works at once). */
  noCertificate?: boolean;
  /** Coordinators over the same nodes (default 1); each has its own id, port and audit log. */
  coordinators?: number;
  /** Serve Prometheus metrics from every daemon on a free loopback port (`metricsListen`). */
  metrics?: boolean;
  /** Development plaintext on loopback instead of mutual TLS (default: TLS with a CA in DIR/pki). */
  plaintext?: boolean;
  /** The cluster key's type (default ed25519); RSA keys are new safe-prime keys, dealt as Shoup threshold RSA shares. */
  keyType?: 'ed25519' | 'rsa2048' | 'rsa4096';
  /** The cluster key is this RSA secret key (`gpg --export-secret-keys`), keeping its fingerprint and certificate. */
  importGpg?: string;
  /** `cluster up --window`: the key becomes windowed, one signing subkey per window of this many seconds (makeDevWindowedKey). */
  windowSeconds?: number;
  /** The first coordinator's renewal loop (coordinator config `renewal`; default: 30d horizon, 365d validity, hourly). */
  renewal?: { horizon?: string; validity?: string; intervalSeconds?: number };
  /** Extra environment for every daemon, nodes and coordinators (tests set QSIGN_CLOCK_OFFSET_MS). */
  daemonEnv?: NodeJS.ProcessEnv;
  /** Start a `qsign agent` for client.json and point client.json at it (cluster-agent.ts; the CLI does by default). */
  agent?: boolean;
}

/** Brings a development cluster up; resolves once every node is healthy. */
export async function clusterUp(o: ClusterUpOptions): Promise<ClusterFile> {
  const dir = resolve(o.dir);
  const say = o.progress ?? (() => undefined);
  if (existsSync(join(dir, 'cluster.json'))) throw new QsignError('INVALID_ARGUMENT', `${dir} already holds a cluster; start it with '${QSIGN_HINT} cluster start --dir ${o.dir}' or pick another --dir`);
  if (existsSync(join(dir, 'node-1'))) throw new QsignError('INVALID_ARGUMENT', `${dir} holds node directories but no cluster.json (a cluster made by an older qsign, or a failed 'cluster up'); remove it or pick another --dir`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyName = o.keyName ?? 'demo';
  const clientSecret = ed25519.utils.randomSecretKey();
  const clientPub = bytesToHex(ed25519.getPublicKey(clientSecret));

  say(`splitting key "${keyName}" ${o.threshold}-of-${o.nodes} (trusted dealer, development ceremony)`);
  const rsa = await rsaClusterKey(o, keyName);
  const files = rsa ? splitRsaKey(keyName, o.threshold, o.nodes, rsa) : splitKey({ keyName, threshold: o.threshold, shares: o.nodes, userId: o.userId ?? defaultUserId(keyName) }).files;
  const extra = (o.extraKeys ?? []).map((k) => splitKey({ keyName: k, threshold: o.threshold, shares: o.nodes, userId: defaultUserId(k) }).files);

  const nodes: ClusterProcess[] = [];
  const unsealShares: Record<number, string[]> = {};
  const roles = createDevRoles(dir);
  try {
    const enrollment: Array<{ id: number; enrollmentKey: string }> = [];
    for (const f of files) {
      const id = f.identifier;
      const ndir = join(dir, `node-${id}`);
      const port = await freePort();
      const r = await initNode({ dir: ndir, nodeId: id, listen: `127.0.0.1:${port}`, devMasterKey: !o.unseal, unseal: o.unseal, clients: [{ name: 'dev-client', publicKey: clientPub }] });
      enrollment.push({ id, enrollmentKey: r.enrollmentPublicKey });
      if (o.unseal) unsealShares[id] = r.unsealShares;
    }
    // Every node pins every other node's enrollment key (DKG and reshare envelopes).
    for (const f of files) pinPeers(join(dir, `node-${f.identifier}`, 'node.json'), enrollment);
    // Officers and the coordinator's keygen client start lifecycle operations; the signing client cannot.
    // New RSA keys are dealt by the coordinator's default dealer, the lowest node id, which every node allows.
    const rsaDealer = Math.min(...files.map((f) => f.identifier));
    for (const f of files) grantLifecycleRoles(join(dir, `node-${f.identifier}`, 'node.json'), roles, rsaDealer);
    // Mutual TLS: a CA in DIR/pki, one certificate per party (docs/tls.md).
    const coordinatorIds = Array.from({ length: o.coordinators ?? 1 }, (_, k) => devCoordinatorId(k + 1));
    if (!o.plaintext) await clusterPki(dir, files.map((f) => f.identifier), coordinatorIds, 'dev-client');
    for (const f of files) addNodeTransport(dir, join(dir, `node-${f.identifier}`, 'node.json'), f.identifier, coordinatorIds, o.plaintext === true);
    for (const f of files) {
      const id = f.identifier;
      const ndir = join(dir, `node-${id}`);
      const cfgPath = join(ndir, 'node.json');
      if (o.nodeConfig) {
        const base = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
        writeFileSync(cfgPath, JSON.stringify(o.nodeConfig(id, base), null, 2) + '\n');
      }
      const cfg = loadNodeConfig(cfgPath);
      const port = Number(cfg.listen.split(':').pop());
      const { verifierKey } = await importOffline(cfg, { files: [f, ...extra.map((more) => more.find((x) => x.identifier === id)!)] }, o.unseal ? unsealShares[id]!.slice(0, o.unseal.threshold) : undefined);
      nodes.push({ id, address: `127.0.0.1:${port}`, pid: 0, dataDir: cfg.dataDir, config: cfgPath, log: join(ndir, 'node.log'), command: [process.execPath, QSIGN_BIN, 'node', 'start', '--config', cfgPath], verifierKey });
    }
  } finally {
    wipeShares(files);
    for (const more of extra) wipeShares(more);
  }
  // Every node witnesses every other node's audit checkpoints (docs/audit.md): the same
  // `peers` entries that pin enrollment keys gain the peer's address and verifier key.
  for (const n of nodes) pinPeers(n.config, nodes.map((p) => ({ id: p.id, address: p.address, verifierKey: p.verifierKey })));
  say(`imported one share into each of ${nodes.length} node stores; no share file was left on disk`);

  if (o.metrics) for (const n of nodes) n.metrics = await enableMetrics(n.config);
  const keygenPort = await freePort();
  const coordinators: ClusterProcess[] = [];
  for (let i = 1; i <= (o.coordinators ?? 1); i++) coordinators.push(await makeCoordinator(dir, i, nodes, { keygen: i === 1 ? `127.0.0.1:${keygenPort}` : undefined, renewal: i === 1 ? (o.renewal ?? {}) : undefined, metrics: o.metrics, plaintext: o.plaintext === true }));
  const [coordinator, ...moreCoordinators] = coordinators as [ClusterProcess, ...ClusterProcess[]];

  const clientConfig = join(dir, 'client.json');
  const trust = clientTrust(nodes, o.threshold, [files[0]!, ...extra.map((f) => f[0]!)]);
  const ktransport = transportFields(dir, clientConfig, { role: 'client', name: 'dev-client' }, o.plaintext === true);
  const addresses = moreCoordinators.length ? { coordinators: coordinators.map((c) => c.address) } : { coordinator: coordinator.address };
  writeFileSync(clientConfig, JSON.stringify({ ...addresses, clientName: 'dev-client', secretKey: bytesToHex(clientSecret), officer: 'officer.json', ...trust, ...ktransport }, null, 2) + '\n', { mode: 0o600 });
  const cluster: ClusterFile = { coordinator, ...(moreCoordinators.length && { moreCoordinators }), nodes, threshold: o.threshold, keyName, clientConfig, keygen: `127.0.0.1:${keygenPort}` };

  for (const n of nodes) n.pid = spawnDaemon(n.command, n.log, { ...process.env, ...o.daemonEnv, ...o.nodeEnv });
  for (const c of coordinators) c.pid = spawnDaemon(c.command, c.log, { ...process.env, ...o.daemonEnv });
  writeClusterFile(dir, cluster);
  say(`started ${nodes.length} nodes and a coordinator; waiting until all are healthy`);
  try {
    if (o.unseal) {
      say('unsealing each node over its operator socket');
      for (const n of nodes) await unsealOverSocket(loadNodeConfig(n.config).adminSocket, unsealShares[n.id]!.slice(0, o.unseal.threshold), 30_000);
    }
    for (const c of coordinators) await waitHealthy(c.address, nodes.length, o.timeoutMs ?? 60_000, clusterTransport(cluster), clusterProcesses(cluster));
    if (o.windowSeconds !== undefined) {
      say(`making key "${keyName}" windowed: one signing subkey per ${o.windowSeconds} s window, each by DKG`);
      await makeDevWindowedKey(clientConfig, keyName, o.windowSeconds, say);
    } else if (!o.noCertificate && !rsa) {
      say(`certifying key "${keyName}": the cluster signs its own user ID; each node verifies and stores the certificate`);
      const client = new QsignClient(loadClientConfig(clientConfig));
      try {
        await certifyKey(client, keyName);
      } finally {
        client.close();
      }
    }
    if (o.agent) await startClusterAgent(dir, cluster, say);
  } catch (e) {
    await clusterDown(dir).catch(() => undefined);
    throw e;
  }
  // Unseal shares are returned to the caller only, never written to cluster.json.
  return o.unseal ? { ...cluster, unsealShares } : cluster;
}

/**
 * What the dev client trusts (docs/pinning.md): every node's identity
 * (verifier key), `threshold` attestations to pin a new key, and the keys
 * this cluster up split itself, pinned from the split (no one to ask).
 */
export function clientTrust(nodes: Array<Pick<ClusterProcess, 'id' | 'verifierKey'>>, threshold: number, keys: Array<{ keyName: string; groupPublicKey: Uint8Array; createdUnixSeconds: number; userId?: string; scheme?: string }>) {
  return {
    nodes: nodes.map((n) => ({ id: n.id, verifierKey: n.verifierKey })),
    trustThreshold: threshold,
    keys: Object.fromEntries(keys.map((k) => [k.keyName, pinOf(k.groupPublicKey, keyFingerprint({ userId: '', ...k }))])),
  };
}

/**
 * Creates coordinator number `index` of a dev cluster: its directory
 * (coordinator, coordinator-2, …), config with its own coordinatorId (its own
 * nonce pool on every node), dev master key and audit log.
 */
async function makeCoordinator(dir: string, index: number, nodes: ClusterProcess[], o: { keygen?: string; renewal?: ClusterUpOptions['renewal']; metrics?: boolean; plaintext: boolean }): Promise<ClusterProcess> {
  const suffix = index === 1 ? '' : `-${index}`;
  const coordinatorId = devCoordinatorId(index);
  const cport = await freePort();
  const cdir = join(dir, `coordinator${suffix}`);
  mkdirSync(cdir, { recursive: true });
  const ccfg = join(cdir, 'coordinator.json');
  const cmaster = randomBytes(32);
  writeFileSync(join(cdir, 'master.key'), bytesToHex(cmaster) + '\n', { mode: 0o600 });
  const metrics = o.metrics ? `127.0.0.1:${await freePort()}` : undefined;
  writeFileSync(ccfg, JSON.stringify({ coordinatorId, listen: `127.0.0.1:${cport}`, ...(o.keygen && { keygenListen: o.keygen, keygenClientKeyFile: 'keygen-client.key' }), ...(o.renewal && { renewal: { clientKeyFile: 'renewal-client.key', clientName: DEV_RENEWAL_CLIENT, ...o.renewal } }), ...(metrics && { metricsListen: metrics }), nodes: nodes.map((n) => ({ id: n.id, address: n.address })), dataDir: 'data', masterKeyFile: 'master.key', development: true, ...transportFields(dir, ccfg, { role: 'coordinator', name: coordinatorId }, o.plaintext) }, null, 2) + '\n');
  const clog = await openCoordinatorLog(join(cdir, 'data'), cmaster, coordinatorId);
  await clog.store.close();
  return { id: 0, address: `127.0.0.1:${cport}`, pid: 0, dataDir: join(cdir, 'data'), config: ccfg, log: join(cdir, 'coordinator.log'), command: [process.execPath, QSIGN_BIN, 'coordinator', 'start', '--config', ccfg], verifierKey: clog.verifierKey, ...(metrics && { metrics }) };
}

/** The id (and TLS certificate name) of coordinator number `index` of a dev cluster. */
export const devCoordinatorId = (index: number): string => `dev-coordinator${index === 1 ? '' : `-${index}`}`;

/** Sets `metricsListen` in a node config to a free loopback port; returns the address. */
async function enableMetrics(configPath: string): Promise<string> {
  const address = `127.0.0.1:${await freePort()}`;
  const cfg = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(configPath, JSON.stringify({ ...cfg, metricsListen: address }, null, 2) + '\n');
  return address;
}

/** Every coordinator of a cluster, the first one first. */
export function clusterCoordinators(cluster: ClusterFile): ClusterProcess[] {
  return [cluster.coordinator, ...(cluster.moreCoordinators ?? [])];
}

/** Writes `cluster.json` (after pids change, e.g. a restart). */
export function writeClusterFile(dir: string, cluster: ClusterFile): void {
  const { unsealShares: _, ...onDisk } = cluster;
  writeFileSync(join(dir, 'cluster.json'), JSON.stringify(onDisk, null, 2) + '\n');
}

/** Reads `cluster.json`. */
export function readClusterFile(dir: string): ClusterFile {
  const p = join(resolve(dir), 'cluster.json');
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as ClusterFile;
  } catch (e) {
    throw new QsignError('CONFIG', `no cluster at ${dir}: cannot read ${p}: ${errorMessage(e)}`);
  }
}

/** How tools reach a dev cluster's coordinator: with its client.json's certificate. */
export function clusterTransport(cluster: ClusterFile): TransportSecurity {
  return coordinatorTransport(loadClientConfig(cluster.clientConfig));
}

/**
 * Waits until the coordinator reports `count` healthy nodes (`security`: see
 * {@link clusterTransport}). With `processes`, a daemon that exits meanwhile ends
 * the wait at once, with the tail of its log; a timeout names each node not yet
 * healthy and what the coordinator last saw of it.
 */
export async function waitHealthy(address: string, count: number, timeoutMs: number, security: TransportSecurity, processes: ReadonlyArray<{ label: string; pid: number; log: string }> = []): Promise<void> {
  const c = new CoordinatorRpcClient(address, security);
  const until = Date.now() + timeoutMs;
  let last = 'coordinator not answering yet';
  try {
    while (Date.now() < until) {
      const dead = processes.find((p) => p.pid > 0 && !alive(p.pid));
      if (dead) throw new QsignError('INTERNAL', `${dead.label} (pid ${dead.pid}) exited while the cluster was starting; the end of ${dead.log}:\n${logTail(dead.log)}`);
      try {
        const s = await c.clusterStatus(1000);
        const ok = s.nodes.filter((n) => n.healthy && n.cachedCommitments > 0);
        if (ok.length >= count) return;
        const waiting = s.nodes.filter((n) => !ok.includes(n)).map((n) => `node ${n.nodeId}: ${n.healthy ? 'no commitments yet' : n.lastError || 'not heard from yet'}`);
        last = `${ok.length} of ${count} nodes healthy (${waiting.join('; ')})`;
      } catch (e) {
        last = errorMessage(e);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    c.close();
  }
  throw new QsignError('DEADLINE', `cluster did not become healthy within ${timeoutMs / 1000} s: ${last}`);
}

/** The last lines of a daemon log (for errors about a daemon that exited). */
function logTail(path: string, lines = 8): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (e) {
    return `(cannot read it: ${errorMessage(e)})`;
  }
}

/** The daemons of `cluster` as {@link waitHealthy} watches them. */
export function clusterProcesses(cluster: Pick<ClusterFile, 'nodes' | 'coordinator'>): Array<{ label: string; pid: number; log: string }> {
  return [...cluster.nodes.map((n) => ({ label: `node ${n.id}`, pid: n.pid, log: n.log })), { label: 'the coordinator', pid: cluster.coordinator.pid, log: cluster.coordinator.log }];
}

/** True if a process with this pid is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends SIGTERM (SIGKILL after `graceMs`) to each live pid and waits until all are gone. */
export async function stopPids(pids: number[], graceMs = 5000): Promise<void> {
  const live = pids.filter((p) => p > 0 && alive(p));
  for (const p of live) process.kill(p, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (live.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  for (const p of live.filter(alive)) process.kill(p, 'SIGKILL');
  while (live.some(alive)) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Stops every process of the cluster (SIGTERM, then SIGKILL after 5 s) and
 * keeps cluster.json with every pid 0, so `cluster start` (or `cluster up`
 * on the same directory) restarts it and `audit --cluster` still works.
 */
export async function clusterDown(dir: string): Promise<number> {
  const cluster = readClusterFile(dir);
  const all = [...clusterCoordinators(cluster), ...cluster.nodes, ...(cluster.agent ? [cluster.agent] : [])];
  const pids = all.map((p) => p.pid).filter((p) => p > 0 && alive(p));
  await stopPids(pids);
  for (const p of all) p.pid = 0;
  writeClusterFile(resolve(dir), cluster);
  return pids.length;
}

/** The RSA key of a dev cluster (imported, or a new safe-prime key), or undefined for Ed25519. */
async function rsaClusterKey(o: ClusterUpOptions, keyName: string): Promise<RsaDealerKey | undefined> {
  if (o.importGpg) {
    const k = readGpgRsaKey(o.importGpg);
    if (!k) throw new QsignError('INVALID_ARGUMENT', `${o.importGpg}: cluster up --import-gpg takes an RSA secret key; split an Ed25519 key with '${QSIGN_HINT} ceremony split --import-gpg'`);
    return k;
  }
  if (!o.keyType || o.keyType === 'ed25519') return undefined;
  const bits = o.keyType === 'rsa4096' ? 4096 : 2048;
  (o.progress ?? (() => undefined))(`generating a ${bits}-bit safe-prime RSA key (OpenSSL); it exists whole only in this process until it is dealt`);
  return generateRsaKey(bits, o.userId ?? defaultUserId(keyName), Math.floor(Date.now() / 1000));
}

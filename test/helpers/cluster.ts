/**
 * A real multi-process cluster for tests: node and coordinator processes
 * started by `clusterUp` (the same code as `qsign cluster up`), real gRPC on
 * loopback, real LevelDB directories; plus kill/restart helpers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { QsignClient, loadClientConfig } from '@qsign/client';
import { addClusterNode, alive, clusterCoordinators, clusterProcesses, clusterDown, clusterTransport, clusterTransportAs, clusterUp, spawnDaemon, writeClusterFile, waitHealthy, type ClusterFile } from '@qsign/devcluster';
import { NodeRpcClient, expectIdentity, expecting, openTransport, type TransportSecurity } from '@qsign/rpc';
import { loadCoordinatorConfig } from '@qsign/coordinator';
import { isQsignError } from '@qsign/protocol';

/** A running test cluster. */
export class TestCluster {
  private constructor(
    readonly dir: string,
    public file: ClusterFile,
    readonly client: QsignClient,
  ) {}

  /**
   * Starts M nodes (test faults enabled) and a coordinator. The key is
   * self-certified unless `noCertificate` is set — by default it is not when
   * `nodeConfig` is given, since a custom policy may hold or refuse it.
   * With `unseal` the nodes are sealed (K-of-L unseal shares) and unsealed after start.
   */
  static async start(
    opts: {
      nodes?: number;
      threshold?: number;
      keyName?: string;
      extraKeys?: string[];
      nodeConfig?: (id: number, base: Record<string, unknown>) => Record<string, unknown>;
      noCertificate?: boolean;
      unseal?: { threshold: number; shares: number };
      /** Coordinators over the same nodes (the client config lists them all). */
      coordinators?: number;
      /** Every daemon serves Prometheus metrics (ClusterProcess.metrics). */
      metrics?: boolean;
      /** The key's type, or an RSA key to import (ClusterUpOptions). */
      keyType?: 'ed25519' | 'rsa2048' | 'rsa4096';
      importGpg?: string;
      /** Development plaintext on loopback instead of mutual TLS. */
      plaintext?: boolean;
      /** The first coordinator's renewal loop settings and extra environment for every daemon (ClusterUpOptions). */
      renewal?: { horizon?: string; validity?: string; intervalSeconds?: number };
      daemonEnv?: NodeJS.ProcessEnv;
      /** Start a `qsign agent` and point client.json at it, as `qsign cluster up` does. */
      agent?: boolean;
    } = {},
  ): Promise<TestCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'qsign-test-'));
    const file = await clusterUp({
      dir,
      nodes: opts.nodes ?? 5,
      threshold: opts.threshold ?? 3,
      keyName: opts.keyName ?? 'demo',
      nodeEnv: { QSIGN_TEST_FAULTS: '1' },
      unseal: opts.unseal,
      extraKeys: opts.extraKeys,
      nodeConfig: opts.nodeConfig,
      noCertificate: opts.noCertificate ?? opts.nodeConfig !== undefined,
      coordinators: opts.coordinators,
      metrics: opts.metrics,
      keyType: opts.keyType,
      importGpg: opts.importGpg,
      plaintext: opts.plaintext,
      renewal: opts.renewal,
      daemonEnv: opts.daemonEnv,
      agent: opts.agent,
    });
    return new TestCluster(dir, file, new QsignClient(loadClientConfig(file.clientConfig)));
  }

  /** The group public key the cluster's client config pins for key `name` (hand-built requests name it). */
  groupKey(name = 'demo'): Uint8Array {
    const pin = loadClientConfig(this.file.clientConfig).keys.get(name);
    if (!pin) throw new Error(`key ${name} is not pinned in ${this.file.clientConfig}`);
    return Uint8Array.from(Buffer.from(pin.groupPublicKey, 'hex'));
  }

  /**
   * A direct gRPC client to node `id` (caller closes it), standing where
   * coordinator number `coordinator` (0: the first) stands, with its certificate.
   */
  node(id: number, coordinator = 0): NodeRpcClient {
    const n = this.file.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no node ${id}`);
    const as = coordinator === 0 ? this.as('coordinator') : openTransport(loadCoordinatorConfig(clusterCoordinators(this.file)[coordinator]!.config).transport);
    return new NodeRpcClient(n.address, `node ${id}`, expecting(as, expectIdentity({ role: 'node', name: String(id) })));
  }

  /** The identity (certificate name and coordinatorId) of coordinator number `index` (0: the first). */
  coordinatorId(index = 0): string {
    return loadCoordinatorConfig(clusterCoordinators(this.file)[index]!.config).coordinatorId;
  }

  /**
   * The cluster's mutual-TLS transport as its client or its coordinator
   * (tests that call nodes directly stand where the coordinator stands).
   */
  as(who: 'coordinator' | 'client'): TransportSecurity {
    return (this.#as[who] ??= clusterTransportAs(this.file, who));
  }
  readonly #as: Partial<Record<'coordinator' | 'client', TransportSecurity>> = {};

  /** SIGKILLs node `id` and waits until it is gone. */
  async kill(id: number): Promise<void> {
    const n = this.file.nodes.find((x) => x.id === id)!;
    process.kill(n.pid, 'SIGKILL');
    await waitFor(() => !alive(n.pid), 5000, `node ${id} to die`);
  }

  /** SIGKILLs coordinator number `index` (0: the first) and waits until it is gone. */
  async killCoordinator(index: number): Promise<void> {
    const co = clusterCoordinators(this.file)[index]!;
    process.kill(co.pid, 'SIGKILL');
    await waitFor(() => !alive(co.pid), 5000, `coordinator ${index} to die`);
  }

  /** Waits for node `id` to exit by itself (e.g. an injected crash). */
  async waitExit(id: number): Promise<void> {
    const n = this.file.nodes.find((x) => x.id === id)!;
    await waitFor(() => !alive(n.pid), 10_000, `node ${id} to exit`);
  }

  /** Restarts node `id` with the command line recorded in cluster.json. */
  async restart(id: number, env: NodeJS.ProcessEnv = { QSIGN_TEST_FAULTS: '1' }, wait = true): Promise<void> {
    const n = this.file.nodes.find((x) => x.id === id)!;
    n.pid = spawnDaemon(n.command, n.log, { ...process.env, ...env });
    writeClusterFile(this.dir, this.file);
    if (!wait) return;
    await waitHealthy(this.file.coordinator.address, this.file.nodes.filter((x) => alive(x.pid)).length, 60_000, clusterTransport(this.file), clusterProcesses(this.file).filter((x) => alive(x.pid)));
    // The coordinator may still hold a stale "healthy" for this node: wait until the new process answers.
    await this.waitServing(id);
  }

  /**
   * Restarts node `id` and waits only until it answers — not until the
   * coordinator uses it (a node that refuses to sign, e.g. after a rollback, never becomes healthy).
   */
  async restartServing(id: number): Promise<void> {
    await this.restart(id, { QSIGN_TEST_FAULTS: '1' }, false);
    await this.waitServing(id);
  }

  /**
   * Waits until node `id` answers Status. One connection is kept while its
   * calls time out (a TLS handshake with a node still starting on busy cores
   * can outlast any one call; a fresh connection per call may never finish
   * one) and replaced when a call is refused (nothing listening yet), so the
   * answer comes as soon as the node serves, without a reconnect backoff.
   */
  async waitServing(id: number): Promise<void> {
    let c = this.node(id);
    try {
      await waitFor(async () => {
        try {
          await c.status(2000);
          return true;
        } catch (e) {
          if (!isQsignError(e, 'DEADLINE')) {
            c.close();
            c = this.node(id);
          }
          return false;
        }
      }, 120_000, `node ${id} to serve`);
    } finally {
      c.close();
    }
  }

  /** Every audit record of node `id`, decoded, with `details` fields lifted to the top level for convenience. */
  async audit(id: number): Promise<Array<Record<string, unknown>>> {
    return nodeAudit(this.node(id));
  }

  /**
   * Starts a brand-new node `id` (dev master key, peers pinned both ways),
   * restarts the existing nodes so they read the new pin (reshares go only
   * to pinned peers) and the coordinator so it knows the node.
   */
  async addNode(id: number): Promise<{ enrollmentKey: string }> {
    const pub = loadClientConfig(this.file.clientConfig).secretKey;
    const { ed25519 } = await import('@noble/curves/ed25519.js');
    const existing = this.file.nodes.map((n) => n.id);
    const n = await addClusterNode(this.dir, this.file, id, Buffer.from(ed25519.getPublicKey(pub)).toString('hex'), { ...process.env, QSIGN_TEST_FAULTS: '1' });
    for (const x of existing) {
      await this.kill(x);
      await this.restart(x, undefined, false);
    }
    await this.restartCoordinator();
    return { enrollmentKey: n.enrollmentKey };
  }

  /** Unseals node `id` with its unseal shares (clusters started with `unseal`). */
  async unseal(id: number): Promise<void> {
    const { loadNodeConfig, unsealOverSocket } = await import('@qsign/devcluster');
    const shares = this.file.unsealShares?.[id];
    if (!shares) throw new Error(`node ${id} has no unseal shares`);
    await unsealOverSocket(loadNodeConfig(this.file.nodes.find((n) => n.id === id)!.config).adminSocket, shares, 15_000);
  }

  /** Restarts the coordinator (e.g. after its config changed). */
  async restartCoordinator(env: NodeJS.ProcessEnv = {}): Promise<void> {
    const co = this.file.coordinator;
    if (alive(co.pid)) {
      process.kill(co.pid, 'SIGTERM');
      await waitFor(() => !alive(co.pid), 15_000, 'coordinator to stop');
    }
    co.pid = spawnDaemon(co.command, co.log, { ...process.env, ...env });
    writeClusterFile(this.dir, this.file);
    await waitHealthy(co.address, this.file.nodes.filter((x) => alive(x.pid)).length, 60_000, clusterTransport(this.file), clusterProcesses(this.file).filter((x) => alive(x.pid)));
  }

  /** Stops everything and removes the directory. */
  async stop(): Promise<void> {
    this.client.close();
    await clusterDown(this.dir).catch(() => undefined);
    // QSIGN_KEEP_TEST_DIRS=1 keeps configs, data and logs for a post-mortem.
    if (process.env.QSIGN_KEEP_TEST_DIRS === '1') process.stderr.write(`kept test cluster at ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }

  /** The tail of a process log (for failure messages). */
  log(id: number): string {
    const n = id === 0 ? this.file.coordinator : this.file.nodes.find((x) => x.id === id)!;
    return execFileSync('tail', ['-n', '40', n.log]).toString();
  }
}

/** Polls until `cond` holds. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every audit record a node serves, decoded, with `details` fields lifted to the top level; closes the client. */
export async function nodeAudit(c: NodeRpcClient): Promise<Array<Record<string, unknown>>> {
  try {
    const out: Array<Record<string, unknown>> = [];
    for (;;) {
      const r = await c.readAudit(out.length, 5000);
      out.push(...r.records.map((x) => {
        const rec = JSON.parse(new TextDecoder().decode(x.record)) as Record<string, unknown>;
        return { ...(rec.details as Record<string, unknown> | undefined), ...rec };
      }));
      if (r.records.length === 0 || out.length >= r.size) return out;
    }
  } finally {
    c.close();
  }
}

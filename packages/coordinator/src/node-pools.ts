/**
 * The nodes as the coordinator tracks them: health (liveness.ts) and a pool
 * of fresh round-one commitments per node (DESIGN.md "Sign", step 1). A pool
 * is refilled in batches off the signing path, validated by the scheme when
 * fetched, aged out after `maxCommitmentAgeMs` (nodes expire their nonces)
 * and emptied when its node is marked dead.
 */
import { QsignError, errorMessage, isQsignError, type PreparedCommitment, type ThresholdScheme } from '@qsign/protocol';
import type { LogFields } from '@qsign/rpc';
import { Liveness, isTransportFailure, type LivenessOptions } from './liveness.js';
import type { NodePort } from './node-port.js';

/** A node's state as the coordinator tracks it. */
export interface NodeHandle {
  id: number;
  port: NodePort;
  healthy: boolean | undefined;
  /** When it last turned healthy (`Date.now()`): a key view made before that may lack it (key-view.ts). */
  upSince: number;
  lastError: string;
  /** Pooled commitments, oldest first, with when they were fetched. */
  pool: Array<PreparedCommitment & { fetchedAt: number }>;
  refilling: Promise<void> | undefined;
}

/** Tunables of {@link NodePools}. */
export interface NodePoolOptions {
  coordinatorId: string;
  scheme: ThresholdScheme;
  log: (msg: string, fields?: LogFields) => void;
  /** Commitments fetched per refill (default 64), and the level that triggers one (default 16). */
  batch?: number;
  lowWater?: number;
  /** Pooled commitments older than this are dropped unused (default one hour). */
  maxCommitmentAgeMs?: number;
  liveness?: LivenessOptions;
}

/** Every node's health and commitment pool. */
export class NodePools {
  readonly nodes: NodeHandle[];
  /** Who answered lately; probes the others before an attempt picks its nodes. */
  readonly liveness: Liveness;
  readonly #batch: number;
  readonly #lowWater: number;

  constructor(nodes: Array<{ id: number; port: NodePort }>, private readonly opts: NodePoolOptions) {
    this.nodes = nodes.map((n) => ({ id: n.id, port: n.port, healthy: undefined, upSince: 0, lastError: '', pool: [], refilling: undefined }));
    this.#batch = opts.batch ?? 64;
    this.#lowWater = opts.lowWater ?? 16;
    this.liveness = new Liveness(opts.liveness);
  }

  /** Probes every node once and refills low commitment pools. */
  async checkHealth(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        const answers = this.liveness.answers(n.id);
        try {
          if (n.healthy === false) n.port.redial?.(); // a restarted node is heard within one tick, not after the channel's backoff
          await n.port.status(2000);
        } catch (e) {
          // Checks overlap (a 2 s timeout, one a second): one that failed after the node answered another call says nothing new.
          if (this.liveness.answers(n.id) !== answers) return;
          this.markDead(n, errorMessage(e));
          return;
        }
        this.markHealthy(n);
        try {
          if (n.pool.length < this.#lowWater) await this.refill(n);
        } catch (e) {
          this.markDead(n, errorMessage(e)); // e.g. it refuses nonces (a restored store): not used until it hands some out
        }
      }),
    );
  }

  /**
   * The holders (identifier → node) not refused for this request that are
   * reachable now, probing those not heard from lately, and again until a
   * quorum answers or `deadlineMs`, while enough might: nodes that timed out
   * rather than refused the connection (liveness.ts). A node excluded only as
   * unreachable is probed too — it may have restarted since — and taken
   * back (removed from `excluded`) if it answers.
   */
  async reachable(holders: ReadonlyMap<number, NodeHandle>, excluded: Map<number, { code: string }>, need: number, deadlineMs?: number): Promise<Array<[number, NodeHandle]>> {
    const open = [...holders.entries()].filter(([, n]) => !excluded.has(n.id) || isTransportFailure(excluded.get(n.id)!.code)).map(([identifier, n]) => ({ id: n.id, identifier, n }));
    const { reachable } = await this.liveness.awaitQuorum(open, need, this.#probe, deadlineMs, (e) => isQsignError(e, 'DEADLINE')); // a node that timed out may be slow, not gone; a refused one is gone now
    for (const h of reachable) excluded.delete(h.id);
    return reachable.map((h) => [h.identifier, h.n]);
  }

  /**
   * Probes the nodes missing from `holders` (a key view made while they
   * were down) that are not known healthy; true if one of them answered.
   * A restarted node the health loop has not heard yet is then in the next
   * view (key-view.ts), so a request does not fail while it serves. Also
   * true, with no probe, if one of them turned healthy after the view was
   * made (`viewFetchedAt`): the health loop may hear a restarted node between
   * the view and the request, and the next view has it (seen in the chaos
   * test: node 1 healthy, the view without it, "2 reachable" with 3 serving).
   */
  async hearMissing(holders: ReadonlyMap<number, NodeHandle>, viewFetchedAt = Infinity): Promise<boolean> {
    if (this.cameUpOutside(holders, viewFetchedAt)) return true;
    const members = new Set(holders.values());
    const missing = this.nodes.filter((n) => !members.has(n) && n.healthy !== true).map((n) => ({ id: n.id, n }));
    if (missing.length === 0) return false;
    const { reachable } = await this.liveness.confirm(missing, missing.length, this.#probe);
    return reachable.length > 0;
  }

  /** True if a node outside `holders` is healthy and has been up since `since`: a view made at `since` lacks a node that serves now. */
  cameUpOutside(holders: ReadonlyMap<number, NodeHandle>, since: number): boolean {
    const members = new Set(holders.values());
    return this.nodes.some((n) => !members.has(n) && n.healthy === true && n.upSince >= since);
  }

  /** One Status call to node `n` (redialled first if marked dead: its channel may be backing off); marks it either way. */
  readonly #probe = async ({ n }: { n: NodeHandle }, timeoutMs: number): Promise<void> => {
    try {
      if (n.healthy === false) n.port.redial?.(); // dial the (restarted) node now
      await n.port.status(timeoutMs);
      this.markHealthy(n);
    } catch (e) {
      this.markDead(n, errorMessage(e));
      throw e;
    }
  };

  /** The oldest fresh commitment of node `n`, refilling its pool as needed. */
  async take(n: NodeHandle): Promise<PreparedCommitment> {
    const oldest = Date.now() - (this.opts.maxCommitmentAgeMs ?? 3_600_000);
    while (n.pool.length > 0 && n.pool[0]!.fetchedAt < oldest) n.pool.shift();
    if (n.pool.length === 0) await this.refill(n);
    const c = n.pool.shift();
    if (!c) throw new QsignError('NODE_UNAVAILABLE', `node ${n.id} has no commitments`);
    if (n.pool.length < this.#lowWater) void this.refill(n).catch(() => undefined);
    return c;
  }

  /** Fetches a batch of commitments from node `n` (one refill at a time per node). */
  refill(n: NodeHandle): Promise<void> {
    n.refilling ??= (async () => {
      try {
        const res = await n.port.getCommitments(this.#batch, this.opts.coordinatorId);
        const fetchedAt = Date.now();
        const fresh = res.commitments.map((c) => ({ identifier: n.id, hiding: c.hiding, binding: c.binding, fetchedAt }));
        // Validate (and cache the decoded points) off the signing path; a node that
        // hands out invalid points is blamed here, before any signing session.
        for (const c of fresh) this.opts.scheme.validatePrepared({ identifier: c.identifier, hiding: c.hiding, binding: c.binding });
        n.pool.push(...fresh);
        this.markHealthy(n);
      } finally {
        n.refilling = undefined;
      }
    })();
    return n.refilling;
  }

  /** Node `n` answered. */
  markHealthy(n: NodeHandle): void {
    if (n.healthy !== true) {
      this.opts.log(`node ${n.id} at ${n.port.address} is healthy`);
      n.upSince = Date.now();
    }
    n.healthy = true;
    n.lastError = '';
    this.liveness.heard(n.id);
  }

  /** Node `n` did not answer (`why`): it is not taken as reachable, and its pool is dropped. */
  markDead(n: NodeHandle, why: string): void {
    if (n.healthy !== false) this.opts.log(`node ${n.id} at ${n.port.address} is unreachable: ${why}`);
    n.healthy = false;
    n.lastError = why;
    this.liveness.lost(n.id);
    n.pool = [];
  }
}

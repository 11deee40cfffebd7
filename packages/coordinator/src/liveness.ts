/**
 * Which nodes are reachable right now (issue 12, "the coordinator probes
 * before it declares too few nodes"). The health loop runs once a second,
 * so its verdict is up to a second old both ways: a node that died is still
 * "healthy", and a node that restarted is still "dead". Signing used to
 * trust that verdict: it sent shares to a dead node (the live ones released
 * theirs for nothing) or failed with NOT_ENOUGH_NODES while three nodes
 * served.
 *
 * Here a node counts as reachable only if it answered within `freshMs`;
 * before an attempt picks its node set, every other candidate — the ones
 * marked dead included — is probed with a short timeout, all in parallel.
 * A restarted node is thus heard of the moment a request needs it, with no
 * new RPC and no change on the node. No I/O here: the caller supplies the probe.
 */

/** Tunables of {@link Liveness}. */
export interface LivenessOptions {
  /** A node that answered this recently is taken as reachable without a probe (default 500 ms). */
  freshMs?: number;
  /** How long a probe waits for an answer (default 1000 ms: a cut-off node costs at most this). */
  probeTimeoutMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** The outcome of {@link Liveness.confirm}: who answered, and why the others did not. */
export interface Confirmed<T> {
  reachable: T[];
  unreachable: Array<{ node: T; why: string }>;
}

/** When each node last answered, and the probe-before-use rule. */
export class Liveness {
  readonly #heard = new Map<number, number>();
  /** Probes in flight: concurrent requests share one probe per node. */
  readonly #probing = new Map<number, Promise<void>>();
  readonly freshMs: number;
  readonly probeTimeoutMs: number;
  readonly #now: () => number;

  constructor(opts: LivenessOptions = {}) {
    this.freshMs = opts.freshMs ?? 500;
    this.probeTimeoutMs = opts.probeTimeoutMs ?? 1000;
    this.#now = opts.now ?? Date.now;
  }

  /** Node `id` just answered a call. */
  heard(id: number): void {
    this.#heard.set(id, this.#now());
  }

  /** A call to node `id` failed: it is no longer taken as reachable. */
  lost(id: number): void {
    this.#heard.delete(id);
  }

  /** Did node `id` answer within `freshMs`? */
  isFresh(id: number): boolean {
    const t = this.#heard.get(id);
    return t !== undefined && this.#now() - t <= this.freshMs;
  }

  /**
   * The candidates that are reachable: the fresh ones as they are, every
   * other one after a probe (`probe` resolves when the node answered within
   * the timeout it is given, and rejects otherwise). Probes run in parallel
   * and only when they are needed: if `need` candidates are fresh, none runs.
   */
  async confirm<T extends { id: number }>(candidates: readonly T[], need: number, probe: (node: T, timeoutMs: number) => Promise<void>): Promise<Confirmed<T>> {
    const fresh = candidates.filter((c) => this.isFresh(c.id));
    if (fresh.length >= need) return { reachable: fresh, unreachable: [] };
    const stale = candidates.filter((c) => !this.isFresh(c.id));
    const answers = await Promise.allSettled(stale.map((c) => this.#probe(c, probe)));
    const reachable = [...fresh];
    const unreachable: Array<{ node: T; why: string }> = [];
    answers.forEach((a, i) => {
      const c = stale[i]!;
      if (a.status === 'fulfilled') {
        this.heard(c.id);
        reachable.push(c);
      } else {
        this.lost(c.id);
        unreachable.push({ node: c, why: a.reason instanceof Error ? a.reason.message : String(a.reason) });
      }
    });
    return { reachable, unreachable };
  }

  #probe<T extends { id: number }>(c: T, probe: (node: T, timeoutMs: number) => Promise<void>): Promise<void> {
    let p = this.#probing.get(c.id);
    if (!p) {
      p = probe(c, this.probeTimeoutMs).finally(() => this.#probing.delete(c.id));
      this.#probing.set(c.id, p);
    }
    return p;
  }
}

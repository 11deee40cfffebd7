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
 * new RPC and no change on the node.
 *
 * If fewer than needed answer but enough might (their probes timed out
 * rather than being refused), {@link Liveness.awaitQuorum} probes again
 * until enough do or its time is up: a node that is restarting or just
 * restarted may be slow (on two busy cores its first TLS handshake alone
 * can outlast one probe), and a request that fails while a quorum serves is
 * the failure issue 12 forbids. When too few could answer (connections
 * refused) it fails at once. No I/O here: the caller supplies the probe.
 * (Not waiting for nodes the health loop saw time out was tried: under load
 * 40 the health loop's 2 s checks time out on live nodes too, and the chaos
 * test then failed requests while a quorum served.)
 */

/** A node call failed for want of an answer (not a refusal): the node may answer a moment later. */
export function isTransportFailure(code: string): boolean {
  return code === 'NODE_UNAVAILABLE' || code === 'DEADLINE';
}

/** Tunables of {@link Liveness}. */
export interface LivenessOptions {
  /** A node that answered this recently is taken as reachable without a probe (default 500 ms). */
  freshMs?: number;
  /** How long a probe waits for an answer (default 1000 ms: a cut-off node costs at most this). */
  probeTimeoutMs?: number;
  /** The clock (tests). */
  now?: () => number;
  /** How long {@link Liveness.awaitQuorum} keeps probing for a quorum (default 3 s, so that a cut-off quorum is reported within 5 s (test/netns-faults.test.ts); never past the request's deadline). */
  quorumWaitMs?: number;
  /** Pause between probe rounds in {@link Liveness.awaitQuorum} (default 250 ms). */
  retryMs?: number;
  /** How to pause (tests). */
  sleep?: (ms: number) => Promise<void>;
}

/** The outcome of {@link Liveness.confirm}: who answered, and why the others did not. */
export interface Confirmed<T> {
  reachable: T[];
  unreachable: Array<{ node: T; why: string; error?: unknown }>;
}

/** When each node last answered, and the probe-before-use rule. */
export class Liveness {
  readonly #heard = new Map<number, number>();
  /** Probes in flight: concurrent requests share one probe per node. */
  readonly #probing = new Map<number, Promise<void>>();
  readonly freshMs: number;
  readonly probeTimeoutMs: number;
  readonly retryMs: number;
  readonly quorumWaitMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(opts: LivenessOptions = {}) {
    this.freshMs = opts.freshMs ?? 500;
    this.probeTimeoutMs = opts.probeTimeoutMs ?? 1000;
    this.retryMs = opts.retryMs ?? 250;
    this.quorumWaitMs = opts.quorumWaitMs ?? 3_000;
    this.#now = opts.now ?? Date.now;
    this.#sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** How many answers each node gave: a failure seen after a later answer is stale. */
  readonly #answers = new Map<number, number>();

  /** Node `id` just answered a call. */
  heard(id: number): void {
    this.#heard.set(id, this.#now());
    this.#answers.set(id, this.answers(id) + 1);
  }

  /** How many answers node `id` has given (compare before and after a call: did it answer meanwhile?). */
  answers(id: number): number {
    return this.#answers.get(id) ?? 0;
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
  async confirm<T extends { id: number }>(candidates: readonly T[], need: number, probe: (node: T, timeoutMs: number) => Promise<void>, timeoutMs = this.probeTimeoutMs): Promise<Confirmed<T>> {
    const fresh = candidates.filter((c) => this.isFresh(c.id));
    if (fresh.length >= need) return { reachable: fresh, unreachable: [] };
    const stale = candidates.filter((c) => !this.isFresh(c.id));
    const answers = await Promise.allSettled(stale.map((c) => this.#probe(c, probe, timeoutMs)));
    const reachable = [...fresh];
    const unreachable: Array<{ node: T; why: string; error?: unknown }> = [];
    answers.forEach((a, i) => {
      const c = stale[i]!;
      if (a.status === 'fulfilled') {
        this.heard(c.id);
        reachable.push(c);
      } else {
        this.lost(c.id);
        unreachable.push({ node: c, why: a.reason instanceof Error ? a.reason.message : String(a.reason), error: a.reason });
      }
    });
    return { reachable, unreachable };
  }

  /**
   * {@link confirm} again, every `retryMs`, until `need` candidates are
   * reachable, too few are left that `mayAnswer` (given a failed probe's
   * error; default: any may), or `quorumWaitMs` (or the `deadlineMs`, a
   * `now()` time, if sooner) has passed; the last round's answer either
   * way. Always at least one round. Each round's probes wait
   * twice as long as the last (up to the time left): a node that answers in
   * 1.2 s every time is reachable, just slow, and must not time out forever.
   */
  async awaitQuorum<T extends { id: number }>(candidates: readonly T[], need: number, probe: (node: T, timeoutMs: number) => Promise<void>, deadlineMs = Infinity, mayAnswer: (err: unknown) => boolean = () => true): Promise<Confirmed<T>> {
    const untilMs = Math.min(deadlineMs, this.#now() + this.quorumWaitMs);
    for (let timeoutMs = this.probeTimeoutMs; ; timeoutMs *= 2) {
      const r = await this.confirm(candidates, need, probe, Math.max(this.probeTimeoutMs, Math.min(timeoutMs, untilMs - this.#now())));
      const hopeful = r.reachable.length + r.unreachable.filter((u) => mayAnswer(u.error)).length;
      if (r.reachable.length >= need || hopeful < need || this.#now() + this.retryMs >= untilMs) return r;
      await this.#sleep(this.retryMs);
    }
  }

  #probe<T extends { id: number }>(c: T, probe: (node: T, timeoutMs: number) => Promise<void>, timeoutMs: number): Promise<void> {
    let p = this.#probing.get(c.id);
    if (!p) {
      p = probe(c, timeoutMs).finally(() => this.#probing.delete(c.id));
      this.#probing.set(c.id, p);
    }
    return p;
  }
}

/**
 * One signing request for a one-round scheme (threshold RSA, Shoup protocol 1): no pools,
 * no commitment list. Ask k reachable holders; combine and verify (OpenSSL); if that fails,
 * blame. Safe-prime keys name a bad share by its proof at once; for imported keys k shares
 * that do not combine name nobody, so every reachable holder is asked and the combinations
 * over all of them name the bad ones (docs/threshold-rsa.md). Shares are not bound to a
 * signer set, so good ones are kept across attempts; held requests go to the approval wait.
 */
import { QsignError, classifyRefusal, errorMessage, signingMessage, type ErrorCode, type SchemeShare, type SignRequest, type SignedRequest } from '@qsign/protocol';
import { waitForApprovals, type NodeState, type WaitNode } from './approval-wait.js';
import type { KeyView } from './key-view.js';
import type { NodeHandle } from './node-pools.js';
import { fromNode } from './node-reason.js';
import type { Exclusion, SignOutcome, SigningContext } from './signing-attempt.js';

/** One one-round request across its attempts. `ctx.scheme` is the one-round scheme. */
export class OneRoundRun {
  readonly #excluded = new Map<number, Exclusion>();
  /** Good shares so far, by identifier, with the node that made them. */
  readonly #good = new Map<number, { n: NodeHandle; share: SchemeShare }>();

  constructor(
    private readonly ctx: SigningContext,
    private readonly signed: SignedRequest,
    private readonly req: SignRequest,
    private readonly deadlineMs: number | undefined,
  ) {}

  /** Signs with k nodes, asking all of them when k shares of an imported key do not combine. */
  async run(): Promise<SignOutcome> {
    const { ctx, req } = this;
    const key = await ctx.keys.get(req.keyName);
    const message = signingMessage(req, key.info);
    const need = key.info.minSigners;
    let askAll = false;
    for (let attempt = 1; attempt <= key.info.maxSigners + 2; attempt++) {
      // A fair random order among reachable holders not yet asked (known-healthy first).
      const candidates = (await ctx.pools.reachable(key.holders, this.#excluded, askAll ? key.holders.size : need))
        .filter(([id]) => !this.#good.has(id))
        .map((c) => ({ c, r: Math.random() }))
        .sort((x, y) => Number(y.c[1].healthy === true) - Number(x.c[1].healthy === true) || x.r - y.r)
        .map((x) => x.c);
      const chosen = askAll ? candidates : candidates.slice(0, need - this.#good.size);
      if (this.#good.size + chosen.length < need) break;
      const held = await this.#ask(key, chosen);
      if (held.size > 0) return this.#awaitApprovals(key, message, chosen, held);
      if (this.#good.size < need) continue;
      const shares = [...this.#good.values()].map((g) => g.share);
      if (shares.length > need) this.#exclude(ctx.scheme.blame(shares, key.schemeKey, [], message));
      const signature = this.#finish(key, message);
      if (signature) return this.#outcome(signature, message);
      const blamed = ctx.scheme.blame([...this.#good.values()].map((g) => g.share), key.schemeKey, [], message);
      if (blamed.length > 0) this.#exclude(blamed);
      else if (!askAll) {
        ctx.opts.log(`request ${req.requestId}: ${need} shares do not combine and carry no proofs; asking every holder to find the bad one`, { requestId: req.requestId });
        askAll = true;
      } else break;
    }
    throw this.#notEnough(key, need);
  }

  /** Asks `chosen` for shares (no commitment list); records good shares, exclusions and holds. */
  async #ask(key: KeyView, chosen: Array<[number, NodeHandle]>): Promise<Map<number, NodeState>> {
    const { ctx, signed, req } = this;
    const held = new Map<number, NodeState>();
    const results = await Promise.allSettled(chosen.map(([, n]) => n.port.signShare({ request: signed, commitments: [], coordinatorId: ctx.opts.coordinatorId }, ctx.opts.shareTimeoutMs)));
    results.forEach((r, i) => {
      const [identifier, n] = chosen[i]!;
      if (r.status === 'fulfilled') {
        ctx.pools.liveness.heard(n.id);
        const problem = ctx.scheme.shareProblem(r.value, identifier, key.schemeKey);
        if (problem) this.#excluded.set(n.id, { reason: problem, code: 'SIGNING_FAILED' });
        else this.#good.set(identifier, { n, share: { identifier, share: r.value.share } });
        return;
      }
      const err = r.reason as QsignError;
      const code: ErrorCode = err?.code ?? 'INTERNAL';
      if (code === 'HELD') {
        held.set(n.id, { kind: 'held', holdId: String(err.details?.holdId ?? ''), expiresAtMs: Number(err.details?.expiresAtMs ?? 0) });
        return;
      }
      if (code === 'NODE_UNAVAILABLE' || code === 'DEADLINE') ctx.pools.markDead(n, errorMessage(err));
      this.#excluded.set(n.id, { reason: errorMessage(err), code });
      ctx.opts.log(`request ${req.requestId}: node ${n.id} ${classifyRefusal(code).refused ? 'refused' : 'failed'}: ${errorMessage(err)}`, { requestId: req.requestId });
    });
    return held;
  }

  /** Excludes the nodes that made the blamed shares. */
  #exclude(identifiers: number[]): void {
    for (const id of identifiers) {
      const g = this.#good.get(id);
      if (!g) continue;
      this.#good.delete(id);
      this.#excluded.set(g.n.id, { reason: 'sent an invalid signature share', code: 'SIGNING_FAILED' });
      this.ctx.opts.log(`request ${this.req.requestId}: node ${g.n.id} sent an invalid signature share; excluding it`, { requestId: this.req.requestId });
    }
  }

  /** The combined signature of the good shares if OpenSSL verifies it, else undefined. */
  #finish(key: KeyView, message: Uint8Array, shares = [...this.#good.values()].map((g) => g.share)): Uint8Array | undefined {
    try {
      const sig = this.ctx.scheme.combine(shares, key.schemeKey, [], message);
      return this.ctx.scheme.verify(sig, message, key.schemeKey) ? sig : undefined;
    } catch (e) {
      this.ctx.opts.log(`request ${this.req.requestId}: combination failed: ${errorMessage(e)}`, { requestId: this.req.requestId });
      return undefined;
    }
  }

  #outcome(signature: Uint8Array, message: Uint8Array, signers = [...this.#good.values()].map((g) => g.n.id)): SignOutcome {
    return {
      signature,
      message,
      signers: signers.sort((a, b) => a - b),
      excluded: [...this.#excluded].map(([nodeId, x]) => ({ nodeId, reason: x.reason })),
      requestId: this.req.requestId,
    };
  }

  /** Held by some nodes: the approval wait asks them again (with an empty list) once their operators approve. */
  async #awaitApprovals(key: KeyView, message: Uint8Array, chosen: Array<[number, NodeHandle]>, held: Map<number, NodeState>): Promise<SignOutcome> {
    const { ctx, signed, req } = this;
    const handles = new Map<number, NodeHandle>();
    const holders: WaitNode[] = [...key.holders.entries()].map(([identifier, n]) => (handles.set(n.id, n), { id: n.id, identifier }));
    const states = new Map<number, NodeState>(held);
    for (const [id, x] of this.#excluded) states.set(id, classifyRefusal(x.code).refused ? { kind: 'refused', reason: x.reason, code: x.code } : { kind: 'down', reason: x.reason });
    for (const g of this.#good.values()) states.set(g.n.id, { kind: 'signed', share: g.share });
    const deadline = Math.min(this.deadlineMs ?? Infinity, Date.now() + (ctx.opts.approvalTimeoutMs ?? 3_600_000));
    const port = (w: WaitNode) => handles.get(w.id)!.port;
    const out = await waitForApprovals(
      {
        requestId: req.requestId,
        keyName: key.info.name,
        need: key.info.minSigners,
        maxSigners: key.info.maxSigners,
        holders,
        parked: { members: [...this.#good.values()].map((g) => g.n).concat(chosen.map(([, n]) => n).filter((n) => held.has(n.id))).map((n) => holders.find((h) => h.id === n.id)!), list: [] },
        states,
        deadlineMs: deadline,
        pollMs: ctx.opts.approvalPollMs ?? 500,
        signed,
      },
      {
        check: async (w) => {
          const p = port(w);
          if (!p.checkRequest) throw new QsignError('NODE_UNAVAILABLE', `node ${w.id}: no approval service`);
          const r = await p.checkRequest(signed, ctx.opts.coordinatorId, 5000);
          return { ready: r.ready, holdId: r.holdId, expiresAtMs: r.expiresUnixMs };
        },
        signShare: async (w) => {
          const r = await port(w).signShare({ request: signed, commitments: [], coordinatorId: ctx.opts.coordinatorId }, ctx.opts.shareTimeoutMs);
          const problem = ctx.scheme.shareProblem(r, w.identifier, key.schemeKey);
          if (problem) throw new QsignError('SIGNING_FAILED', `node ${w.id} ${problem}`);
          return { identifier: r.identifier, share: r.share };
        },
        end: async (w, outcome) => port(w).endRequest?.(signed, ctx.opts.coordinatorId, outcome, 5000),
        // Nothing is prepared ahead: an empty placeholder stands in for the commitment.
        takeCommitment: async (w) => ({ identifier: w.identifier, hiding: new Uint8Array(0), binding: new Uint8Array(0) }),
        finish: (shares) => this.#finish(key, message, shares),
        report: (st) => ctx.requests.update(req.requestId, st, key.info.minSigners, deadline),
        log: ctx.opts.log,
      },
    );
    return this.#outcome(out.signature, message, out.signers);
  }

  #notEnough(key: KeyView, need: number): QsignError {
    const reasons = [...this.#excluded].map(([id, x]) => fromNode(id, x.reason));
    const refusals = [...this.#excluded.values()].filter((x) => classifyRefusal(x.code).refused);
    return new QsignError(refusals[0]?.code ?? 'NOT_ENOUGH_NODES', `cannot sign: key ${key.info.name} needs ${need} of ${key.info.maxSigners} nodes; ${this.#good.size} good shares${reasons.length ? ` (${reasons.join('; ')})` : ''}`, {
      details: { needed: need, excluded: Object.fromEntries([...this.#excluded].map(([id, x]) => [id, x.reason])) },
    });
  }
}

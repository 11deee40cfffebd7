/**
 * One signing request (DESIGN.md "Sign"): pick N reachable holders of the
 * key, take a pooled commitment of each, gather their shares, aggregate and
 * verify once; only if that fails, verify each share to name the culprit
 * (identifiable abort, RFC 9591 §5.4, as frost-rs `aggregate` does). Bad or
 * dead nodes are excluded and the request is tried again with another set.
 * If a node answers HELD, the attempt is parked and handed to the approval
 * wait (approval-wait.ts).
 *
 * No gRPC here: nodes are reached through their `NodePort` (node-port.ts).
 */
import {
  QsignError,
  classifyRefusal,
  errorMessage,
  signingMessage,
  type ErrorCode,
  type PreparedCommitment,
  type SchemeShare,
  type SignRequest,
  type SignedRequest,
  type ThresholdScheme,
} from '@qsign/protocol';
import type { SignShareResponse } from '@qsign/proto';
import type { LogFields } from '@qsign/rpc';
import { waitForApprovals, type NodeState, type WaitNode } from './approval-wait.js';
import type { KeyView, KeyViews } from './key-view.js';
import type { NodeHandle, NodePools } from './node-pools.js';
import { fromNode } from './node-reason.js';
import type { RequestTracker } from './request-tracker.js';

/** The outcome of a signing request. */
export interface SignOutcome {
  signature: Uint8Array;
  message: Uint8Array;
  signers: number[];
  excluded: Array<{ nodeId: number; reason: string }>;
  requestId: string;
  /** Attempts given up after some nodes released shares (their signer set, and who released): audited with the signature. */
  abandoned?: Array<{ signers: number[]; released: number[] }>;
}

/** The tunables a signing request uses (part of CoordinatorOptions). */
export interface SigningOptions {
  coordinatorId: string;
  shareTimeoutMs: number;
  /** The daemon's logger; request-scoped lines carry `requestId`. */
  log: (msg: string, fields?: LogFields) => void;
  /** Longest wait for operator approval of held requests (default 1 hour; the client's deadline may be shorter). */
  approvalTimeoutMs?: number;
  /** How often held nodes are asked again (default 500 ms). */
  approvalPollMs?: number;
}

/** What a signing request needs from the coordinator service. */
export interface SigningContext {
  pools: NodePools;
  keys: KeyViews;
  scheme: ThresholdScheme;
  requests: RequestTracker;
  opts: SigningOptions;
}

/** A node that was left out of this request, and why. */
/** Why a node is left out of the rest of a request. */
export type Exclusion = { reason: string; code: ErrorCode };

/** One attempt: the chosen holders with their commitments (by identifier), the list they were sent, their answers. */
interface Attempt {
  set: Array<{ identifier: number; n: NodeHandle; c: PreparedCommitment }>;
  list: PreparedCommitment[];
  results: Array<PromiseSettledResult<SignShareResponse>>;
  /** The members that answered HELD. */
  held: Map<number, NodeState>;
}

/** One signing request across its attempts: what is known of every node so far. */
export class SigningRun {
  readonly #excluded = new Map<number, Exclusion>();
  /** Nodes whose pool was refreshed once because they no longer held our commitments. */
  readonly #refreshed = new Set<number>();
  readonly #abandoned: Array<{ signers: number[]; released: number[] }> = [];

  constructor(
    private readonly ctx: SigningContext,
    private readonly signed: SignedRequest,
    private readonly req: SignRequest,
    private readonly deadlineMs: number | undefined,
  ) {}

  /** Signs with N nodes, retrying around bad or dead ones; waits for approvals if nodes hold the request. */
  async run(): Promise<SignOutcome> {
    const { ctx, signed, req } = this;
    const { pools, scheme, opts } = ctx;
    const excluded = this.#excluded;
    let key = await ctx.keys.get(req.keyName);
    const message = signingMessage(req, key.info);
    const need = key.info.minSigners;
    const maxAttempts = key.info.maxSigners - need + 3; // + one round with refreshed commitments
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      // The view again (cached: no call): one that lacked a restarted node is asked again once it is back (key-view.ts);
      // if that lookup fails, the view this request started with stands.
      if (attempt > 1) key = await ctx.keys.get(req.keyName).catch(() => key);
      // Only nodes confirmed reachable (liveness.ts) — dead-marked ones probed again — so that
      // no share is released for an attempt that cannot complete, and a restarted node is used at once.
      const candidates = await pools.reachable(key.holders, excluded, need, this.deadlineMs);
      if (candidates.length < need) {
        // Nodes the key view lacks (down when it was made) may serve again: if one answers, try with the view that has it.
        if (attempt < maxAttempts && (await pools.hearMissing(key.holders, key.fetchedAt))) continue;
        throw this.#notEnough(key, need);
      }
      // Known-healthy nodes with pooled commitments first, then a fair random order:
      // ordering by pool size would starve a node that is one commitment behind.
      const rank = (n: NodeHandle) => Number(n.healthy === true) * 2 + Number(n.pool.length > 0);
      const shuffled = candidates.map((c) => ({ c, r: Math.random() }));
      shuffled.sort((x, y) => rank(y.c[1]) - rank(x.c[1]) || x.r - y.r);
      candidates.splice(0, candidates.length, ...shuffled.map((x) => x.c));
      const chosen = candidates.slice(0, need);
      const withCommitments = await Promise.all(
        chosen.map(async ([identifier, n]) => {
          try {
            const c = await pools.take(n);
            return { identifier, n, c: { identifier, hiding: c.hiding, binding: c.binding } };
          } catch (e) {
            pools.markDead(n, errorMessage(e));
            excluded.set(n.id, { reason: `unreachable: ${errorMessage(e)}`, code: 'NODE_UNAVAILABLE' });
            return undefined;
          }
        }),
      );
      if (withCommitments.some((x) => x === undefined)) continue;
      const set = withCommitments as Attempt['set'];
      set.sort((a, b) => a.identifier - b.identifier);
      const list = set.map((s) => s.c);
      const results = await Promise.allSettled(
        set.map((s) => s.n.port.signShare({ request: signed, commitments: list, coordinatorId: opts.coordinatorId }, opts.shareTimeoutMs)),
      );
      let failed = false;
      const shares: SchemeShare[] = [];
      const held = new Map<number, NodeState>();
      results.forEach((r, i) => {
        const s = set[i]!;
        if (r.status === 'rejected' && (r.reason as QsignError)?.code === 'HELD') {
          const d = (r.reason as QsignError).details ?? {};
          held.set(s.n.id, { kind: 'held', holdId: String(d.holdId ?? ''), expiresAtMs: Number(d.expiresAtMs ?? 0) });
          failed = true;
          return;
        }
        if (r.status === 'fulfilled') {
          pools.liveness.heard(s.n.id);
          const problem = scheme.shareProblem(r.value, s.identifier);
          if (problem) {
            failed = true;
            excluded.set(s.n.id, { reason: problem, code: 'SIGNING_FAILED' });
          } else shares.push({ identifier: s.identifier, share: r.value.share });
          return;
        }
        failed = true;
        const err = r.reason as QsignError;
        const code: ErrorCode = err?.code ?? 'INTERNAL';
        if (code === 'NODE_UNAVAILABLE' || code === 'DEADLINE') pools.markDead(s.n, errorMessage(err));
        if (code === 'BAD_COMMITMENTS') s.n.pool = []; // the node no longer knows our cached commitments
        if (classifyRefusal(code, err?.details).refreshPool && !this.#refreshed.has(s.n.id)) {
          // Its nonces expired (or its store was restored): fetch fresh commitments and ask it again, once.
          this.#refreshed.add(s.n.id);
          opts.log(`request ${req.requestId}: node ${s.n.id} no longer holds our pooled commitments; refreshing them`, { requestId: req.requestId });
          return;
        }
        excluded.set(s.n.id, { reason: errorMessage(err), code });
        opts.log(`request ${req.requestId}: node ${s.n.id} ${classifyRefusal(code).refused ? 'refused' : 'failed'}: ${errorMessage(err)}`, { requestId: req.requestId });
      });
      if (held.size > 0) return this.#awaitApprovals(key, message, { set, list, results, held });
      if (failed) {
        const released = set.filter((_, i) => results[i]!.status === 'fulfilled').map((s) => s.n.id);
        // Recorded even when no share came back: a node may have written its record and died before replying.
        this.#abandoned.push({ signers: set.map((s) => s.n.id).sort((a, b) => a - b), released: released.sort((a, b) => a - b) });
        continue;
      }
      let signature: Uint8Array | undefined;
      try {
        signature = scheme.combine(shares, key.schemeKey, list, message);
      } catch (e) {
        opts.log(`request ${req.requestId}: aggregation failed: ${errorMessage(e)}`, { requestId: req.requestId });
      }
      if (signature && scheme.verify(signature, message, key.schemeKey)) {
        return {
          signature,
          message,
          signers: set.map((s) => s.n.id).sort((a, b) => a - b),
          excluded: [...excluded].map(([nodeId, x]) => ({ nodeId, reason: x.reason })),
          requestId: req.requestId,
          ...(this.#abandoned.length > 0 && { abandoned: this.#abandoned }),
        };
      }
      // Identifiable abort (RFC 9591 §5.4): find who sent a bad share.
      const blamed = scheme.blame(shares, key.schemeKey, list, message);
      const culprits = set.filter((s) => blamed.includes(s.identifier));
      if (culprits.length === 0) {
        // Shares are individually valid but the aggregate is not: our key view is stale.
        ctx.keys.forget(req.keyName);
        key = await ctx.keys.get(req.keyName);
        continue;
      }
      for (const c of culprits) {
        excluded.set(c.n.id, { reason: 'sent an invalid signature share', code: 'SIGNING_FAILED' });
        opts.log(`request ${req.requestId}: node ${c.n.id} sent an invalid signature share; excluding it`, { requestId: req.requestId });
      }
    }
    throw this.#notEnough(key, need);
  }

  /** Hands a parked attempt (some members answered HELD) to the approval wait loop. */
  async #awaitApprovals(key: KeyView, message: Uint8Array, attempt: Attempt): Promise<SignOutcome> {
    const { ctx, signed, req } = this;
    const { scheme, opts } = ctx;
    const { set, list, results, held } = attempt;
    const need = key.info.minSigners;
    const handles = new Map<number, NodeHandle>();
    const holders: WaitNode[] = [...key.holders.entries()].map(([identifier, n]) => {
      handles.set(n.id, n);
      return { id: n.id, identifier };
    });
    const states = new Map<number, NodeState>(held);
    for (const [id, x] of this.#excluded) if (x.code !== 'HELD') states.set(id, classifyRefusal(x.code).refused ? { kind: 'refused', reason: x.reason, code: x.code } : { kind: 'down', reason: x.code === 'NODE_UNAVAILABLE' || x.code === 'DEADLINE' ? x.reason : `unreachable: ${x.reason}` });
    set.forEach((s, i) => {
      const r = results[i]!;
      if (r.status === 'fulfilled') states.set(s.n.id, { kind: 'signed', share: { identifier: s.identifier, share: r.value.share } });
    });
    const deadline = Math.min(this.deadlineMs ?? Infinity, Date.now() + (opts.approvalTimeoutMs ?? 3_600_000));
    opts.log(`request ${req.requestId}: held by node${held.size > 1 ? 's' : ''} ${[...held.keys()].join(', ')}; waiting for operator approval until ${new Date(deadline).toISOString()}`, { requestId: req.requestId });
    const port = (w: WaitNode) => handles.get(w.id)!.port;
    const out = await waitForApprovals(
      {
        requestId: req.requestId,
        keyName: key.info.name,
        need,
        maxSigners: key.info.maxSigners,
        holders,
        parked: { members: set.map((s) => ({ id: s.n.id, identifier: s.identifier })), list },
        states,
        deadlineMs: deadline,
        pollMs: opts.approvalPollMs ?? 500,
        signed,
      },
      {
        check: async (w) => {
          const p = port(w);
          if (!p.checkRequest) throw new QsignError('NODE_UNAVAILABLE', `node ${w.id}: no approval service`);
          const r = await p.checkRequest(signed, opts.coordinatorId, 5000);
          return { ready: r.ready, holdId: r.holdId, expiresAtMs: r.expiresUnixMs };
        },
        signShare: async (w, l) => {
          const r = await port(w).signShare({ request: signed, commitments: l, coordinatorId: opts.coordinatorId }, opts.shareTimeoutMs);
          const problem = scheme.shareProblem(r, w.identifier);
          if (problem) throw new QsignError('SIGNING_FAILED', `node ${w.id} ${problem}`);
          return { identifier: r.identifier, share: r.share };
        },
        end: async (w, outcome) => port(w).endRequest?.(signed, opts.coordinatorId, outcome, 5000),
        takeCommitment: (w) => ctx.pools.take(handles.get(w.id)!),
        finish: (shares, l) => {
          try {
            const sig = scheme.combine(shares, key.schemeKey, l, message);
            return scheme.verify(sig, message, key.schemeKey) ? sig : undefined;
          } catch {
            return undefined;
          }
        },
        report: (st) => ctx.requests.update(req.requestId, st, need, deadline),
        log: opts.log,
      },
    );
    return {
      signature: out.signature,
      message,
      signers: out.signers,
      excluded: [...states].filter(([id]) => !out.signers.includes(id)).flatMap(([nodeId, s]) => (s.kind === 'refused' ? [{ nodeId, reason: s.reason }] : [])),
      requestId: req.requestId,
    };
  }

  /** Why the request cannot be signed: how many nodes are needed, reachable and usable, and each node's reason. */
  #notEnough(key: KeyView, need: number): QsignError {
    const excluded = this.#excluded;
    const holders = [...key.holders.values()];
    const reachable = holders.filter((n) => n.healthy !== false && excluded.get(n.id)?.code !== 'NODE_UNAVAILABLE').length;
    const reasons = [...excluded].map(([id, x]) => fromNode(id, x.reason));
    // Nodes skipped as unhealthy say why too (e.g. one that refuses nonces after a rollback).
    for (const n of holders) if (n.healthy === false && !excluded.has(n.id) && n.lastError) reasons.push(fromNode(n.id, `unavailable: ${n.lastError}`));
    const refusals = [...excluded.values()].filter((x) => classifyRefusal(x.code).refused);
    const summary =
      `key ${key.info.name} needs ${need} of ${key.info.maxSigners} nodes; ${reachable} reachable, ` +
      `${holders.length - excluded.size - holders.filter((n) => n.healthy === false && !excluded.has(n.id)).length} usable`;
    const code: ErrorCode = refusals.length > 0 && reachable >= need ? refusals[0]!.code : 'NOT_ENOUGH_NODES';
    return new QsignError(code, `cannot sign: ${summary}${reasons.length ? ` (${reasons.join('; ')})` : ''}`, {
      details: { needed: need, reachable, excluded: Object.fromEntries([...excluded].map(([id, x]) => [id, x.reason])) },
    });
  }
}

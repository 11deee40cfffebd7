/**
 * The coordinator's signing logic (DESIGN.md "Sign"): an untrusted relay. It
 * keeps per-node pools of fresh commitments, picks N healthy holders of the
 * key, gathers their shares, aggregates, verifies the result once with an
 * independent Ed25519 verifier, and only if that fails verifies each share to
 * name the culprit (identifiable abort, as frost-rs `aggregate` does). Bad or
 * dead nodes are excluded and the request is retried with another set.
 *
 * No gRPC here: nodes are reached through the `NodePort` interface.
 */
import { opensslVerify } from '@qsign/rpc';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  QsignError,
  classifyRefusal,
  errorMessage,
  isQsignError,
  frostEd25519Scheme,
  isValidKeyName,
  signingMessage,
  validateSignRequest,
  type ErrorCode,
  type SignRequest,
  type PreparedCommitment,
  type SchemeShare,
  type SignedRequest,
  type ThresholdScheme,
} from '@qsign/protocol';
import type { KeyInfo, NodeStatusResponse, GetCommitmentsResponse, SignShareRequest, SignShareResponse, CheckRequestResponse } from '@qsign/proto';
import { waitForApprovals, type NodeState, type WaitNode } from './approval-wait.js';
import { RequestTracker } from './request-tracker.js';
import type { LogFields } from '@qsign/rpc';
import { fromNode } from './node-reason.js';
import { Liveness, type LivenessOptions } from './liveness.js';

/** What the coordinator needs from a node (implemented by the rpc client). */
export interface NodePort {
  readonly address: string;
  status(timeoutMs?: number): Promise<NodeStatusResponse>;
  getCommitments(count: number, coordinatorId: string, timeoutMs?: number): Promise<GetCommitmentsResponse>;
  signShare(req: SignShareRequest, timeoutMs?: number): Promise<SignShareResponse>;
  getKey(name: string, timeoutMs?: number): Promise<KeyInfo>;
  attestKey(name: string, challenge: Uint8Array, timeoutMs?: number): Promise<{ nodeId: number; statement: Uint8Array; signature: Uint8Array }>;
  putCertificate(keyName: string, certificate: Uint8Array, timeoutMs?: number): Promise<{ fingerprint: Uint8Array }>;
  /** Would the node sign this now (ready / held)? No nonce spent (issue 6). */
  checkRequest?(request: SignedRequest, coordinatorId: string, timeoutMs?: number): Promise<CheckRequestResponse>;
  endRequest?(request: SignedRequest, coordinatorId: string, outcome: string, timeoutMs?: number): Promise<unknown>;
  /** Drops the connection and its reconnect backoff: the next call dials at once (redial-port.ts). */
  redial?(): void;
  close(): void;
}

/** A node's state as the coordinator tracks it. */
interface NodeHandle {
  id: number;
  port: NodePort;
  healthy: boolean | undefined;
  lastError: string;
  /** Pooled commitments, oldest first, with when they were fetched. */
  pool: Array<PreparedCommitment & { fetchedAt: number }>;
  refilling: Promise<void> | undefined;
}

/** A key as the coordinator knows it: public data and which node holds which identifier. */
interface KeyView {
  info: KeyInfo;
  holders: Map<number, NodeHandle>;
  verifyingShares: Map<number, Uint8Array>;
  /** The scheme's view of the key. */
  schemeKey: { groupPublicKey: Uint8Array; minSigners: number; maxSigners: number; verifyingShares: Map<number, Uint8Array> };
  fetchedAt: number;
}

/** The scheme of every key so far (docs/architecture.md "Signature schemes"). */
const SCHEME: ThresholdScheme = frostEd25519Scheme(opensslVerify);

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

/** Tunables. */
export interface CoordinatorOptions {
  coordinatorId: string;
  shareTimeoutMs: number;
  decode: (body: Uint8Array) => SignRequest;
  /** The daemon's logger; request-scoped lines carry `requestId`. */
  log: (msg: string, fields?: LogFields) => void;
  /** Hears how each Sign request ended (metrics): `code` is set when it failed. */
  observe?: (outcome: { requestId: string; keyName: string; code?: string }, seconds: number) => void;
  /** Commitments fetched per refill, and the level that triggers one. */
  poolBatch?: number;
  poolLowWater?: number;
  /** Pooled commitments older than this are dropped unused (nodes expire their nonces; default one hour). */
  maxCommitmentAgeMs?: number;
  /** Longest wait for operator approval of held requests (default 1 hour; the client's deadline may be shorter). */
  approvalTimeoutMs?: number;
  /** How often held nodes are asked again (default 500 ms). */
  approvalPollMs?: number;
  /** When a node counts as reachable without a probe, and how long a probe waits (liveness.ts). */
  liveness?: LivenessOptions;
}

const KEY_TTL_MS = 30_000;

/** The coordinator service. */
export class Coordinator {
  readonly #nodes: NodeHandle[];
  readonly #keys = new Map<string, KeyView>();
  readonly #batch: number;
  readonly #lowWater: number;
  #timer: NodeJS.Timeout | undefined;
  /** Where each recent request stands (GetRequestStatus). */
  readonly requests = new RequestTracker();
  /** Who answered lately; probes the others before an attempt picks its nodes. */
  readonly #liveness: Liveness;

  constructor(nodes: Array<{ id: number; port: NodePort }>, private readonly opts: CoordinatorOptions) {
    this.#nodes = nodes.map((n) => ({ id: n.id, port: n.port, healthy: undefined, lastError: '', pool: [], refilling: undefined }));
    this.#batch = opts.poolBatch ?? 64;
    this.#lowWater = opts.poolLowWater ?? 16;
    this.#liveness = new Liveness(opts.liveness);
  }

  /** Starts the health and commitment-refill loop. */
  start(intervalMs = 1000): void {
    const tick = () => void this.checkHealth();
    tick();
    this.#timer = setInterval(tick, intervalMs);
    this.#timer.unref();
  }

  /** Stops the loop and closes node connections. */
  stop(): void {
    clearInterval(this.#timer);
    for (const n of this.#nodes) n.port.close();
  }

  /** Probes every node once and refills low commitment pools. */
  async checkHealth(): Promise<void> {
    await Promise.all(
      this.#nodes.map(async (n) => {
        try {
          await n.port.status(2000);
          this.#markHealthy(n);
          if (n.pool.length < this.#lowWater) await this.#refill(n);
        } catch (e) {
          this.#markDead(n, errorMessage(e));
        }
      }),
    );
  }

  /** Health of each node, for status output. */
  status(): Array<{ nodeId: number; address: string; healthy: boolean; lastError: string; cachedCommitments: number }> {
    return this.#nodes.map((n) => ({ nodeId: n.id, address: n.port.address, healthy: n.healthy === true, lastError: n.lastError, cachedCommitments: n.pool.length }));
  }

  /** The public record of a key, as the nodes report it. */
  async getKey(name: string): Promise<KeyInfo> {
    return (await this.#keyView(name)).info;
  }

  /**
   * Every reachable node's signed attestation of key `name` for the client's
   * challenge (relayed as is: the client verifies each against the node
   * identities it pins), and why the others gave none.
   */
  async attestKey(name: string, challenge: Uint8Array): Promise<{ attestations: Array<{ nodeId: number; statement: Uint8Array; signature: Uint8Array }>; refusals: string[]; refusalCodes: string[] }> {
    if (!isValidKeyName(name)) throw new QsignError('INVALID_ARGUMENT', `not a valid key name: ${JSON.stringify(name.slice(0, 80))}`);
    const answers = await Promise.allSettled(this.#nodes.map((n) => n.port.attestKey(name, challenge, 5000)));
    const attestations: Array<{ nodeId: number; statement: Uint8Array; signature: Uint8Array }> = [];
    const refusals: string[] = [];
    const refusalCodes: string[] = [];
    answers.forEach((a, i) => {
      const n = this.#nodes[i]!;
      if (a.status === 'fulfilled') attestations.push({ nodeId: n.id, statement: a.value.statement, signature: a.value.signature });
      else {
        refusals.push(`node ${n.id}: ${errorMessage(a.reason)}`);
        refusalCodes.push(isQsignError(a.reason) ? a.reason.code : 'INTERNAL');
      }
    });
    return { attestations, refusals, refusalCodes };
  }

  /** Forgets the cached view of a key (after a DKG, reshare or certificate change). */
  forgetKey(name: string): void {
    this.#keys.delete(name);
  }

  /**
   * Offers a key's certificate to every node holding the key; each verifies it
   * itself. Resolves with who stored it and who refused; forgets the cached key
   * record so GetKey answers with the certificate.
   */
  async putCertificate(keyName: string, certificate: Uint8Array): Promise<{ fingerprint: Uint8Array; storedBy: number[]; refusals: string[] }> {
    const key = await this.#keyView(keyName);
    const holders = [...key.holders.values()];
    const answers = await Promise.allSettled(holders.map((n) => n.port.putCertificate(keyName, certificate, 10_000)));
    this.#keys.delete(keyName);
    const storedBy: number[] = [];
    const refusals: string[] = [];
    let fingerprint: Uint8Array = new Uint8Array(0);
    answers.forEach((a, i) => {
      if (a.status === 'fulfilled') {
        storedBy.push(holders[i]!.id);
        fingerprint = a.value.fingerprint;
      } else refusals.push(fromNode(holders[i]!.id, errorMessage(a.reason)));
    });
    if (storedBy.length === 0) {
      const first = answers.find((a) => a.status === 'rejected') as PromiseRejectedResult | undefined;
      throw new QsignError((first?.reason as QsignError)?.code ?? 'NOT_ENOUGH_NODES', `no node stored the certificate of ${keyName}: ${refusals.join('; ')}`);
    }
    return { fingerprint, storedBy: storedBy.sort((a, b) => a - b), refusals };
  }

  /**
   * Signs a client request with N nodes, retrying around bad or dead ones;
   * if nodes hold it for their operators, waits (until `deadlineMs`) for
   * approvals (approval-wait.ts).
   */
  async sign(signed: SignedRequest, opts: { deadlineMs?: number } = {}): Promise<SignOutcome> {
    let req: SignRequest;
    try {
      req = this.opts.decode(signed.body);
      validateSignRequest(req);
    } catch (e) {
      throw new QsignError('MALFORMED_REQUEST', errorMessage(e));
    }
    this.requests.start(req.requestId);
    const t0 = performance.now();
    const fields = { requestId: req.requestId, keyName: req.keyName, client: req.clientName };
    try {
      const out = await this.#sign(signed, req, opts.deadlineMs);
      this.requests.finish(req.requestId, 'done');
      const seconds = (performance.now() - t0) / 1000;
      this.opts.observe?.({ requestId: req.requestId, keyName: req.keyName }, seconds);
      this.opts.log(`signed request ${req.requestId} with nodes ${out.signers.join(', ')}`, { ...fields, signers: out.signers.join(','), ms: Math.round(seconds * 1000) });
      return out;
    } catch (e) {
      this.requests.finish(req.requestId, 'failed', errorMessage(e));
      const code = e instanceof QsignError ? e.code : 'INTERNAL';
      const seconds = (performance.now() - t0) / 1000;
      this.opts.observe?.({ requestId: req.requestId, keyName: req.keyName, code }, seconds);
      this.opts.log(`request ${req.requestId} failed: ${errorMessage(e)}`, { ...fields, level: 'warn', code, ms: Math.round(seconds * 1000) });
      throw e;
    }
  }

  async #sign(signed: SignedRequest, req: SignRequest, deadlineMs: number | undefined): Promise<SignOutcome> {
    let key = await this.#keyView(req.keyName);
    const message = signingMessage(req, key.info);
    const need = key.info.minSigners;
    const excluded = new Map<number, { reason: string; code: ErrorCode }>();
    const refreshed = new Set<number>();
    const abandoned: Array<{ signers: number[]; released: number[] }> = [];
    const maxAttempts = key.info.maxSigners - need + 3; // + one round with refreshed commitments
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      // Only nodes confirmed reachable (liveness.ts) — dead-marked ones probed again — so that
      // no share is released for an attempt that cannot complete, and a restarted node is used at once.
      const candidates = await this.#reachable(key, excluded, need);
      if (candidates.length < need) throw this.#notEnough(key, need, excluded);
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
            const c = await this.#takeCommitment(n);
            return { identifier, n, c: { identifier, hiding: c.hiding, binding: c.binding } };
          } catch (e) {
            this.#markDead(n, errorMessage(e));
            excluded.set(n.id, { reason: `unreachable: ${errorMessage(e)}`, code: 'NODE_UNAVAILABLE' });
            return undefined;
          }
        }),
      );
      if (withCommitments.some((x) => x === undefined)) continue;
      const set = withCommitments as Array<{ identifier: number; n: NodeHandle; c: PreparedCommitment }>;
      set.sort((a, b) => a.identifier - b.identifier);
      const list = set.map((s) => s.c);
      const results = await Promise.allSettled(
        set.map((s) => s.n.port.signShare({ request: signed, commitments: list, coordinatorId: this.opts.coordinatorId }, this.opts.shareTimeoutMs)),
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
          this.#liveness.heard(s.n.id);
          const problem = SCHEME.shareProblem(r.value, s.identifier);
          if (problem) {
            failed = true;
            excluded.set(s.n.id, { reason: problem, code: 'SIGNING_FAILED' });
          } else shares.push({ identifier: s.identifier, share: r.value.share });
          return;
        }
        failed = true;
        const err = r.reason as QsignError;
        const code: ErrorCode = err?.code ?? 'INTERNAL';
        if (code === 'NODE_UNAVAILABLE' || code === 'DEADLINE') this.#markDead(s.n, errorMessage(err));
        if (code === 'BAD_COMMITMENTS') s.n.pool = []; // the node no longer knows our cached commitments
        if (classifyRefusal(code, err?.details).refreshPool && !refreshed.has(s.n.id)) {
          // Its nonces expired (or its store was restored): fetch fresh commitments and ask it again, once.
          refreshed.add(s.n.id);
          this.opts.log(`request ${req.requestId}: node ${s.n.id} no longer holds our pooled commitments; refreshing them`, { requestId: req.requestId });
          return;
        }
        excluded.set(s.n.id, { reason: errorMessage(err), code });
        this.opts.log(`request ${req.requestId}: node ${s.n.id} ${classifyRefusal(code).refused ? 'refused' : 'failed'}: ${errorMessage(err)}`, { requestId: req.requestId });
      });
      if (held.size > 0) return this.#awaitApprovals(signed, req, key, message, set, list, results, held, excluded, deadlineMs);
      if (failed) {
        const released = set.filter((_, i) => results[i]!.status === 'fulfilled').map((s) => s.n.id);
        // Recorded even when no share came back: a node may have written its record and died before replying.
        abandoned.push({ signers: set.map((s) => s.n.id).sort((a, b) => a - b), released: released.sort((a, b) => a - b) });
        continue;
      }
      let signature: Uint8Array | undefined;
      try {
        signature = SCHEME.combine(shares, key.schemeKey, list, message);
      } catch (e) {
        this.opts.log(`request ${req.requestId}: aggregation failed: ${errorMessage(e)}`, { requestId: req.requestId });
      }
      if (signature && SCHEME.verify(signature, message, key.schemeKey)) {
        return {
          signature,
          message,
          signers: set.map((s) => s.n.id).sort((a, b) => a - b),
          excluded: [...excluded].map(([nodeId, x]) => ({ nodeId, reason: x.reason })),
          requestId: req.requestId,
          ...(abandoned.length > 0 && { abandoned }),
        };
      }
      // Identifiable abort (RFC 9591 §5.4): find who sent a bad share.
      const blamed = SCHEME.blame(shares, key.schemeKey, list, message);
      const culprits = set.filter((s) => blamed.includes(s.identifier));
      if (culprits.length === 0) {
        // Shares are individually valid but the aggregate is not: our key view is stale.
        this.#keys.delete(req.keyName);
        key = await this.#keyView(req.keyName);
        continue;
      }
      for (const c of culprits) {
        excluded.set(c.n.id, { reason: 'sent an invalid signature share', code: 'SIGNING_FAILED' });
        this.opts.log(`request ${req.requestId}: node ${c.n.id} sent an invalid signature share; excluding it`, { requestId: req.requestId });
      }
    }
    throw this.#notEnough(key, need, excluded);
  }

  /** Hands a parked attempt (some nodes answered HELD) to the approval wait loop. */
  async #awaitApprovals(
    signed: SignedRequest,
    req: SignRequest,
    key: KeyView,
    message: Uint8Array,
    set: Array<{ identifier: number; n: NodeHandle }>,
    list: PreparedCommitment[],
    results: Array<PromiseSettledResult<SignShareResponse>>,
    held: Map<number, NodeState>,
    excluded: Map<number, { reason: string; code: ErrorCode }>,
    deadlineMs: number | undefined,
  ): Promise<SignOutcome> {
    const need = key.info.minSigners;
    const handles = new Map<number, NodeHandle>();
    const holders: WaitNode[] = [...key.holders.entries()].map(([identifier, n]) => {
      handles.set(n.id, n);
      return { id: n.id, identifier };
    });
    const states = new Map<number, NodeState>(held);
    for (const [id, x] of excluded) if (x.code !== 'HELD') states.set(id, classifyRefusal(x.code).refused ? { kind: 'refused', reason: x.reason, code: x.code } : { kind: 'down', reason: x.code === 'NODE_UNAVAILABLE' || x.code === 'DEADLINE' ? x.reason : `unreachable: ${x.reason}` });
    set.forEach((s, i) => {
      const r = results[i]!;
      if (r.status === 'fulfilled') states.set(s.n.id, { kind: 'signed', share: { identifier: s.identifier, share: r.value.share } });
    });
    const deadline = Math.min(deadlineMs ?? Infinity, Date.now() + (this.opts.approvalTimeoutMs ?? 3_600_000));
    this.opts.log(`request ${req.requestId}: held by node${held.size > 1 ? 's' : ''} ${[...held.keys()].join(', ')}; waiting for operator approval until ${new Date(deadline).toISOString()}`, { requestId: req.requestId });
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
        pollMs: this.opts.approvalPollMs ?? 500,
        signed,
      },
      {
        check: async (w) => {
          const p = port(w);
          if (!p.checkRequest) throw new QsignError('NODE_UNAVAILABLE', `node ${w.id}: no approval service`);
          const r = await p.checkRequest(signed, this.opts.coordinatorId, 5000);
          return { ready: r.ready, holdId: r.holdId, expiresAtMs: r.expiresUnixMs };
        },
        signShare: async (w, l) => {
          const r = await port(w).signShare({ request: signed, commitments: l, coordinatorId: this.opts.coordinatorId }, this.opts.shareTimeoutMs);
          const problem = SCHEME.shareProblem(r, w.identifier);
          if (problem) throw new QsignError('SIGNING_FAILED', `node ${w.id} ${problem}`);
          return { identifier: r.identifier, share: r.share };
        },
        end: async (w, outcome) => port(w).endRequest?.(signed, this.opts.coordinatorId, outcome, 5000),
        takeCommitment: (w) => this.#takeCommitment(handles.get(w.id)!),
        finish: (shares, l) => {
          try {
            const sig = SCHEME.combine(shares, key.schemeKey, l, message);
            return SCHEME.verify(sig, message, key.schemeKey) ? sig : undefined;
          } catch {
            return undefined;
          }
        },
        report: (st) => this.requests.update(req.requestId, st, need, deadline),
        log: this.opts.log,
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

  /** The key's holders not yet excluded that are reachable now, probing those not heard from lately. */
  async #reachable(key: KeyView, excluded: ReadonlyMap<number, unknown>, need: number): Promise<Array<[number, NodeHandle]>> {
    const open = [...key.holders.entries()].filter(([, n]) => !excluded.has(n.id)).map(([identifier, n]) => ({ id: n.id, identifier, n }));
    const { reachable } = await this.#liveness.confirm(open, need, async ({ n }, timeoutMs) => {
      try {
        if (n.healthy === false) n.port.redial?.(); // its channel may be backing off; dial the (restarted) node now
        await n.port.status(timeoutMs);
        this.#markHealthy(n);
      } catch (e) {
        this.#markDead(n, errorMessage(e));
        throw e;
      }
    });
    return reachable.map((h) => [h.identifier, h.n]);
  }

  #notEnough(key: KeyView, need: number, excluded: Map<number, { reason: string; code: ErrorCode }>): QsignError {
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

  async #keyView(name: string): Promise<KeyView> {
    if (!isValidKeyName(name)) throw new QsignError('INVALID_ARGUMENT', `not a valid key name: ${JSON.stringify(name.slice(0, 80))}`);
    const cached = this.#keys.get(name);
    if (cached && Date.now() - cached.fetchedAt < KEY_TTL_MS) return cached;
    const live = this.#nodes.filter((n) => n.healthy !== false);
    const answers = await Promise.allSettled(live.map((n) => n.port.getKey(name, 3000)));
    const reports: Array<{ node: NodeHandle; info: KeyInfo }> = [];
    const unknown: string[] = [];
    answers.forEach((a, i) => {
      const n = live[i]!;
      if (a.status === 'fulfilled') return void reports.push({ node: n, info: a.value });
      const err = a.reason as QsignError;
      if (err?.code === 'NODE_UNAVAILABLE' || err?.code === 'DEADLINE') this.#markDead(n, errorMessage(err));
      else unknown.push(fromNode(n.id, errorMessage(err)));
    });
    if (reports.length === 0) {
      if (live.length === 0 || unknown.length === 0) throw new QsignError('NOT_ENOUGH_NODES', `cannot look up key ${name}: no node is reachable`);
      throw new QsignError('UNKNOWN_KEY', `unknown key ${name}`);
    }
    const agreed = agreedKeyRecord(name, reports);
    for (const r of reports) if (!agreed.members.includes(r)) this.opts.log(`node ${r.node.id} reports a different record of key ${name}; ignoring it for this key`);
    const info = agreed.info;
    const holders = new Map<number, NodeHandle>(agreed.members.map((r) => [r.info.identifier, r.node]));
    const verifyingShares = new Map(Object.entries(info.verifyingShares).map(([k, v]) => [Number(k), v]));
    const view: KeyView = {
      info,
      holders,
      verifyingShares,
      schemeKey: { groupPublicKey: info.groupPublicKey, minSigners: info.minSigners, maxSigners: info.maxSigners, verifyingShares },
      fetchedAt: Date.now(),
    };
    // Keep the holders seen before if a node was briefly down during this lookup.
    if (cached) for (const [id, n] of cached.holders) if (!view.holders.has(id) && bytesToHex(cached.info.groupPublicKey) === bytesToHex(info.groupPublicKey)) view.holders.set(id, n);
    this.#keys.set(name, view);
    return view;
  }

  async #takeCommitment(n: NodeHandle): Promise<PreparedCommitment> {
    const oldest = Date.now() - (this.opts.maxCommitmentAgeMs ?? 3_600_000);
    while (n.pool.length > 0 && n.pool[0]!.fetchedAt < oldest) n.pool.shift();
    if (n.pool.length === 0) await this.#refill(n);
    const c = n.pool.shift();
    if (!c) throw new QsignError('NODE_UNAVAILABLE', `node ${n.id} has no commitments`);
    if (n.pool.length < this.#lowWater) void this.#refill(n).catch(() => undefined);
    return c;
  }

  #refill(n: NodeHandle): Promise<void> {
    n.refilling ??= (async () => {
      try {
        const res = await n.port.getCommitments(this.#batch, this.opts.coordinatorId);
        const fetchedAt = Date.now();
        const fresh = res.commitments.map((c) => ({ identifier: n.id, hiding: c.hiding, binding: c.binding, fetchedAt }));
        // Validate (and cache the decoded points) off the signing path; a node that
        // hands out invalid points is blamed here, before any signing session.
        for (const c of fresh) SCHEME.validatePrepared({ identifier: c.identifier, hiding: c.hiding, binding: c.binding });
        n.pool.push(...fresh);
        this.#markHealthy(n);
      } finally {
        n.refilling = undefined;
      }
    })();
    return n.refilling;
  }

  #markHealthy(n: NodeHandle): void {
    if (n.healthy !== true) this.opts.log(`node ${n.id} at ${n.port.address} is healthy`);
    n.healthy = true;
    n.lastError = '';
    this.#liveness.heard(n.id);
  }

  #markDead(n: NodeHandle, why: string): void {
    if (n.healthy !== false) this.opts.log(`node ${n.id} at ${n.port.address} is unreachable: ${why}`);
    n.healthy = false;
    n.lastError = why;
    this.#liveness.lost(n.id);
    n.pool = [];
  }
}

/** A node's report of a key, and the node. */
interface KeyReport {
  node: { id: number };
  info: KeyInfo;
}

/** The fields of a key record that every honest holder reports identically (not the certificate, which a node may lack). */
function recordSignature(k: KeyInfo): string {
  const shares = Object.entries(k.verifyingShares).map(([id, v]) => `${id}=${bytesToHex(v)}`).sort();
  return [bytesToHex(k.groupPublicKey), k.minSigners, k.maxSigners, k.createdUnixSeconds, JSON.stringify(k.userId), shares.join(',')].join('|');
}

/**
 * The key record at least `minSigners` (and at least two) nodes report
 * alike (docs/pinning.md): one node alone, or the coordinator's first
 * answer, never decides what a key is. Two records each with enough support
 * is a disagreement and refused. The certificate served is the one most of
 * the agreeing nodes hold, and only if at least `minSigners` of them do.
 */
export function agreedKeyRecord<R extends KeyReport>(name: string, reports: readonly R[]): { info: KeyInfo; members: R[] } {
  const groups = new Map<string, R[]>();
  for (const r of reports) {
    const sig = recordSignature(r.info);
    groups.set(sig, [...(groups.get(sig) ?? []), r]);
  }
  const ranked = [...groups.values()].sort((a, b) => b.length - a.length);
  const need = (g: R[]) => Math.max(2, g[0]!.info.minSigners);
  const best = ranked[0]!;
  const describe = () => ranked.map((g) => `${g.length > 1 ? 'nodes' : 'node'} ${g.map((r) => r.node.id).join(', ')} ${g.length > 1 ? 'report' : 'reports'} group key ${bytesToHex(g[0]!.info.groupPublicKey)} (${g[0]!.info.minSigners}-of-${g[0]!.info.maxSigners})`).join('; ');
  if (ranked.length > 1 && (best.length < need(best) || ranked[1]!.length >= need(ranked[1]!)))
    throw new QsignError('KEY_MISMATCH', `nodes disagree about key ${name}: ${describe()}; no record has the support of enough nodes`);
  if (best.length < need(best))
    throw new QsignError('NOT_ENOUGH_NODES', `cannot look up key ${name}: key ${name} needs ${need(best)} of ${best[0]!.info.maxSigners} nodes; ${best.length} reachable report its record`);
  const certs = new Map<string, R[]>();
  for (const r of best) if (r.info.certificate.length > 0) certs.set(bytesToHex(r.info.certificate), [...(certs.get(bytesToHex(r.info.certificate)) ?? []), r]);
  const cert = [...certs.values()].sort((a, b) => b.length - a.length)[0];
  const withCert = cert && cert.length >= best[0]!.info.minSigners ? cert[0]!.info : undefined;
  const base = best[0]!.info;
  return {
    info: { ...base, certificate: withCert?.certificate ?? new Uint8Array(0), fingerprint: withCert?.fingerprint ?? base.fingerprint },
    members: best,
  };
}

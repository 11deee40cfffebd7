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
import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import * as frost from '@qsign/frost';
import {
  QsignError,
  errorMessage,
  isValidKeyName,
  signingMessage,
  validateSignRequest,
  type ErrorCode,
  type SignRequest,
  type SignedRequest,
} from '@qsign/protocol';
import type { KeyInfo, NodeStatusResponse, GetCommitmentsResponse, SignShareRequest, SignShareResponse } from '@qsign/proto';

/** What the coordinator needs from a node (implemented by the rpc client). */
export interface NodePort {
  readonly address: string;
  status(timeoutMs?: number): Promise<NodeStatusResponse>;
  getCommitments(count: number, coordinatorId: string, timeoutMs?: number): Promise<GetCommitmentsResponse>;
  signShare(req: SignShareRequest, timeoutMs?: number): Promise<SignShareResponse>;
  getKey(name: string, timeoutMs?: number): Promise<KeyInfo>;
  close(): void;
}

/** A node's state as the coordinator tracks it. */
interface NodeHandle {
  id: number;
  port: NodePort;
  healthy: boolean | undefined;
  lastError: string;
  pool: frost.SigningCommitments[];
  refilling: Promise<void> | undefined;
}

/** A key as the coordinator knows it: public data and which node holds which identifier. */
interface KeyView {
  info: KeyInfo;
  holders: Map<number, NodeHandle>;
  verifyingShares: Map<number, Uint8Array>;
  publicKey: KeyObject;
  fetchedAt: number;
}

/** The outcome of a signing request. */
export interface SignOutcome {
  signature: Uint8Array;
  message: Uint8Array;
  signers: number[];
  excluded: Array<{ nodeId: number; reason: string }>;
  requestId: string;
}

/** Tunables. */
export interface CoordinatorOptions {
  coordinatorId: string;
  shareTimeoutMs: number;
  decode: (body: Uint8Array) => SignRequest;
  log: (msg: string) => void;
  /** Commitments fetched per refill, and the level that triggers one. */
  poolBatch?: number;
  poolLowWater?: number;
}

/** Node refusals: the node decided no. Anything else is a fault (dead, slow, broken). */
const REFUSALS: ReadonlySet<ErrorCode> = new Set([
  'UNKNOWN_CLIENT', 'BAD_CLIENT_SIGNATURE', 'MALFORMED_REQUEST', 'STALE_REQUEST', 'REPLAYED_REQUEST',
  'POLICY_REFUSED', 'UNKNOWN_KEY', 'UNSUPPORTED_PAYLOAD', 'AUDIT_WRITE_FAILED', 'SEALED',
]);

const KEY_TTL_MS = 30_000;

/** Builds a node:crypto (OpenSSL) Ed25519 public key from 32 raw bytes. */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(raw)]);
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

/** The coordinator service. */
export class Coordinator {
  readonly #nodes: NodeHandle[];
  readonly #keys = new Map<string, KeyView>();
  readonly #batch: number;
  readonly #lowWater: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(nodes: Array<{ id: number; port: NodePort }>, private readonly opts: CoordinatorOptions) {
    this.#nodes = nodes.map((n) => ({ id: n.id, port: n.port, healthy: undefined, lastError: '', pool: [], refilling: undefined }));
    this.#batch = opts.poolBatch ?? 64;
    this.#lowWater = opts.poolLowWater ?? 16;
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

  /** Forgets the cached view of a key (after a DKG, reshare or certificate change). */
  forgetKey(name: string): void {
    this.#keys.delete(name);
  }

  /** Signs a client request with N nodes, retrying around bad or dead ones. */
  async sign(signed: SignedRequest): Promise<SignOutcome> {
    let req: SignRequest;
    try {
      req = this.opts.decode(signed.body);
      validateSignRequest(req);
    } catch (e) {
      throw new QsignError('MALFORMED_REQUEST', errorMessage(e));
    }
    const message = signingMessage(req);
    let key = await this.#keyView(req.keyName);
    const need = key.info.minSigners;
    const excluded = new Map<number, { reason: string; code: ErrorCode }>();
    const maxAttempts = key.info.maxSigners - need + 2;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const candidates = [...key.holders.entries()].filter(([, n]) => !excluded.has(n.id) && n.healthy !== false);
      if (candidates.length < need) throw this.#notEnough(key, need, excluded);
      // Prefer nodes known healthy with commitments ready; spread load otherwise.
      candidates.sort(([, a], [, b]) => Number(b.healthy === true) - Number(a.healthy === true) || b.pool.length - a.pool.length || Math.random() - 0.5);
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
      const set = withCommitments as Array<{ identifier: number; n: NodeHandle; c: frost.SigningCommitments }>;
      set.sort((a, b) => a.identifier - b.identifier);
      const list = set.map((s) => s.c);
      const results = await Promise.allSettled(
        set.map((s) => s.n.port.signShare({ request: signed, commitments: list, coordinatorId: this.opts.coordinatorId }, this.opts.shareTimeoutMs)),
      );
      let failed = false;
      const shares: frost.SignatureShare[] = [];
      results.forEach((r, i) => {
        const s = set[i]!;
        if (r.status === 'fulfilled') {
          if (r.value.identifier !== s.identifier || r.value.share.length !== 32) {
            failed = true;
            excluded.set(s.n.id, { reason: 'answered with a malformed signature share', code: 'SIGNING_FAILED' });
          } else shares.push({ identifier: s.identifier, share: r.value.share });
          return;
        }
        failed = true;
        const err = r.reason as QsignError;
        const code: ErrorCode = err?.code ?? 'INTERNAL';
        if (code === 'NODE_UNAVAILABLE' || code === 'DEADLINE') this.#markDead(s.n, errorMessage(err));
        if (code === 'BAD_COMMITMENTS') s.n.pool = []; // the node no longer knows our cached commitments
        excluded.set(s.n.id, { reason: errorMessage(err), code });
        this.opts.log(`request ${req.requestId}: node ${s.n.id} ${REFUSALS.has(code) ? 'refused' : 'failed'}: ${errorMessage(err)}`);
      });
      if (failed) continue;
      let signature: Uint8Array | undefined;
      try {
        signature = frost.aggregate(shares, key.info.groupPublicKey, list, message);
      } catch (e) {
        this.opts.log(`request ${req.requestId}: aggregation failed: ${errorMessage(e)}`);
      }
      if (signature && nodeVerify(null, message, key.publicKey, signature)) {
        return {
          signature,
          message,
          signers: set.map((s) => s.n.id).sort((a, b) => a - b),
          excluded: [...excluded].map(([nodeId, x]) => ({ nodeId, reason: x.reason })),
          requestId: req.requestId,
        };
      }
      // Identifiable abort (RFC 9591 §5.4): find who sent a bad share.
      const culprits = set.filter((s, i) => !frost.verifyShare(shares[i]!, key.verifyingShares.get(s.identifier)!, key.info.groupPublicKey, list, message));
      if (culprits.length === 0) {
        // Shares are individually valid but the aggregate is not: our key view is stale.
        this.#keys.delete(req.keyName);
        key = await this.#keyView(req.keyName);
        continue;
      }
      for (const c of culprits) {
        excluded.set(c.n.id, { reason: 'sent an invalid signature share', code: 'SIGNING_FAILED' });
        this.opts.log(`request ${req.requestId}: node ${c.n.id} sent an invalid signature share; excluding it`);
      }
    }
    throw this.#notEnough(key, need, excluded);
  }

  #notEnough(key: KeyView, need: number, excluded: Map<number, { reason: string; code: ErrorCode }>): QsignError {
    const holders = [...key.holders.values()];
    const reachable = holders.filter((n) => n.healthy !== false && excluded.get(n.id)?.code !== 'NODE_UNAVAILABLE').length;
    const reasons = [...excluded].map(([id, x]) => `node ${id}: ${x.reason}`);
    const refusals = [...excluded.values()].filter((x) => REFUSALS.has(x.code));
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
    let info: KeyInfo | undefined;
    const holders = new Map<number, NodeHandle>();
    const unknown: string[] = [];
    answers.forEach((a, i) => {
      const n = live[i]!;
      if (a.status === 'rejected') {
        const err = a.reason as QsignError;
        if (err?.code === 'NODE_UNAVAILABLE' || err?.code === 'DEADLINE') this.#markDead(n, errorMessage(err));
        else unknown.push(`node ${n.id}: ${errorMessage(err)}`);
        return;
      }
      info ??= a.value;
      if (bytesToHex(a.value.groupPublicKey) !== bytesToHex(info.groupPublicKey)) {
        this.opts.log(`node ${n.id} reports a different group key for ${name}; ignoring it for this key`);
        return;
      }
      holders.set(a.value.identifier, n);
    });
    if (!info) {
      if (live.length === 0 || unknown.length === 0) throw new QsignError('NOT_ENOUGH_NODES', `cannot look up key ${name}: no node is reachable`);
      throw new QsignError('UNKNOWN_KEY', `unknown key ${name}`);
    }
    const view: KeyView = {
      info,
      holders,
      verifyingShares: new Map(Object.entries(info.verifyingShares).map(([k, v]) => [Number(k), v])),
      publicKey: ed25519PublicKey(info.groupPublicKey),
      fetchedAt: Date.now(),
    };
    // Keep the holders seen before if a node was briefly down during this lookup.
    if (cached) for (const [id, n] of cached.holders) if (!view.holders.has(id) && bytesToHex(cached.info.groupPublicKey) === bytesToHex(info.groupPublicKey)) view.holders.set(id, n);
    this.#keys.set(name, view);
    return view;
  }

  async #takeCommitment(n: NodeHandle): Promise<frost.SigningCommitments> {
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
        n.pool.push(...res.commitments.map((c) => ({ identifier: n.id, hiding: c.hiding, binding: c.binding })));
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
  }

  #markDead(n: NodeHandle, why: string): void {
    if (n.healthy !== false) this.opts.log(`node ${n.id} at ${n.port.address} is unreachable: ${why}`);
    n.healthy = false;
    n.lastError = why;
    n.pool = [];
  }
}

/**
 * The coordinator service (DESIGN.md "Sign"): an untrusted relay. Its parts:
 * node health and commitment pools (node-pools.ts), the key views the
 * holders agree on (key-view.ts), and one signing request with its retries
 * and approval wait (signing-attempt.ts). This shell owns them, runs the
 * health loop, relays attestations and certificates, and logs and measures
 * each Sign request.
 *
 * No gRPC here: nodes are reached through the `NodePort` interface (node-port.ts).
 */
import { opensslRsaVerify, opensslVerify } from '@qsign/rpc';
import { QsignError, errorMessage, isQsignError, frostEd25519Scheme, isValidKeyName, shoupRsaScheme, validateSignRequest, type SignRequest, type SignedRequest, type ThresholdScheme } from '@qsign/protocol';
import type { KeyInfo } from '@qsign/proto';
import { RequestTracker } from './request-tracker.js';
import { fromNode } from './node-reason.js';
import type { LivenessOptions } from './liveness.js';
import type { NodePort } from './node-port.js';
import { NodePools } from './node-pools.js';
import { KeyViews } from './key-view.js';
import { OneRoundRun } from './one-round-run.js';
import { SigningRun, type SignOutcome, type SigningOptions } from './signing-attempt.js';

export type { NodePort } from './node-port.js';
export type { SignOutcome } from './signing-attempt.js';
export { agreedKeyRecord } from './key-view.js';

/** The scheme of every key so far (docs/architecture.md "Signature schemes"). */
const SCHEME: ThresholdScheme = frostEd25519Scheme(opensslVerify);
/** Threshold RSA keys (KeyInfo.scheme 'rsa-shoup'): one round, OpenSSL's PKCS#1 v1.5 as the final check. */
const RSA_SCHEME: ThresholdScheme = shoupRsaScheme(opensslRsaVerify);

/** Tunables. */
export interface CoordinatorOptions extends SigningOptions {
  decode: (body: Uint8Array) => SignRequest;
  /** Hears how each Sign request ended (metrics): `code` is set when it failed. */
  observe?: (outcome: { requestId: string; keyName: string; code?: string }, seconds: number) => void;
  /** Commitments fetched per refill, and the level that triggers one. */
  poolBatch?: number;
  poolLowWater?: number;
  /** Pooled commitments older than this are dropped unused (nodes expire their nonces; default one hour). */
  maxCommitmentAgeMs?: number;
  /** When a node counts as reachable without a probe, and how long a probe waits (liveness.ts). */
  liveness?: LivenessOptions;
}

/** The coordinator service. */
export class Coordinator {
  readonly #pools: NodePools;
  readonly #keys: KeyViews;
  #timer: NodeJS.Timeout | undefined;
  /** Where each recent request stands (GetRequestStatus). */
  readonly requests = new RequestTracker();

  constructor(nodes: Array<{ id: number; port: NodePort }>, private readonly opts: CoordinatorOptions) {
    this.#pools = new NodePools(nodes, {
      coordinatorId: opts.coordinatorId,
      scheme: SCHEME,
      log: opts.log,
      batch: opts.poolBatch,
      lowWater: opts.poolLowWater,
      maxCommitmentAgeMs: opts.maxCommitmentAgeMs,
      liveness: opts.liveness,
    });
    this.#keys = new KeyViews(this.#pools, opts.log);
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
    for (const n of this.#pools.nodes) n.port.close();
  }

  /** Probes every node once and refills low commitment pools. */
  checkHealth(): Promise<void> {
    return this.#pools.checkHealth();
  }

  /** Health of each node, for status output. */
  status(): Array<{ nodeId: number; address: string; healthy: boolean; lastError: string; cachedCommitments: number }> {
    return this.#pools.nodes.map((n) => ({ nodeId: n.id, address: n.port.address, healthy: n.healthy === true, lastError: n.lastError, cachedCommitments: n.pool.length }));
  }

  /** The public record of a key, as the nodes report it. */
  async getKey(name: string): Promise<KeyInfo> {
    return (await this.#keys.get(name)).info;
  }

  /**
   * Every reachable node's signed attestation of key `name` for the client's
   * challenge (relayed as is: the client verifies each against the node
   * identities it pins), and why the others gave none.
   */
  async attestKey(name: string, challenge: Uint8Array): Promise<{ attestations: Array<{ nodeId: number; statement: Uint8Array; signature: Uint8Array }>; refusals: string[]; refusalCodes: string[] }> {
    if (!isValidKeyName(name)) throw new QsignError('INVALID_ARGUMENT', `not a valid key name: ${JSON.stringify(name.slice(0, 80))}`);
    const nodes = this.#pools.nodes;
    const answers = await Promise.allSettled(nodes.map((n) => n.port.attestKey(name, challenge, 5000)));
    const attestations: Array<{ nodeId: number; statement: Uint8Array; signature: Uint8Array }> = [];
    const refusals: string[] = [];
    const refusalCodes: string[] = [];
    answers.forEach((a, i) => {
      const n = nodes[i]!;
      if (a.status === 'fulfilled') attestations.push({ nodeId: n.id, statement: a.value.statement, signature: a.value.signature });
      else {
        refusals.push(`node ${n.id}: ${errorMessage(a.reason)}`);
        refusalCodes.push(isQsignError(a.reason) ? a.reason.code : 'INTERNAL');
      }
    });
    return { attestations, refusals, refusalCodes };
  }

  /** Every key name some reachable node holds (NodePort.listKeys), sorted. */
  async keyNames(): Promise<string[]> {
    const answers = await Promise.allSettled(this.#pools.nodes.map((n) => n.port.listKeys?.(5000) ?? Promise.resolve({ names: [] })));
    return [...new Set(answers.flatMap((a) => (a.status === 'fulfilled' ? a.value.names : [])))].sort();
  }

  /** Forgets the cached view of a key (after a DKG, reshare or certificate change). */
  forgetKey(name: string): void {
    this.#keys.forget(name);
  }

  /**
   * Offers a key's certificate to every node holding the key; each verifies it
   * itself. Resolves with who stored it and who refused; forgets the cached key
   * record so GetKey answers with the certificate.
   */
  async putCertificate(keyName: string, certificate: Uint8Array): Promise<{ fingerprint: Uint8Array; storedBy: number[]; refusals: string[] }> {
    const key = await this.#keys.get(keyName);
    const holders = [...key.holders.values()];
    const answers = await Promise.allSettled(holders.map((n) => n.port.putCertificate(keyName, certificate, 10_000)));
    this.#keys.forget(keyName);
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
   * approvals (signing-attempt.ts, approval-wait.ts).
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
      const rsa = (await this.#keys.get(req.keyName)).info.scheme === 'rsa-shoup';
      const ctx = { pools: this.#pools, keys: this.#keys, scheme: rsa ? RSA_SCHEME : SCHEME, requests: this.requests, opts: this.opts };
      const out = await (rsa ? new OneRoundRun(ctx, signed, req, opts.deadlineMs) : new SigningRun(ctx, signed, req, opts.deadlineMs)).run();
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
}

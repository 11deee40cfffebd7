/**
 * Key creation and resharing through the coordinator (no gRPC here). The
 * coordinator only relays: DKG round-1 broadcasts (public), round-2
 * envelopes and reshare sub-share envelopes (ciphertext it cannot open,
 * sealed node-to-node with enrollment keys). Any node's refusal — naming a
 * misbehaving peer — aborts the operation with that node's message.
 */
import { appendFileSync } from 'node:fs';
import { bytesToHex } from '@noble/hashes/utils.js';
import { QsignError, dkgSessionId, errorMessage, isQsignError, isValidKeyName, keyFingerprint, keygenKeyType, openKeygenRequest, openResharePlan, parseKeyType, rsaBitsOf, signKeygenRequest, thresholdProblem, type KeyType, type ErrorCode, type SignedLifecycle, type SignedResharePlan } from '@qsign/protocol';
import type { DkgParams, DkgRound1Package, KeyInfo, KeyOutcome, ReshareConfirmation, ReshareDealResponse, SealedPackage } from '@qsign/proto';
import { fromNode } from './node-reason.js';

/** What the coordinator needs from a node's NodeKeys service (implemented by the rpc client). */
export interface NodeKeysPort {
  dkgRound1(params: DkgParams, authorization: SignedLifecycle | undefined, timeoutMs?: number): Promise<DkgRound1Package>;
  dkgRound2(sessionId: string, round1: DkgRound1Package[], timeoutMs?: number): Promise<{ packages: SealedPackage[] }>;
  dkgFinalize(sessionId: string, packages: SealedPackage[], timeoutMs?: number): Promise<KeyOutcome>;
  dkgConfirm(sessionId: string, groupPublicKey: Uint8Array, timeoutMs?: number): Promise<KeyOutcome>;
  reshareDeal(plan: SignedResharePlan, timeoutMs?: number): Promise<ReshareDealResponse>;
  reshareReceive(plan: SignedResharePlan, deals: ReshareDealResponse[], timeoutMs?: number): Promise<KeyOutcome>;
  reshareRetire(plan: SignedResharePlan, confirmations: ReshareConfirmation[], timeoutMs?: number): Promise<KeyOutcome>;
  close(): void;
}

/** How long the dealer of a new RSA key may take (two safe primes: minutes for RSA-4096 on a loaded host). */
export const RSA_DEAL_TIMEOUT_MS = 60 * 60_000;

/** Result of a key generation. */
export interface GeneratedKey {
  created: boolean;
  groupPublicKey: Uint8Array;
  fingerprint: Uint8Array;
  createdUnixSeconds: number;
  minSigners: number;
  maxSigners: number;
}

/** Options of {@link CoordinatorKeys}. */
export interface CoordinatorKeysOptions {
  /** Threshold when a request gives none (default: a majority of the nodes). */
  defaultThreshold?: number;
  /** Looks a key up (undefined if unknown). */
  lookup(name: string): Promise<KeyInfo | undefined>;
  /** Drops cached key views after a change. */
  forget(name: string): void;
  log(m: string): void;
  /**
   * Ed25519 secret key of this coordinator's keygen client (a client with the
   * keygen permission on every node): signs the keygen requests of
   * copr-keygen's `gen_key`. Absent: only officer-signed requests start a DKG.
   */
  keygenSecretKey?: Uint8Array;
  /** Type of keys created when a request names none (coordinator config "keygenDefaultType"; default ed25519). */
  defaultKeyType?: KeyType;
  /** The node that generates and deals new RSA keys (config "keygenDealerNode"; default the lowest node id). */
  dealerNode?: number;
  /** Test only: append every relayed node response (hex) to this file. */
  relayDump?: string;
}

/**
 * The code of a key operation some nodes failed, from their errors in node order: HELD when
 * every failure is a hold (the operators' approval is the way on); else the first node's
 * answer that is not a transport failure (POLICY_REFUSED, KEY_EXISTS, PERMISSION_DENIED…: a
 * reason an officer can act on), else the first node's code, else SIGNING_FAILED for an
 * error without one.
 */
export function lifecycleFailureCode(reasons: unknown[]): ErrorCode {
  if (reasons.length > 0 && reasons.every((e) => isQsignError(e, 'HELD'))) return 'HELD';
  const coded = reasons.filter((e): e is QsignError => isQsignError(e) && e.code !== 'HELD');
  return (coded.find((e) => !TRANSPORT_FAILURES.has(e.code)) ?? coded[0])?.code ?? 'SIGNING_FAILED';
}

/** Codes that say a node could not be asked, not what it decided. */
const TRANSPORT_FAILURES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['NODE_UNAVAILABLE', 'DEADLINE', 'INTERNAL']);

/** DKG and reshare orchestration. */
export class CoordinatorKeys {
  readonly #inProgress = new Map<string, Promise<GeneratedKey>>();
  constructor(
    private readonly nodes: Array<{ id: number; keys: NodeKeysPort }>,
    private readonly opts: CoordinatorKeysOptions,
  ) {}

  #dump(what: string, value: unknown): void {
    if (!this.opts.relayDump) return;
    const plain = (v: unknown): unknown =>
      v instanceof Uint8Array ? bytesToHex(v) : Array.isArray(v) ? v.map(plain) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v;
    appendFileSync(this.opts.relayDump, JSON.stringify({ what, value: plain(value) }) + '\n');
  }

  async #all<T>(what: string, ids: number[], call: (n: { id: number; keys: NodeKeysPort }) => Promise<T>): Promise<T[]> {
    // A channel still backing off after a node restart fails fast without sending: retry those.
    const attempt = async (id: number): Promise<T> => {
      for (let i = 0; ; i++) {
        try {
          return await call(this.#node(id));
        } catch (e) {
          if (i >= 4 || (e as QsignError)?.code !== 'NODE_UNAVAILABLE' || (e as QsignError).details?.notSent !== true) throw e;
          await new Promise((r) => setTimeout(r, 400));
        }
      }
    };
    const results = await Promise.allSettled(ids.map(attempt));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [fromNode(ids[i]!, errorMessage(r.reason))] : []));
    if (failed.length) {
      const code = lifecycleFailureCode(results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])));
      throw new QsignError(code, `${what} ${code === 'HELD' ? 'held for operator approval' : 'failed'}: ${failed.join('; ')}`);
    }
    const values = results.map((r) => (r as PromiseFulfilledResult<T>).value);
    this.#dump(what, values);
    return values;
  }

  #node(id: number): { id: number; keys: NodeKeysPort } {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new QsignError('INVALID_ARGUMENT', `node ${id} is not configured on this coordinator`);
    return n;
  }

  /**
   * Creates key `keyName` by DKG among all configured nodes, unless it
   * exists (then `created` is false). `authorization` is a keygen request
   * signed by an officer; without one the coordinator's keygen client signs
   * (copr-keygen). Every node checks the request and its signer itself.
   * Concurrent requests for one name share one run.
   */
  generateKey(keyName: string, userId: string, minSigners = 0, authorization?: SignedLifecycle, keyType = ''): Promise<GeneratedKey> {
    if (!isValidKeyName(keyName)) throw new QsignError('INVALID_ARGUMENT', `not a valid key name: ${JSON.stringify(keyName.slice(0, 80))}`);
    const running = this.#inProgress.get(keyName);
    if (running) return running.then((k) => ({ ...k, created: false }));
    const p = this.#generate(keyName, userId, minSigners, authorization, keyType).finally(() => this.#inProgress.delete(keyName));
    this.#inProgress.set(keyName, p);
    return p;
  }

  async #generate(keyName: string, userId: string, minSigners: number, authorization: SignedLifecycle | undefined, asked: string): Promise<GeneratedKey> {
    const existing = await this.opts.lookup(keyName);
    if (existing) {
      return {
        created: false,
        groupPublicKey: existing.groupPublicKey,
        fingerprint: keyFingerprint(existing),
        createdUnixSeconds: existing.createdUnixSeconds,
        minSigners: existing.minSigners,
        maxSigners: existing.maxSigners,
      };
    }
    const ids = this.nodes.map((n) => n.id).sort((a, b) => a - b);
    if (!authorization) {
      if (!this.opts.keygenSecretKey) throw new QsignError('POLICY_REFUSED', 'a DKG needs a keygen request signed by an officer (qsign keygen) or a coordinator keygen client (coordinator config "keygenClientKeyFile")');
      authorization = signKeygenRequest({ keyName, userId, minSigners, keyType: asked ? parseKeyType(asked) : this.opts.defaultKeyType }, this.opts.keygenSecretKey);
    }
    const req = openKeygenRequest(authorization); // for routing only: every node checks it and its signer itself
    if (req.keyName !== keyName || req.userId !== userId) throw new QsignError('INVALID_ARGUMENT', 'the signed keygen request names another key or user id');
    const keyType = keygenKeyType(req);
    if (asked && asked !== keyType) throw new QsignError('INVALID_ARGUMENT', `the signed keygen request names key type ${keyType}, not ${asked}`);
    const rsa = rsaBitsOf(keyType) !== undefined;
    const t = req.minSigners || this.opts.defaultThreshold || Math.floor(ids.length / 2) + 1;
    const badThreshold = thresholdProblem(t, ids.length);
    if (badThreshold) throw new QsignError('INVALID_ARGUMENT', badThreshold);
    const created = Math.floor(Date.now() / 1000);
    const dealer = rsa ? (this.opts.dealerNode ?? ids[0]!) : 0;
    const params: DkgParams = { sessionId: dkgSessionId(req), keyName, userId, minSigners: t, participants: ids, createdUnixSeconds: created, keyType: rsa ? keyType : '', dealer };
    this.opts.log(`DKG ${params.sessionId}: key ${keyName}, ${t}-of-${ids.length}${rsa ? `, ${keyType} generated and dealt by node ${dealer}` : ''}`);
    const round1 = await this.#all('DKG round 1', ids, (n) => n.keys.dkgRound1(params, authorization));
    const round2 = await this.#all(rsa ? 'RSA keygen (dealer)' : 'DKG round 2', ids, (n) => n.keys.dkgRound2(params.sessionId, round1, rsa ? RSA_DEAL_TIMEOUT_MS : undefined));
    const envelopes = round2.flatMap((r) => r.packages);
    const outcomes = await this.#all('DKG finalise', ids, (n) => n.keys.dkgFinalize(params.sessionId, envelopes.filter((e) => e.recipient === n.id)));
    const gpk = bytesToHex(outcomes[0]!.groupPublicKey);
    if (outcomes.some((o) => bytesToHex(o.groupPublicKey) !== gpk)) throw new QsignError('SIGNING_FAILED', `DKG ${params.sessionId}: nodes derived different group keys`);
    await this.#all('DKG confirm', ids, (n) => n.keys.dkgConfirm(params.sessionId, outcomes[0]!.groupPublicKey));
    this.opts.forget(keyName);
    this.opts.log(`DKG ${params.sessionId}: key ${keyName} created, group key ${gpk}`);
    const fingerprint = keyFingerprint({ groupPublicKey: outcomes[0]!.groupPublicKey, createdUnixSeconds: created, userId, scheme: rsa ? 'rsa-shoup' : '' });
    return { created: true, groupPublicKey: outcomes[0]!.groupPublicKey, fingerprint, createdUnixSeconds: created, minSigners: t, maxSigners: ids.length };
  }

  /**
   * Reshares per an officer-signed plan: dealers deal, new holders receive
   * (each gets only the envelopes addressed to it) and return signed
   * confirmations, which are relayed to every new and old holder: each
   * checks them itself before activating its new share or retiring its old
   * one. A repeated run of the same plan (after operators approved holds)
   * gets the dealers' stored dealings and the holders' stored confirmations.
   */
  async reshare(signed: SignedResharePlan): Promise<{ groupPublicKey: Uint8Array; newHolders: number[]; retired: number[] }> {
    const plan = openResharePlan(signed); // for routing only: every node checks the signature itself
    const deals = await this.#all('reshare deal', plan.dealers, (n) => n.keys.reshareDeal(signed));
    const newIds = plan.newNodes.map((n) => n.id);
    const outcomes = await this.#all('reshare receive', newIds, (n) =>
      n.keys.reshareReceive(signed, deals.map((d) => ({ ...d, subShares: d.subShares.filter((s) => s.recipient === n.id) }))),
    );
    if (outcomes.some((o) => bytesToHex(o.groupPublicKey) !== plan.groupPublicKey)) throw new QsignError('SIGNING_FAILED', 'reshare: a new holder reports a different group key');
    const unconfirmed = newIds.filter((_, i) => !outcomes[i]!.confirmation);
    if (unconfirmed.length) throw new QsignError('SIGNING_FAILED', `reshare: new holder(s) ${unconfirmed.join(', ')} sent no confirmation`);
    const confirmations = outcomes.map((o) => o.confirmation!);
    const oldIds = Object.keys(plan.oldPackage.verifyingShares).map(Number);
    const retire = oldIds.filter((id) => !newIds.includes(id) && this.nodes.some((n) => n.id === id));
    await this.#all('reshare finish', [...newIds, ...retire], (n) => n.keys.reshareRetire(signed, confirmations));
    this.opts.forget(plan.keyName);
    this.opts.log(`reshare ${plan.planId}: key ${plan.keyName} now ${plan.newThreshold}-of-${newIds.length} on ${newIds.join(', ')}; retired ${retire.join(', ') || 'none'}`);
    return { groupPublicKey: outcomes[0]!.groupPublicKey, newHolders: newIds, retired: retire };
  }
}

/**
 * Key creation and resharing through the coordinator (no gRPC here). The
 * coordinator only relays: DKG round-1 broadcasts (public), round-2
 * envelopes and reshare sub-share envelopes (ciphertext it cannot open,
 * sealed node-to-node with enrollment keys). Any node's refusal — naming a
 * misbehaving peer — aborts the operation with that node's message.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ed25519Fingerprint } from '@qsign/openpgp';
import { QsignError, errorMessage, isValidKeyName, openResharePlan, type SignedResharePlan } from '@qsign/protocol';
import type { DkgParams, DkgRound1Package, KeyInfo, KeyOutcome, ReshareDealResponse, SealedPackage } from '@qsign/proto';
import { fromNode } from './node-reason.js';

/** What the coordinator needs from a node's NodeKeys service (implemented by the rpc client). */
export interface NodeKeysPort {
  dkgRound1(params: DkgParams, timeoutMs?: number): Promise<DkgRound1Package>;
  dkgRound2(sessionId: string, round1: DkgRound1Package[], timeoutMs?: number): Promise<{ packages: SealedPackage[] }>;
  dkgFinalize(sessionId: string, packages: SealedPackage[], timeoutMs?: number): Promise<KeyOutcome>;
  dkgConfirm(sessionId: string, groupPublicKey: Uint8Array, timeoutMs?: number): Promise<KeyOutcome>;
  reshareDeal(plan: SignedResharePlan, timeoutMs?: number): Promise<ReshareDealResponse>;
  reshareReceive(plan: SignedResharePlan, deals: ReshareDealResponse[], timeoutMs?: number): Promise<KeyOutcome>;
  reshareRetire(plan: SignedResharePlan, timeoutMs?: number): Promise<KeyOutcome>;
  close(): void;
}

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
  /** Test only: append every relayed node response (hex) to this file. */
  relayDump?: string;
}

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
      const first = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      const code = (first.reason as QsignError)?.code === 'KEY_EXISTS' ? 'KEY_EXISTS' : 'SIGNING_FAILED';
      throw new QsignError(code, `${what} failed: ${failed.join('; ')}`);
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
   * exists (then `created` is false). Concurrent requests for one name share one run.
   */
  generateKey(keyName: string, userId: string, minSigners = 0): Promise<GeneratedKey> {
    if (!isValidKeyName(keyName)) throw new QsignError('INVALID_ARGUMENT', `not a valid key name: ${JSON.stringify(keyName.slice(0, 80))}`);
    const running = this.#inProgress.get(keyName);
    if (running) return running.then((k) => ({ ...k, created: false }));
    const p = this.#generate(keyName, userId, minSigners).finally(() => this.#inProgress.delete(keyName));
    this.#inProgress.set(keyName, p);
    return p;
  }

  async #generate(keyName: string, userId: string, minSigners: number): Promise<GeneratedKey> {
    const existing = await this.opts.lookup(keyName);
    if (existing) {
      return {
        created: false,
        groupPublicKey: existing.groupPublicKey,
        fingerprint: ed25519Fingerprint(existing.groupPublicKey, existing.createdUnixSeconds),
        createdUnixSeconds: existing.createdUnixSeconds,
        minSigners: existing.minSigners,
        maxSigners: existing.maxSigners,
      };
    }
    const ids = this.nodes.map((n) => n.id).sort((a, b) => a - b);
    const t = minSigners || this.opts.defaultThreshold || Math.floor(ids.length / 2) + 1;
    if (t < 2 || t > ids.length) throw new QsignError('INVALID_ARGUMENT', `threshold must be 2..${ids.length}, got ${t}`);
    const created = Math.floor(Date.now() / 1000);
    const params: DkgParams = { sessionId: `dkg-${bytesToHex(randomBytes(12))}`, keyName, userId, minSigners: t, participants: ids, createdUnixSeconds: created };
    this.opts.log(`DKG ${params.sessionId}: key ${keyName}, ${t}-of-${ids.length}`);
    const round1 = await this.#all('DKG round 1', ids, (n) => n.keys.dkgRound1(params));
    const round2 = await this.#all('DKG round 2', ids, (n) => n.keys.dkgRound2(params.sessionId, round1));
    const envelopes = round2.flatMap((r) => r.packages);
    const outcomes = await this.#all('DKG finalise', ids, (n) => n.keys.dkgFinalize(params.sessionId, envelopes.filter((e) => e.recipient === n.id)));
    const gpk = bytesToHex(outcomes[0]!.groupPublicKey);
    if (outcomes.some((o) => bytesToHex(o.groupPublicKey) !== gpk)) throw new QsignError('SIGNING_FAILED', `DKG ${params.sessionId}: nodes derived different group keys`);
    await this.#all('DKG confirm', ids, (n) => n.keys.dkgConfirm(params.sessionId, outcomes[0]!.groupPublicKey));
    this.opts.forget(keyName);
    this.opts.log(`DKG ${params.sessionId}: key ${keyName} created, group key ${gpk}`);
    return { created: true, groupPublicKey: outcomes[0]!.groupPublicKey, fingerprint: ed25519Fingerprint(outcomes[0]!.groupPublicKey, created), createdUnixSeconds: created, minSigners: t, maxSigners: ids.length };
  }

  /**
   * Reshares per a client-signed plan: dealers deal, new holders receive
   * (each gets only the envelopes addressed to it), and only when every new
   * holder has its share do the old holders outside the new set retire theirs.
   */
  async reshare(signed: SignedResharePlan): Promise<{ groupPublicKey: Uint8Array; newHolders: number[]; retired: number[] }> {
    const plan = openResharePlan(signed); // for routing only: every node checks the signature itself
    const deals = await this.#all('reshare deal', plan.dealers, (n) => n.keys.reshareDeal(signed));
    const newIds = plan.newNodes.map((n) => n.id);
    const outcomes = await this.#all('reshare receive', newIds, (n) =>
      n.keys.reshareReceive(signed, deals.map((d) => ({ ...d, subShares: d.subShares.filter((s) => s.recipient === n.id) }))),
    );
    if (outcomes.some((o) => bytesToHex(o.groupPublicKey) !== plan.groupPublicKey)) throw new QsignError('SIGNING_FAILED', 'reshare: a new holder reports a different group key');
    const oldIds = Object.keys(plan.oldPackage.verifyingShares).map(Number);
    const retire = oldIds.filter((id) => !newIds.includes(id) && this.nodes.some((n) => n.id === id));
    await this.#all('reshare retire', retire, (n) => n.keys.reshareRetire(signed));
    this.opts.forget(plan.keyName);
    this.opts.log(`reshare ${plan.planId}: key ${plan.keyName} now ${plan.newThreshold}-of-${newIds.length} on ${newIds.join(', ')}; retired ${retire.join(', ') || 'none'}`);
    return { groupPublicKey: outcomes[0]!.groupPublicKey, newHolders: newIds, retired: retire };
  }
}

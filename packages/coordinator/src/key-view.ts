/**
 * Keys as the coordinator knows them: the record the holders agree on
 * (docs/pinning.md), which node holds which identifier, and the scheme's
 * view of the key. Views are cached for {@link KEY_TTL_MS} and forgotten
 * after a DKG, reshare or certificate change.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { QsignError, errorMessage, isQsignError, isValidKeyName, type SchemeKey } from '@qsign/protocol';
import type { KeyInfo } from '@qsign/proto';
import type { LogFields } from '@qsign/rpc';
import { fromNode } from './node-reason.js';
import type { NodeHandle, NodePools } from './node-pools.js';

/** How long a key view is used before the nodes are asked again. */
export const KEY_TTL_MS = 30_000;

/**
 * How long a view that lacks holders (they were down when it was made) is
 * used: a request counts only the holders its view knows, so a view made
 * just after a node died would fail requests while a quorum serves (issue 12).
 */
export const PARTIAL_KEY_TTL_MS = 2_000;

/** A key as the coordinator knows it: public data and which node holds which identifier. */
export interface KeyView {
  info: KeyInfo;
  holders: Map<number, NodeHandle>;
  verifyingShares: Map<number, Uint8Array>;
  /** The scheme's view of the key. */
  schemeKey: SchemeKey;
  fetchedAt: number;
}

/** The cache of key views, filled from the nodes' reports. */
export class KeyViews {
  readonly #keys = new Map<string, KeyView>();

  constructor(
    private readonly pools: NodePools,
    private readonly log: (msg: string, fields?: LogFields) => void,
  ) {}

  /** Forgets the cached view of key `name`. */
  forget(name: string): void {
    this.#keys.delete(name);
    this.#loading.delete(name);
  }

  /**
   * The view of key `name`: cached, or asked of every node not marked dead
   * (one lookup at a time per key; concurrent requests share it). A view
   * that lacks holders is asked again as soon as a node it lacks turns
   * healthy: a restarted node is used at once, not after the partial view's
   * TTL (issue 12: the chaos test failed requests while that node served).
   */
  async get(name: string): Promise<KeyView> {
    if (!isValidKeyName(name)) throw new QsignError('INVALID_ARGUMENT', `not a valid key name: ${JSON.stringify(name.slice(0, 80))}`);
    const cached = this.#keys.get(name);
    if (cached && !this.#stale(cached)) return cached;
    let loading = this.#loading.get(name);
    if (!loading) {
      const mine: Promise<KeyView> = this.#load(name, cached)
        .then((view) => {
          if (this.#loading.get(name) === mine) this.#keys.set(name, view); // not if forgotten meanwhile
          return view;
        })
        .finally(() => {
          if (this.#loading.get(name) === mine) this.#loading.delete(name);
        });
      this.#loading.set(name, (loading = mine));
    }
    return loading;
  }

  readonly #loading = new Map<string, Promise<KeyView>>();

  /** Is `view` due to be asked again: past its TTL, or partial while a node it lacks has come up since? */
  #stale(view: KeyView): boolean {
    const partial = view.holders.size < view.info.maxSigners;
    if (Date.now() - view.fetchedAt >= (partial ? PARTIAL_KEY_TTL_MS : KEY_TTL_MS)) return true;
    return partial && this.pools.cameUpOutside(view.holders, view.fetchedAt);
  }

  /** Asks every node not marked dead for key `name` and keeps the record they agree on. */
  async #load(name: string, cached: KeyView | undefined): Promise<KeyView> {
    const startedAt = Date.now(); // a node that turns healthy after this may be missing from the view
    const live = this.pools.nodes.filter((n) => n.healthy !== false);
    const answers = await Promise.allSettled(live.map((n) => n.port.getKey(name, 3000)));
    const reports: Array<{ node: NodeHandle; info: KeyInfo }> = [];
    const unknown: string[] = [];
    answers.forEach((a, i) => {
      const n = live[i]!;
      if (a.status === 'fulfilled') return void reports.push({ node: n, info: a.value });
      const err = a.reason as QsignError;
      if (err?.code === 'NODE_UNAVAILABLE' || err?.code === 'DEADLINE') this.pools.markDead(n, errorMessage(err));
      else unknown.push(fromNode(n.id, errorMessage(err)));
    });
    if (reports.length === 0) {
      if (cached && unknown.length === 0) return cached; // none reachable now: the record agreed before stands
      if (live.length === 0 || unknown.length === 0) throw new QsignError('NOT_ENOUGH_NODES', `cannot look up key ${name}: no node is reachable`);
      throw new QsignError('UNKNOWN_KEY', `unknown key ${name}`);
    }
    let agreed: ReturnType<typeof agreedKeyRecord<(typeof reports)[number]>>;
    try {
      agreed = agreedKeyRecord(name, reports);
    } catch (e) {
      // Too few answered this refresh (nodes restarting): the record they agreed on before still stands.
      if (cached && isQsignError(e, 'NOT_ENOUGH_NODES')) return cached;
      throw e;
    }
    for (const r of reports) if (!agreed.members.includes(r)) this.log(`node ${r.node.id} reports a different record of key ${name}; ignoring it for this key`);
    const info = agreed.info;
    const holders = new Map<number, NodeHandle>(agreed.members.map((r) => [r.info.identifier, r.node]));
    const verifyingShares = new Map(Object.entries(info.verifyingShares).map(([k, v]) => [Number(k), v]));
    const view: KeyView = {
      info,
      holders,
      verifyingShares,
      schemeKey: { groupPublicKey: info.groupPublicKey, minSigners: info.minSigners, maxSigners: info.maxSigners, verifyingShares, ...(info.verificationBase?.length && { verificationBase: info.verificationBase }) },
      fetchedAt: startedAt,
    };
    // Keep the holders seen before if a node was briefly down during this lookup.
    if (cached) for (const [id, n] of cached.holders) if (!view.holders.has(id) && bytesToHex(cached.info.groupPublicKey) === bytesToHex(info.groupPublicKey)) view.holders.set(id, n);
    if (view.holders.size < info.maxSigners) this.log(`key ${name}: only nodes ${[...view.holders.values()].map((n) => n.id).sort((a, b) => a - b).join(', ')} of ${info.maxSigners} answered; asking again in ${PARTIAL_KEY_TTL_MS / 1000} s`);
    return view;
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

/**
 * Key lifecycle on a node, no gRPC: dealerless key generation (Pedersen DKG
 * with proofs of knowledge, frost `dkgRound1/2/Finalize`) and resharing
 * (frost `reshareDeal/Receive`), with every secret message sealed end to end
 * in an enrollment envelope so the relaying coordinator sees only ciphertext.
 *
 * Trust: a DKG may be started by the coordinator (copr-keygen creates keys
 * on request), but round-2 envelopes are exchanged only with peers whose
 * enrollment keys are pinned in this node's config (`peers`), and each is
 * authenticated by the sender's static enrollment key and bound to the hash
 * of the round-1 broadcast as this node saw it, so a coordinator that shows
 * different round-1 packages to different nodes is caught. A reshare moves
 * shares, so it needs a plan signed by a configured client key; enrollment
 * keys in the plan must agree with pinned ones. DKG secrets stay in memory
 * only: a crash aborts the DKG, which is then simply run again.
 */
import { bytesToHex, hexToBytes, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as frost from '@qsign/frost';
import { ed25519Fingerprint } from '@qsign/openpgp';
import { QsignError, checkFreshness, errorMessage, isValidKeyName, openResharePlan, type ResharePlan, type SignedResharePlan } from '@qsign/protocol';
import { enrollmentPublicKey, openEnvelope, sealEnvelope, type NodeStore, type StoredKey } from '@qsign/storage';
import type { NodeConfig } from './config.js';
import { enrollmentSecret } from './seal.js';
import { pinnedEnrollmentKey } from './peers.js';
import { storedKey } from './import.js';

/** DKG parameters, as the coordinator announces them. */
export interface DkgParams {
  sessionId: string;
  keyName: string;
  userId: string;
  minSigners: number;
  participants: number[];
  createdUnixSeconds: number;
}

/** An enrollment envelope between two nodes. */
export interface SealedPackage {
  sender: number;
  recipient: number;
  ephemeralPublicKey: Uint8Array;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

/** Public outcome of a key operation. */
export interface KeyOutcome {
  keyName: string;
  identifier: number;
  groupPublicKey: Uint8Array;
  verifyingShare: Uint8Array;
  holds: boolean;
}

/** A dealer's reshare output. */
export interface ReshareDeal {
  dealer: number;
  commitment: Uint8Array[];
  subShares: SealedPackage[];
}

interface DkgSession {
  params: DkgParams;
  /** Finalised key waiting for DkgConfirm (never on disk before). */
  pending?: StoredKey;
  round1Secret?: frost.SecretDkgRound1;
  round2Secret?: frost.SecretDkgRound2;
  round1?: frost.DkgRound1Package[];
  transcript?: Uint8Array;
  expiresAtMs: number;
}

const DKG_SESSION_TTL_MS = 5 * 60_000;

/** Test-only DKG misbehaviour (QSIGN_TEST_FAULTS=1 and QSIGN_TEST_DKG_FAULT=bad-share): send a wrong round-2 share. */
function dkgFault(): string {
  return process.env.QSIGN_TEST_FAULTS === '1' ? (process.env.QSIGN_TEST_DKG_FAULT ?? '') : '';
}

function culpritError(what: string, e: unknown): QsignError {
  const culprits = (e as { culprits?: number[] })?.culprits;
  if (culprits?.length) return new QsignError('INVALID_ARGUMENT', `${what}: misbehaving node(s) ${culprits.join(', ')}: ${errorMessage(e)}`, { details: { culprits } });
  return new QsignError('INVALID_ARGUMENT', `${what}: ${errorMessage(e)}`);
}

/** Associated data of a DKG round-2 envelope (exported for tests that open relayed envelopes). */
export function dkgAad(sessionId: string, sender: number, recipient: number, transcript: Uint8Array): Uint8Array {
  return concatBytes(utf8ToBytes(`qsign dkg round2 v1\n${sessionId}\n${sender}\n${recipient}\n`), transcript);
}

/** Hash of a DKG's parameters and round-1 broadcast as one node saw it (bound into every round-2 envelope). */
export function dkgTranscript(p: DkgParams, round1: frost.DkgRound1Package[]): Uint8Array {
  const params = { sessionId: p.sessionId, keyName: p.keyName, userId: p.userId, minSigners: p.minSigners, participants: p.participants, createdUnixSeconds: p.createdUnixSeconds };
  return sha256(utf8ToBytes(JSON.stringify({ params, round1: [...round1].sort((a, b) => a.identifier - b.identifier).map((r) => [r.identifier, r.commitment.map(bytesToHex), bytesToHex(r.proofOfKnowledge)]) })));
}

/** Associated data of a reshare sub-share envelope. */
function reshareAad(planId: string, dealer: number, recipient: number, commitment: Uint8Array[]): Uint8Array {
  return concatBytes(utf8ToBytes(`qsign reshare v1\n${planId}\n${dealer}\n${recipient}\n`), sha256(concatBytes(...commitment)));
}

/** The node's key lifecycle operations. */
export class NodeKeyOps {
  readonly #dkg = new Map<string, DkgSession>();
  readonly #clients: Set<string>;

  constructor(
    private readonly config: NodeConfig,
    private readonly store: NodeStore,
    private readonly log: (m: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.#clients = new Set(config.clients.map((c) => c.publicKey));
  }

  #peerKey(id: number, what: string): Uint8Array {
    const k = pinnedEnrollmentKey(this.config.peers, id);
    if (!k) throw new QsignError('POLICY_REFUSED', `${what}: node ${id}'s enrollment key is not pinned in this node's config (peers)`);
    return hexToBytes(k);
  }

  async #refuse(code: 'POLICY_REFUSED' | 'INVALID_ARGUMENT' | 'KEY_EXISTS' | 'UNKNOWN_KEY', reason: string, ctx: Record<string, unknown>): Promise<never> {
    await this.store.audit.append({ event: 'refused', code, reason, ...ctx });
    throw new QsignError(code, `node ${this.config.nodeId}: ${reason}`);
  }

  #pruneSessions(): void {
    for (const [id, s] of this.#dkg) if (s.expiresAtMs < this.now()) this.#dkg.delete(id);
  }

  // ---- DKG ----

  /** DKG round 1: checks the parameters, draws this node's polynomial (kept in memory) and returns the broadcast package. */
  async dkgRound1(p: DkgParams): Promise<frost.DkgRound1Package> {
    this.#pruneSessions();
    const self = this.config.nodeId;
    const ctx = { operation: 'dkg', keyName: p.keyName, sessionId: p.sessionId };
    if (!isValidKeyName(p.keyName)) return this.#refuse('INVALID_ARGUMENT', `not a valid key name: ${JSON.stringify(p.keyName.slice(0, 80))}`, ctx);
    if (!/^[A-Za-z0-9._:-]{8,128}$/.test(p.sessionId)) return this.#refuse('INVALID_ARGUMENT', 'malformed DKG session id', ctx);
    if (this.#dkg.has(p.sessionId)) return this.#refuse('INVALID_ARGUMENT', `DKG session ${p.sessionId} already exists`, ctx);
    const ids = p.participants;
    if (!ids.includes(self)) return this.#refuse('INVALID_ARGUMENT', 'this node is not a DKG participant', ctx);
    if (ids.some((x, i) => i > 0 && x <= ids[i - 1]!)) return this.#refuse('INVALID_ARGUMENT', 'participants must be sorted and distinct', ctx);
    if (!Number.isInteger(p.minSigners) || p.minSigners < 2 || p.minSigners > ids.length)
      return this.#refuse('INVALID_ARGUMENT', `threshold must be 2..${ids.length}, got ${p.minSigners}`, ctx);
    for (const id of ids) if (id !== self && !pinnedEnrollmentKey(this.config.peers, id)) return this.#refuse('POLICY_REFUSED', `node ${id}'s enrollment key is not pinned in this node's config (peers)`, ctx);
    if (await this.store.getKey(p.keyName)) return this.#refuse('KEY_EXISTS', `key ${p.keyName} already exists on this node`, ctx);
    const { package: pkg, secret } = frost.dkgRound1(self, p.minSigners, ids.length);
    this.#dkg.set(p.sessionId, { params: { ...p, participants: [...ids] }, round1Secret: secret, expiresAtMs: this.now() + DKG_SESSION_TTL_MS });
    await this.store.audit.append({ event: 'dkg-round1', ...ctx, threshold: `${p.minSigners}-of-${ids.length}`, participants: ids });
    return pkg;
  }

  /**
   * DKG round 2: verifies every round-1 package (a bad proof names its
   * sender) and returns one envelope per peer, sealed to its pinned
   * enrollment key, authenticated with ours, bound to the round-1 transcript.
   */
  async dkgRound2(sessionId: string, round1: frost.DkgRound1Package[]): Promise<SealedPackage[]> {
    const s = this.#dkg.get(sessionId);
    const ctx = { operation: 'dkg', sessionId, keyName: s?.params.keyName };
    if (!s?.round1Secret) return this.#refuse('INVALID_ARGUMENT', `no DKG session ${sessionId} in round 1 on this node`, ctx);
    const self = this.config.nodeId;
    const mine = round1.find((r) => r.identifier === self);
    if (!mine || bytesToHex(concatBytes(...mine.commitment)) !== bytesToHex(concatBytes(...s.round1Secret.commitment)))
      return this.#refuse('INVALID_ARGUMENT', "the relayed round-1 broadcast does not contain this node's own package unaltered", ctx);
    const sorted = [...round1].sort((a, b) => a.identifier - b.identifier);
    if (sorted.map((r) => r.identifier).join(',') !== s.params.participants.join(','))
      return this.#refuse('INVALID_ARGUMENT', `round-1 packages are from ${sorted.map((r) => r.identifier).join(',')}, expected ${s.params.participants.join(',')}`, ctx);
    let out: { secret: frost.SecretDkgRound2; packages: frost.DkgRound2Package[] };
    try {
      out = frost.dkgRound2(s.round1Secret, sorted);
    } catch (e) {
      this.#dkg.delete(sessionId);
      const err = culpritError('DKG round 2', e);
      await this.store.audit.append({ event: 'refused', code: err.code, reason: err.message, ...ctx });
      throw err;
    }
    s.round1Secret = undefined;
    s.round2Secret = out.secret;
    s.round1 = sorted;
    s.transcript = dkgTranscript(s.params, sorted);
    const secret = await enrollmentSecret(this.store);
    try {
      return out.packages.map((p) => {
        if (dkgFault() === 'bad-share') p.signingShare[0]! ^= 1;
        const env = sealEnvelope(this.#peerKey(p.recipient, 'DKG'), p.signingShare, dkgAad(sessionId, self, p.recipient, s.transcript!), secret);
        p.signingShare.fill(0);
        return { sender: self, recipient: p.recipient, ...env };
      });
    } finally {
      secret.fill(0);
    }
  }

  /**
   * DKG finalisation: opens the envelopes addressed to this node (a sender
   * whose envelope does not open or whose share does not match its
   * commitment is named), stores the new key share with its audit record.
   */
  async dkgFinalize(sessionId: string, packages: SealedPackage[]): Promise<KeyOutcome> {
    const s = this.#dkg.get(sessionId);
    const ctx = { operation: 'dkg', sessionId, keyName: s?.params.keyName };
    if (!s?.round2Secret || !s.round1 || !s.transcript) return this.#refuse('INVALID_ARGUMENT', `no DKG session ${sessionId} in round 2 on this node`, ctx);
    this.#dkg.delete(sessionId); // re-added below only on success
    const self = this.config.nodeId;
    const secret = await enrollmentSecret(this.store);
    const received: frost.DkgRound2Package[] = [];
    const bad: number[] = [];
    try {
      for (const p of packages) {
        if (p.recipient !== self) continue;
        try {
          const share = openEnvelope(secret, p, dkgAad(sessionId, p.sender, self, s.transcript), this.#peerKey(p.sender, 'DKG'));
          received.push({ identifier: p.sender, recipient: self, signingShare: share });
        } catch {
          bad.push(p.sender);
        }
      }
    } finally {
      secret.fill(0);
    }
    if (bad.length) {
      const reason = `DKG: round-2 envelope from node(s) ${bad.join(', ')} does not open (not from the pinned peer key, altered in transit, or the sender saw a different round-1 broadcast)`;
      await this.store.audit.append({ event: 'refused', code: 'INVALID_ARGUMENT', reason, culprits: bad, ...ctx });
      throw new QsignError('INVALID_ARGUMENT', `node ${self}: ${reason}`, { details: { culprits: bad } });
    }
    let result: { share: frost.SecretSigningShare; publicKeyPackage: frost.PublicKeyPackage };
    try {
      result = frost.dkgFinalize(s.round2Secret, s.round1, received);
    } catch (e) {
      const err = culpritError('DKG finalise', e);
      await this.store.audit.append({ event: 'refused', code: err.code, reason: err.message, ...ctx });
      throw new QsignError(err.code, `node ${self}: ${err.message}`, { details: err.details });
    } finally {
      for (const r of received) r.signingShare.fill(0);
    }
    const pkp = result.publicKeyPackage;
    s.pending = storedKey(s.params.keyName, result.share, pkp, {
      createdUnixSeconds: s.params.createdUnixSeconds,
      userId: s.params.userId,
      fingerprint: bytesToHex(ed25519Fingerprint(pkp.groupPublicKey, s.params.createdUnixSeconds)),
    });
    s.round2Secret = undefined;
    this.#dkg.set(sessionId, s);
    return { keyName: s.params.keyName, identifier: self, groupPublicKey: pkp.groupPublicKey, verifyingShare: pkp.verifyingShares.get(self)!, holds: false };
  }

  /**
   * DKG commit: stores the finalised share once the coordinator reports that
   * every participant derived the same group key. A DKG that failed anywhere
   * leaves nothing on disk (the pending share expires with its session).
   */
  async dkgConfirm(sessionId: string, groupPublicKey: Uint8Array): Promise<KeyOutcome> {
    const s = this.#dkg.get(sessionId);
    const key = s?.pending;
    const ctx = { operation: 'dkg', sessionId, keyName: s?.params.keyName };
    if (!key) return this.#refuse('INVALID_ARGUMENT', `no finalised DKG session ${sessionId} on this node`, ctx);
    if (bytesToHex(groupPublicKey) !== bytesToHex(key.groupPublicKey)) {
      this.#dkg.delete(sessionId);
      key.share.fill(0);
      return this.#refuse('INVALID_ARGUMENT', 'participants derived different group keys; the DKG is void', ctx);
    }
    this.#dkg.delete(sessionId);
    await this.store.putKey(key, {
      event: 'key-generated',
      method: 'dkg',
      keyName: key.name,
      sessionId,
      groupPublicKey: bytesToHex(key.groupPublicKey),
      identifier: key.identifier,
      threshold: `${key.minSigners}-of-${key.maxSigners}`,
      participants: s!.params.participants,
      fingerprint: key.fingerprint,
    });
    return { keyName: key.name, identifier: key.identifier, groupPublicKey: key.groupPublicKey, verifyingShare: hexToBytes(key.verifyingShares[key.identifier]!), holds: true };
  }

  // ---- reshare ----

  async #plan(signed: SignedResharePlan): Promise<ResharePlan> {
    const ctx = { operation: 'reshare' };
    const client = bytesToHex(signed.clientPublicKey);
    if (!this.#clients.has(client)) return this.#refuse('POLICY_REFUSED', `reshare plan signed by unknown client key ${client}`, ctx);
    let plan: ResharePlan;
    try {
      plan = openResharePlan(signed);
      checkFreshness(plan.createdAtMs, this.now(), this.config.freshnessWindowSeconds * 1000);
    } catch (e) {
      return this.#refuse('INVALID_ARGUMENT', errorMessage(e), ctx);
    }
    for (const n of [...plan.newNodes, ...plan.dealerKeys]) {
      const pinned = pinnedEnrollmentKey(this.config.peers, n.id);
      if (pinned && pinned !== n.enrollmentKey)
        return this.#refuse('POLICY_REFUSED', `reshare plan gives node ${n.id} enrollment key ${n.enrollmentKey.slice(0, 16)}…, this node pinned ${pinned.slice(0, 16)}…`, { ...ctx, planId: plan.planId, keyName: plan.keyName });
    }
    return plan;
  }

  /** Reshare parameters from a plan; a node holding the key checks the plan's old package against its own. */
  #params(plan: ResharePlan, held: StoredKey | undefined): frost.ReshareParams {
    const old = frost.decodePublicKeyPackage(plan.oldPackage);
    if (held) {
      // The relayed package may omit the VSS commitment (KeyInfo does not carry it); verifying shares and threshold must match.
      const mine = JSON.stringify({ v: held.verifyingShares, c: old.vssCommitment.length ? held.vssCommitment : [], t: held.minSigners });
      const theirs = JSON.stringify({ v: Object.fromEntries([...old.verifyingShares].map(([k, v]) => [String(k), bytesToHex(v)])), c: old.vssCommitment.map(bytesToHex), t: old.minSigners });
      if (mine !== theirs) throw new QsignError('INVALID_ARGUMENT', `the plan's old public package of ${plan.keyName} differs from the one this node holds`);
    }
    return { oldPublicKeyPackage: old, dealers: plan.dealers, newMinSigners: plan.newThreshold, newIdentifiers: plan.newNodes.map((n) => n.id) };
  }

  /** Reshare, dealer side: deals λ-weighted sub-shares of this node's share, each sealed to its new holder. */
  async reshareDeal(signed: SignedResharePlan): Promise<ReshareDeal> {
    const plan = await this.#plan(signed);
    const self = this.config.nodeId;
    const ctx = { operation: 'reshare', planId: plan.planId, keyName: plan.keyName };
    if (!plan.dealers.includes(self)) return this.#refuse('INVALID_ARGUMENT', 'this node is not a dealer of the plan', ctx);
    const key = await this.store.getKey(plan.keyName);
    if (!key) return this.#refuse('UNKNOWN_KEY', `unknown key ${plan.keyName}`, ctx);
    if (bytesToHex(key.groupPublicKey) !== plan.groupPublicKey) return this.#refuse('INVALID_ARGUMENT', 'plan names a different group key', ctx);
    if (key.vssCommitment.length === 0) return this.#refuse('INVALID_ARGUMENT', 'key has no VSS commitment', ctx);
    let deal: { commitment: frost.ReshareCommitment; subShares: frost.ReshareSubShare[] };
    try {
      const params = this.#params(plan, key);
      if (key.identifier !== self) throw new QsignError('INVALID_ARGUMENT', `this node holds identifier ${key.identifier}, not ${self}`);
      deal = frost.reshareDeal({ identifier: key.identifier, share: key.share }, params);
    } catch (e) {
      return this.#refuse('INVALID_ARGUMENT', `reshare deal: ${errorMessage(e)}`, ctx);
    }
    const secret = await enrollmentSecret(this.store);
    try {
      const keys = new Map(plan.newNodes.map((n) => [n.id, hexToBytes(n.enrollmentKey)]));
      const subShares = deal.subShares.map((s) => {
        const env = sealEnvelope(keys.get(s.recipient)!, s.subShare, reshareAad(plan.planId, self, s.recipient, deal.commitment.commitment), secret);
        s.subShare.fill(0);
        return { sender: self, recipient: s.recipient, ...env };
      });
      await this.store.audit.append({ event: 'reshare-dealt', ...ctx, dealers: plan.dealers, newHolders: plan.newNodes.map((n) => n.id), newThreshold: plan.newThreshold });
      return { dealer: self, commitment: deal.commitment.commitment, subShares };
    } finally {
      secret.fill(0);
    }
  }

  /** Reshare, receiver side: opens its sub-shares, checks them against the commitments (a bad dealer is named), stores the new share. */
  async reshareReceive(signed: SignedResharePlan, deals: ReshareDeal[]): Promise<KeyOutcome> {
    const plan = await this.#plan(signed);
    const self = this.config.nodeId;
    const ctx = { operation: 'reshare', planId: plan.planId, keyName: plan.keyName };
    const me = plan.newNodes.find((n) => n.id === self);
    if (!me) return this.#refuse('INVALID_ARGUMENT', 'this node is not a new holder in the plan', ctx);
    const secret = await enrollmentSecret(this.store);
    const subShares: frost.ReshareSubShare[] = [];
    const bad: number[] = [];
    try {
      if (bytesToHex(enrollmentPublicKey(secret)) !== me.enrollmentKey) return await this.#refuse('POLICY_REFUSED', "the plan gives this node an enrollment key that is not its own", ctx);
      const dealerKeys = new Map(plan.dealerKeys.map((d) => [d.id, hexToBytes(d.enrollmentKey)]));
      for (const d of deals) {
        const env = d.subShares.find((x) => x.recipient === self);
        const senderKey = dealerKeys.get(d.dealer);
        if (!env || !senderKey) {
          bad.push(d.dealer);
          continue;
        }
        try {
          subShares.push({ dealer: d.dealer, recipient: self, subShare: openEnvelope(secret, env, reshareAad(plan.planId, d.dealer, self, d.commitment), senderKey) });
        } catch {
          bad.push(d.dealer);
        }
      }
    } finally {
      secret.fill(0);
    }
    if (bad.length) return this.#refuse('INVALID_ARGUMENT', `reshare: sub-share from dealer(s) ${bad.join(', ')} is missing or does not open`, ctx);
    const old = await this.store.getKey(plan.keyName);
    if (old && bytesToHex(old.groupPublicKey) !== plan.groupPublicKey) return this.#refuse('INVALID_ARGUMENT', 'plan names a different group key than the one held', ctx);
    let params: frost.ReshareParams;
    try {
      params = this.#params(plan, old);
    } catch (e) {
      return this.#refuse('INVALID_ARGUMENT', errorMessage(e), ctx);
    }
    let result: { share: frost.SecretSigningShare; publicKeyPackage: frost.PublicKeyPackage };
    try {
      result = frost.reshareReceive(self, params, deals.map((d) => ({ dealer: d.dealer, commitment: d.commitment })), subShares);
    } catch (e) {
      const err = culpritError('reshare receive', e);
      return this.#refuse('INVALID_ARGUMENT', err.message, ctx);
    } finally {
      for (const s of subShares) s.subShare.fill(0);
    }
    const pkp = result.publicKeyPackage;
    if (bytesToHex(pkp.groupPublicKey) !== plan.groupPublicKey) return this.#refuse('INVALID_ARGUMENT', 'reshare result has a different group key', ctx);
    const key = storedKey(plan.keyName, result.share, pkp, {
      createdUnixSeconds: old?.createdUnixSeconds ?? plan.createdUnixSeconds,
      userId: old?.userId ?? plan.userId,
      fingerprint: old?.fingerprint ?? bytesToHex(ed25519Fingerprint(pkp.groupPublicKey, plan.createdUnixSeconds)),
      certificate: old?.certificate,
    });
    await this.store.putKey(key, { event: 'reshared-in', ...ctx, groupPublicKey: plan.groupPublicKey, identifier: self, threshold: `${key.minSigners}-of-${key.maxSigners}`, dealers: plan.dealers }, true);
    return { keyName: key.name, identifier: self, groupPublicKey: key.groupPublicKey, verifyingShare: pkp.verifyingShares.get(self)!, holds: true };
  }

  /** Reshare, last step: a node that is not a new holder deletes its old share (audit record 'reshared'). */
  async reshareRetire(signed: SignedResharePlan): Promise<KeyOutcome> {
    const plan = await this.#plan(signed);
    const self = this.config.nodeId;
    const key = await this.store.getKey(plan.keyName);
    const out = { keyName: plan.keyName, identifier: self, groupPublicKey: hexToBytes(plan.groupPublicKey), verifyingShare: new Uint8Array(0) };
    if (plan.newNodes.some((n) => n.id === self)) return { ...out, holds: key !== undefined };
    if (!key) return { ...out, holds: false };
    await this.store.deleteKey(plan.keyName, { event: 'reshared', operation: 'reshare', planId: plan.planId, keyName: plan.keyName, groupPublicKey: plan.groupPublicKey, identifier: self, retired: true, newHolders: plan.newNodes.map((n) => n.id) });
    this.log(`retired share of key ${plan.keyName} (reshared to ${plan.newNodes.map((n) => n.id).join(', ')})`);
    return { ...out, holds: false };
  }
}

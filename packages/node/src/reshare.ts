/**
 * Resharing on a node, no gRPC (docs/key-lifecycle.md §6): frost
 * `reshareDeal/Receive` with every sub-share sealed end to end in an
 * enrollment envelope, under these rules —
 *   - the plan is signed by an **officer** of this node (never a signing
 *     client, roles.ts);
 *   - every dealer and new holder is a **pinned peer** with the enrollment
 *     key the plan names (a holder id not in `peers` is refused);
 *   - a dealer **deals once per plan id**: the dealing (public commitment
 *     and sealed sub-shares) is stored durably with its `reshare-dealt`
 *     record, and a repeated request gets the same dealing back, so a
 *     coordinator can never collect two different dealings of one share;
 *   - a new holder keeps its new share **pending** (sealed) and answers with
 *     a confirmation signed by its audit identity key over the merged VSS
 *     commitment and group key;
 *   - the finishing step (`ReshareRetire`) needs a confirmation from every
 *     new holder, each checked against the holder's pinned identity key,
 *     all naming the same commitment: only then does a new holder activate
 *     its share and an old holder outside the new set delete its own;
 *   - `lifecycle.hold` may hold dealing (`reshare`) and deleting
 *     (`retire`) for this node's operator (approvals.ts).
 */
import { bytesToHex, hexToBytes, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as frost from '@qsign/frost';
import { ed25519 } from '@noble/curves/ed25519.js';
import { parseVerifierKey } from '@qsign/audit';
import { ed25519Fingerprint } from '@qsign/openpgp';
import {
  QsignError,
  checkFreshness,
  commitmentHex,
  errorMessage,
  isQsignError,
  openResharePlan,
  signReshareStatement,
  verifyReshareConfirmations,
  type ErrorCode,
  type ReshareConfirmation,
  type ResharePlan,
  type SignedResharePlan,
} from '@qsign/protocol';
import { refusedEntry, reshareDealtEntry, reshareReceivedEntry, resharedEntry, resharedInEntry, withDetails, type AuditContext } from '@qsign/audit';
import { enrollmentPublicKey, loadOrCreateIdentity, openEnvelope, sealEnvelope, type NodeStore, type StoredKey } from '@qsign/storage';
import type { NodeConfig } from './config.js';
import type { Approvals } from './approvals.js';
import { enrollmentSecret } from './seal.js';
import { pinnedEnrollmentKey } from './peers.js';
import { storedKey } from './import.js';
import { lifecycleSigner, type HoldableOperation, type LifecycleSigner } from './roles.js';
import { nodeOriginPrefix } from './audit-wiring.js';
import type { KeyOutcome, SealedPackage } from './keys.js';

/** A dealer's reshare output. */
export interface ReshareDeal {
  dealer: number;
  commitment: Uint8Array[];
  subShares: SealedPackage[];
}

/** A new holder's answer: its (not yet active) share's public part and its signed confirmation. */
export interface ReshareReceipt extends KeyOutcome {
  confirmation: ReshareConfirmation;
}

/** Associated data of a reshare sub-share envelope (exported for tests that play a dealer). */
export function reshareAad(planId: string, dealer: number, recipient: number, commitment: Uint8Array[]): Uint8Array {
  return concatBytes(utf8ToBytes(`qsign reshare v1\n${planId}\n${dealer}\n${recipient}\n`), sha256(concatBytes(...commitment)));
}

/** Plain metadata slots of a plan on this node. */
const dealSlot = (planId: string) => `reshare-deal!${planId}`;
const confirmSlot = (planId: string) => `reshare-confirm!${planId}`;
/** Sealed metadata slot of a pending new share. */
const pendingSlot = (planId: string) => `reshare-pending!${planId}`;

interface StoredDeal {
  planSha256: string;
  commitment: string[];
  subShares: Array<{ sender: number; recipient: number; ephemeralPublicKey: string; nonce: string; ciphertext: string }>;
}

/** The node's reshare operations. */
export class NodeReshareOps {
  #lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: NodeConfig,
    private readonly store: NodeStore,
    private readonly log: (m: string) => void,
    private readonly approvals: Approvals | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** One reshare step at a time on this node (so "deal once" holds under concurrent requests). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  async #refuse(code: ErrorCode, reason: string, ctx: AuditContext): Promise<never> {
    await this.store.audit.append(refusedEntry(ctx, code, reason));
    throw new QsignError(code, `node ${this.config.nodeId}: ${reason}`);
  }

  /** Opens a plan and checks the signer's role and that every dealer and new holder is a pinned peer. */
  async #plan(signed: SignedResharePlan, step: string): Promise<{ plan: ResharePlan; signer: LifecycleSigner; ctx: AuditContext }> {
    const base: AuditContext = { details: { operation: 'reshare', step } };
    let plan: ResharePlan;
    try {
      plan = openResharePlan(signed);
    } catch (e) {
      return this.#refuse(isQsignError(e) ? e.code : 'MALFORMED_REQUEST', errorMessage(e), base);
    }
    const ctx: AuditContext = { ...withDetails(base, { planId: plan.planId }), keyName: plan.keyName };
    const signer = lifecycleSigner(this.config, bytesToHex(signed.clientPublicKey), 'reshare');
    if (typeof signer === 'string') return this.#refuse('POLICY_REFUSED', `reshare plan refused: ${signer}`, ctx);
    const self = this.config.nodeId;
    for (const n of [...plan.dealerKeys, ...plan.newNodes]) {
      if (n.id === self) continue; // this node's own key is checked where it matters (receive)
      const pinned = pinnedEnrollmentKey(this.config.peers, n.id);
      if (!pinned) return this.#refuse('POLICY_REFUSED', `reshare plan names node ${n.id}, which is not a pinned peer of this node (peers[].enrollmentKey): key material moves only to pinned peers`, ctx);
      if (pinned !== n.enrollmentKey)
        return this.#refuse('POLICY_REFUSED', `reshare plan gives node ${n.id} enrollment key ${n.enrollmentKey.slice(0, 16)}…, this node pinned ${pinned.slice(0, 16)}…`, ctx);
    }
    return { plan, signer, ctx: withDetails(ctx, { officer: signer.name }) };
  }

  /** Holds `op` of a plan for this node's operator when `lifecycle.hold` says so; resolves once approved. */
  async #gate(op: HoldableOperation, signed: SignedResharePlan, plan: ResharePlan, signer: LifecycleSigner, reason: string, ctx: AuditContext): Promise<void> {
    if (!this.config.lifecycle.hold.includes(op)) return;
    if (!this.approvals) return this.#refuse('POLICY_REFUSED', `lifecycle.hold holds ${op}, but this node has no approval book`, ctx);
    await this.approvals.admitLifecycle(
      { requestId: `${op}-${plan.planId}`, body: signed.plan, keyName: plan.keyName, signer: signer.name, kind: op, reason, expirySeconds: this.config.lifecycle.holdExpirySeconds },
      ctx,
      (code, why, c) => this.#refuse(code, why, c),
    );
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

  /**
   * Dealer side: deals λ-weighted sub-shares of this node's share, each
   * sealed to its new holder — once per plan id: a repeated request returns
   * the stored dealing, a different plan under the same id is refused.
   */
  reshareDeal(signed: SignedResharePlan): Promise<ReshareDeal> {
    return this.#serial(async () => {
      const { plan, signer, ctx } = await this.#plan(signed, 'deal');
      const self = this.config.nodeId;
      if (!plan.dealers.includes(self)) return this.#refuse('INVALID_ARGUMENT', 'this node is not a dealer of the plan', ctx);
      const planSha256 = bytesToHex(sha256(signed.plan));
      const stored = await this.store.getPlainMeta(dealSlot(plan.planId));
      if (stored) {
        const d = JSON.parse(stored) as StoredDeal;
        if (d.planSha256 !== planSha256) return this.#refuse('REPLAYED_REQUEST', `this node already dealt plan ${plan.planId} for a different plan body; a dealer deals once per plan`, ctx);
        return { dealer: self, commitment: d.commitment.map(hexToBytes), subShares: d.subShares.map((s) => ({ sender: s.sender, recipient: s.recipient, ephemeralPublicKey: hexToBytes(s.ephemeralPublicKey), nonce: hexToBytes(s.nonce), ciphertext: hexToBytes(s.ciphertext) })) };
      }
      // Freshness at first arrival; a held plan keeps the freshness it had then (as held sign requests do).
      if (!(await this.store.getHold(`reshare-${plan.planId}`))) {
        try {
          checkFreshness(plan.createdAtMs, this.now(), this.config.freshnessWindowSeconds * 1000);
        } catch (e) {
          return this.#refuse('STALE_REQUEST', `reshare plan: ${errorMessage(e)}`, ctx);
        }
      }
      const key = await this.store.getKey(plan.keyName);
      if (!key) return this.#refuse('UNKNOWN_KEY', `unknown key ${plan.keyName}`, ctx);
      if (bytesToHex(key.groupPublicKey) !== plan.groupPublicKey) return this.#refuse('INVALID_ARGUMENT', 'plan names a different group key', ctx);
      if (key.scheme === 'rsa-shoup') return this.#refuse('INVALID_ARGUMENT', `key ${plan.keyName} is a threshold RSA key: resharing needs the dealer again; re-split it from its secret key (docs/threshold-rsa.md, "Resharing an RSA key")`, ctx);
      if (key.vssCommitment.length === 0) return this.#refuse('INVALID_ARGUMENT', 'key has no VSS commitment', ctx);
      let params: frost.ReshareParams;
      try {
        params = this.#params(plan, key);
        if (key.identifier !== self) throw new QsignError('INVALID_ARGUMENT', `this node holds identifier ${key.identifier}, not ${self}`);
      } catch (e) {
        return this.#refuse('INVALID_ARGUMENT', `reshare deal: ${errorMessage(e)}`, ctx);
      }
      const newHolders = plan.newNodes.map((n) => n.id);
      await this.#gate('reshare', signed, plan, signer, `officer ${signer.name} asks this node to deal sub-shares of key ${plan.keyName} to nodes ${newHolders.join(', ')} (new threshold ${plan.newThreshold}; plan ${plan.planId})`, ctx);
      let deal: { commitment: frost.ReshareCommitment; subShares: frost.ReshareSubShare[] };
      try {
        deal = frost.reshareDeal({ identifier: key.identifier, share: key.share }, params);
      } catch (e) {
        return this.#refuse('INVALID_ARGUMENT', `reshare deal: ${errorMessage(e)}`, ctx);
      }
      const secret = await enrollmentSecret(this.store);
      let subShares: SealedPackage[];
      try {
        const keys = new Map(plan.newNodes.map((n) => [n.id, hexToBytes(n.enrollmentKey)]));
        subShares = deal.subShares.map((s) => {
          const env = sealEnvelope(keys.get(s.recipient)!, s.subShare, reshareAad(plan.planId, self, s.recipient, deal.commitment.commitment), secret);
          s.subShare.fill(0);
          return { sender: self, recipient: s.recipient, ...env };
        });
      } finally {
        secret.fill(0);
      }
      const record: StoredDeal = {
        planSha256,
        commitment: commitmentHex(deal.commitment.commitment),
        subShares: subShares.map((s) => ({ sender: s.sender, recipient: s.recipient, ephemeralPublicKey: bytesToHex(s.ephemeralPublicKey), nonce: bytesToHex(s.nonce), ciphertext: bytesToHex(s.ciphertext) })),
      };
      // The dealing and its audit record in one durable batch: after a crash the node still knows it dealt.
      await this.store.putPlainMeta(dealSlot(plan.planId), JSON.stringify(record), reshareDealtEntry(ctx, { dealers: plan.dealers, newHolders, newThreshold: plan.newThreshold }));
      return { dealer: self, commitment: deal.commitment.commitment, subShares };
    });
  }

  /**
   * New-holder side: opens its sub-shares, checks them against the dealers'
   * commitments (a bad dealer is named), keeps the new share pending (sealed)
   * and returns a confirmation signed with this node's identity key. A
   * repeated request returns the stored confirmation.
   */
  reshareReceive(signed: SignedResharePlan, deals: ReshareDeal[]): Promise<ReshareReceipt> {
    return this.#serial(async () => {
      const { plan, ctx } = await this.#plan(signed, 'receive');
      const self = this.config.nodeId;
      const me = plan.newNodes.find((n) => n.id === self);
      if (!me) return this.#refuse('INVALID_ARGUMENT', 'this node is not a new holder in the plan', ctx);
      const done = await this.store.getPlainMeta(confirmSlot(plan.planId));
      if (done) return this.#receipt(plan, JSON.parse(done) as { statement: string; signature: string; verifyingShare: string });
      const secret = await enrollmentSecret(this.store);
      const subShares: frost.ReshareSubShare[] = [];
      const bad: number[] = [];
      try {
        if (bytesToHex(enrollmentPublicKey(secret)) !== me.enrollmentKey) return await this.#refuse('POLICY_REFUSED', 'the plan gives this node an enrollment key that is not its own', ctx);
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
        const culprits = (e as { culprits?: number[] })?.culprits;
        return this.#refuse('INVALID_ARGUMENT', `reshare receive: ${culprits?.length ? `misbehaving node(s) ${culprits.join(', ')}: ` : ''}${errorMessage(e)}`, ctx);
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
      const plain = utf8ToBytes(JSON.stringify({ ...key, share: bytesToHex(key.share), groupPublicKey: bytesToHex(key.groupPublicKey) }));
      await this.store.putSecretMeta(pendingSlot(plan.planId), plain);
      plain.fill(0);
      result.share.share.fill(0);
      const identity = await loadOrCreateIdentity(this.store, nodeOriginPrefix(self));
      const c = signReshareStatement({ planId: plan.planId, keyName: plan.keyName, groupPublicKey: plan.groupPublicKey, commitment: key.vssCommitment, holder: self }, identity.secretKey);
      identity.secretKey.fill(0);
      const saved = { statement: bytesToHex(c.statement), signature: bytesToHex(c.signature), verifyingShare: key.verifyingShares[self]! };
      await this.store.putPlainMeta(confirmSlot(plan.planId), JSON.stringify(saved), reshareReceivedEntry(ctx, {
        groupPublicKey: plan.groupPublicKey,
        identifier: self,
        commitmentSha256: bytesToHex(sha256(utf8ToBytes(key.vssCommitment.join(',')))),
        dealers: plan.dealers,
      }));
      return this.#receipt(plan, saved);
    });
  }

  #receipt(plan: ResharePlan, saved: { statement: string; signature: string; verifyingShare: string }): ReshareReceipt {
    const self = this.config.nodeId;
    return {
      keyName: plan.keyName,
      identifier: self,
      groupPublicKey: hexToBytes(plan.groupPublicKey),
      verifyingShare: hexToBytes(saved.verifyingShare),
      holds: false,
      confirmation: { holder: self, statement: hexToBytes(saved.statement), signature: hexToBytes(saved.signature) },
    };
  }

  /** The identity public key of node `id`: this node's own, or the one its `peers` entry pins (verifierKey). */
  async #identityKey(id: number): Promise<Uint8Array | undefined> {
    if (id === this.config.nodeId) {
      const identity = await loadOrCreateIdentity(this.store, nodeOriginPrefix(id));
      const pub = ed25519.getPublicKey(identity.secretKey);
      identity.secretKey.fill(0);
      return pub;
    }
    const vkey = this.config.peers.find((p) => p.id === id)?.verifierKey;
    return vkey === undefined ? undefined : parseVerifierKey(vkey).publicKey;
  }

  /**
   * Last step, given every new holder's confirmation (each verified here
   * against the holder's pinned identity key, all on one merged commitment):
   * a new holder activates its pending share; an old holder outside the new
   * set deletes its share (audit record `reshared`, `retired: true`).
   */
  reshareRetire(signed: SignedResharePlan, confirmations: ReshareConfirmation[]): Promise<KeyOutcome> {
    return this.#serial(async () => {
      const { plan, signer, ctx } = await this.#plan(signed, 'finish');
      const self = this.config.nodeId;
      const newHolders = plan.newNodes.map((n) => n.id);
      const keys = new Map<number, Uint8Array | undefined>();
      for (const id of newHolders) keys.set(id, await this.#identityKey(id));
      let commitment: string[];
      try {
        commitment = verifyReshareConfirmations(confirmations, { planId: plan.planId, keyName: plan.keyName, groupPublicKey: plan.groupPublicKey, holders: newHolders, threshold: plan.newThreshold }, (id) => keys.get(id));
      } catch (e) {
        return this.#refuse('POLICY_REFUSED', `reshare not finished, nothing retired: ${errorMessage(e)}`, ctx);
      }
      const commitmentSha256 = bytesToHex(sha256(utf8ToBytes(commitment.join(','))));
      const out = { keyName: plan.keyName, identifier: self, groupPublicKey: hexToBytes(plan.groupPublicKey), verifyingShare: new Uint8Array(0) };
      const held = await this.store.getKey(plan.keyName);
      if (newHolders.includes(self)) {
        const pending = await this.store.getSecretMeta(pendingSlot(plan.planId));
        if (!pending) {
          if (held && held.vssCommitment.join(',') === commitment.join(',')) return { ...out, verifyingShare: hexToBytes(held.verifyingShares[self]!), holds: true }; // already activated
          return this.#refuse('INVALID_ARGUMENT', `no pending share of plan ${plan.planId} on this node (it has not received its sub-shares)`, ctx);
        }
        const parsed = JSON.parse(new TextDecoder().decode(pending));
        pending.fill(0);
        const key: StoredKey = { ...parsed, share: hexToBytes(parsed.share), groupPublicKey: hexToBytes(parsed.groupPublicKey) };
        if (key.vssCommitment.join(',') !== commitment.join(',')) return this.#refuse('POLICY_REFUSED', 'the confirmed commitment is not the one this node received', ctx);
        await this.store.putKey(key, resharedInEntry(ctx, { keyName: plan.keyName, groupPublicKey: plan.groupPublicKey, identifier: self, threshold: `${key.minSigners}-of-${key.maxSigners}` }, { dealers: plan.dealers, confirmedBy: newHolders, commitmentSha256 }), true);
        await this.store.deleteSecretMeta(pendingSlot(plan.planId));
        this.log(`activated the new share of key ${plan.keyName} (plan ${plan.planId})`);
        return { ...out, verifyingShare: hexToBytes(key.verifyingShares[self]!), holds: true };
      }
      if (!held) return { ...out, holds: false };
      await this.#gate('retire', signed, plan, signer, `officer ${signer.name} asks this node to delete its share of key ${plan.keyName}: nodes ${newHolders.join(', ')} confirmed their new shares (plan ${plan.planId})`, ctx);
      await this.store.deleteKey(plan.keyName, resharedEntry(ctx, { groupPublicKey: plan.groupPublicKey, identifier: self, retired: true, newHolders, confirmedBy: newHolders, commitmentSha256 }));
      this.log(`retired share of key ${plan.keyName} (reshared to ${newHolders.join(', ')})`);
      return { ...out, holds: false };
    });
  }
}

/**
 * Dealerless key generation on a node, no gRPC (Pedersen DKG with proofs of
 * knowledge, frost `dkgRound1/2/Finalize`), every secret message sealed end
 * to end in an enrollment envelope so the relaying coordinator sees only
 * ciphertext. Resharing is in reshare.ts.
 *
 * Trust: a DKG starts only from a keygen request signed by an officer or a
 * client with the keygen permission (roles.ts), and only among all enrolled
 * nodes with at least this node's minimum threshold. Round-2 envelopes are
 * exchanged only with peers whose enrollment keys are pinned in this node's
 * config (`peers`), each authenticated by the sender's static enrollment key
 * and bound to the hash of the round-1 broadcast as this node saw it, so a
 * coordinator that shows different round-1 packages to different nodes is
 * caught. DKG secrets stay in memory only: a crash aborts the DKG, which is
 * then simply run again. An RSA keygen's dealer must be one this node's
 * `lifecycle.rsaDealers` allows, whether it is this node or a peer.
 */
import { subkeyDkgProblem } from './window-keys.js';
import { bytesToHex, hexToBytes, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as frost from '@qsign/frost';
import { ed25519Fingerprint } from '@qsign/openpgp';
import { QsignError, checkFreshness, dkgSessionId, errorMessage, isQsignError, isValidKeyName, keygenKeyType, openKeygenRequest, thresholdProblem, type ErrorCode, type KeygenRequest, type SignedLifecycle } from '@qsign/protocol';
import { dkgRound1Entry, keyGeneratedEntry, refusedEntry, rsaKeyDealtEntry, type AuditContext } from '@qsign/audit';
import { openEnvelope, sealEnvelope, type NodeStore, type StoredKey } from '@qsign/storage';
import type { NodeConfig } from './config.js';
import { enrollmentSecret } from './seal.js';
import { pinnedEnrollmentKey } from './peers.js';
import { storedKey } from './import.js';
import { storedRsaKey } from './import-rsa.js';
import { dealRsaKey, receivedRsaShare, rsaKeyTypeOf, rsaParamsProblem } from './keys-rsa.js';
import { enrolledNodes, lifecycleSigner, minDkgThreshold, rsaDealerProblem } from './roles.js';

/** DKG parameters, as the coordinator announces them. */
export interface DkgParams {
  sessionId: string;
  keyName: string;
  userId: string;
  minSigners: number;
  participants: number[];
  createdUnixSeconds: number;
  /** '' or 'ed25519' (DKG), or an RSA type made by `dealer` (keys-rsa.ts). */
  keyType?: string;
  dealer?: number;
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

interface DkgSession {
  params: DkgParams;
  /** Finalised key waiting for DkgConfirm (never on disk before). */
  pending?: StoredKey;
  round1Secret?: frost.SecretDkgRound1;
  round2Secret?: frost.SecretDkgRound2;
  round1?: frost.DkgRound1Package[];
  transcript?: Uint8Array;
  /** RSA keygen: round 2 ran on this node (the dealer dealt, or a receiver is ready for its share). */
  rsaRound2?: boolean;
  /** Who signed the keygen request (for the dealer's audit record). */
  requestedBy?: string;
  expiresAtMs: number;
}

const DKG_SESSION_TTL_MS = 5 * 60_000;
/** An RSA keygen session waits for the dealer's safe-prime search (minutes for RSA-4096 on a loaded host). */
const RSA_SESSION_TTL_MS = 60 * 60_000;

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
  const params = { sessionId: p.sessionId, keyName: p.keyName, userId: p.userId, minSigners: p.minSigners, participants: p.participants, createdUnixSeconds: p.createdUnixSeconds, ...(p.keyType && p.keyType !== 'ed25519' && { keyType: p.keyType, dealer: p.dealer }) };
  return sha256(utf8ToBytes(JSON.stringify({ params, round1: [...round1].sort((a, b) => a.identifier - b.identifier).map((r) => [r.identifier, r.commitment.map(bytesToHex), bytesToHex(r.proofOfKnowledge)]) })));
}

/** The node's key lifecycle operations. */
export class NodeKeyOps {
  readonly #dkg = new Map<string, DkgSession>();

  constructor(
    private readonly config: NodeConfig,
    private readonly store: NodeStore,
    private readonly now: () => number = Date.now,
  ) {}

  #peerKey(id: number, what: string): Uint8Array {
    const k = pinnedEnrollmentKey(this.config.peers, id);
    if (!k) throw new QsignError('POLICY_REFUSED', `${what}: node ${id}'s enrollment key is not pinned in this node's config (peers)`);
    return hexToBytes(k);
  }

  async #refuse(code: ErrorCode, reason: string, ctx: AuditContext): Promise<never> {
    await this.store.audit.append(refusedEntry(ctx, code, reason));
    throw new QsignError(code, `node ${this.config.nodeId}: ${reason}`);
  }

  #pruneSessions(): void {
    for (const [id, s] of this.#dkg) if (s.expiresAtMs < this.now()) this.#dkg.delete(id);
  }

  // ---- DKG ----

  /**
   * Who may start this DKG: the keygen request must verify, be fresh, be
   * signed by an officer or a keygen client, and name these parameters; the
   * participants must be every enrolled node and the threshold at least
   * this node's minimum. Returns the signer's name for the audit record.
   */
  async #authorise(p: DkgParams, auth: SignedLifecycle | undefined, ctx: AuditContext): Promise<string> {
    if (!auth) return this.#refuse('POLICY_REFUSED', 'a DKG needs a keygen request signed by an officer or by a client with the keygen permission', ctx);
    let req: KeygenRequest;
    try {
      req = openKeygenRequest(auth);
    } catch (e) {
      return this.#refuse(isQsignError(e) ? e.code : 'MALFORMED_REQUEST', errorMessage(e), ctx);
    }
    const signer = lifecycleSigner(this.config, bytesToHex(auth.clientPublicKey), 'dkg');
    if (typeof signer === 'string') return this.#refuse('POLICY_REFUSED', `DKG refused: ${signer}`, ctx);
    try {
      checkFreshness(req.createdAtMs, this.now(), this.config.freshnessWindowSeconds * 1000);
    } catch (e) {
      return this.#refuse('STALE_REQUEST', `keygen request: ${errorMessage(e)}`, ctx);
    }
    if (req.keyName !== p.keyName || req.userId !== p.userId || p.sessionId !== dkgSessionId(req) || (req.minSigners !== 0 && req.minSigners !== p.minSigners))
      return this.#refuse('POLICY_REFUSED', `the DKG parameters (key, user id, session or threshold) differ from the keygen request ${signer.name} signed`, ctx);
    if (keygenKeyType(req) !== (p.keyType || 'ed25519')) return this.#refuse('POLICY_REFUSED', `the DKG key type ${p.keyType || 'ed25519'} differs from the type ${keygenKeyType(req)} that ${signer.name} signed`, ctx);
    const enrolled = enrolledNodes(this.config);
    const missing = enrolled.filter((id) => !p.participants.includes(id));
    const extra = p.participants.filter((id) => !enrolled.includes(id));
    if (missing.length) return this.#refuse('POLICY_REFUSED', `DKG leaves out enrolled node(s) ${missing.join(', ')}: every enrolled node takes part (${enrolled.join(', ')})`, ctx);
    if (extra.length) return this.#refuse('POLICY_REFUSED', `node(s) ${extra.join(', ')} are not enrolled peers of this node (peers[].enrollmentKey)`, ctx);
    const min = minDkgThreshold(this.config);
    if (p.minSigners < min) return this.#refuse('POLICY_REFUSED', `DKG threshold ${p.minSigners} is below this node's minimum ${min} (lifecycle.minThreshold; default a majority of the enrolled nodes)`, ctx);
    return `${signer.role} ${signer.name}`;
  }

  /** DKG round 1: checks the request and parameters, draws this node's polynomial (kept in memory) and returns the broadcast package. */
  async dkgRound1(p: DkgParams, auth?: SignedLifecycle): Promise<frost.DkgRound1Package> {
    this.#pruneSessions();
    const self = this.config.nodeId;
    const ctx = dkgContext(p.sessionId, p.keyName);
    if (!isValidKeyName(p.keyName)) return this.#refuse('INVALID_ARGUMENT', `not a valid key name: ${JSON.stringify(p.keyName.slice(0, 80))}`, ctx);
    if (!/^[A-Za-z0-9._:-]{8,128}$/.test(p.sessionId)) return this.#refuse('INVALID_ARGUMENT', 'malformed DKG session id', ctx);
    if (this.#dkg.has(p.sessionId)) return this.#refuse('INVALID_ARGUMENT', `DKG session ${p.sessionId} already exists`, ctx);
    const ids = p.participants;
    if (!ids.includes(self)) return this.#refuse('INVALID_ARGUMENT', 'this node is not a DKG participant', ctx);
    if (ids.some((x, i) => i > 0 && x <= ids[i - 1]!)) return this.#refuse('INVALID_ARGUMENT', 'participants must be sorted and distinct', ctx);
    const badThreshold = thresholdProblem(p.minSigners, ids.length);
    if (badThreshold) return this.#refuse('INVALID_ARGUMENT', badThreshold, ctx);
    for (const id of ids) if (id !== self && !pinnedEnrollmentKey(this.config.peers, id)) return this.#refuse('POLICY_REFUSED', `node ${id}'s enrollment key is not pinned in this node's config (peers)`, ctx);
    let rsa;
    try {
      rsa = rsaKeyTypeOf(p);
    } catch (e) {
      return this.#refuse('INVALID_ARGUMENT', errorMessage(e), ctx);
    }
    const rsaProblem = rsa && rsaParamsProblem(p);
    if (rsaProblem) return this.#refuse('INVALID_ARGUMENT', rsaProblem, ctx);
    const requestedBy = await this.#authorise(p, auth, ctx);
    // The dealer holds the whole key: this node's own policy, not the coordinator, decides who may (roles.ts).
    const dealerProblem = rsa && rsaDealerProblem(this.config, p.dealer!);
    if (dealerProblem) return this.#refuse('POLICY_REFUSED', dealerProblem, ctx);
    if (await this.store.getKey(p.keyName)) return this.#refuse('KEY_EXISTS', `key ${p.keyName} already exists on this node`, ctx);
    const windowProblem = await subkeyDkgProblem(this.store, p.keyName);
    if (windowProblem) return this.#refuse('POLICY_REFUSED', `DKG refused: ${windowProblem}`, ctx);
    if (rsa) {
      // No polynomial here: the dealer generates and deals in round 2, once every participant accepted round 1.
      this.#dkg.set(p.sessionId, { params: { ...p, participants: [...ids] }, requestedBy, transcript: dkgTranscript(p, []), expiresAtMs: this.now() + RSA_SESSION_TTL_MS });
      await this.store.audit.append(dkgRound1Entry(ctx, { threshold: `${p.minSigners}-of-${ids.length}`, participants: ids, requestedBy, keyType: rsa, dealer: p.dealer }));
      return { identifier: self, commitment: [], proofOfKnowledge: new Uint8Array() };
    }
    const { package: pkg, secret } = frost.dkgRound1(self, p.minSigners, ids.length);
    this.#dkg.set(p.sessionId, { params: { ...p, participants: [...ids] }, round1Secret: secret, expiresAtMs: this.now() + DKG_SESSION_TTL_MS });
    await this.store.audit.append(dkgRound1Entry(ctx, { threshold: `${p.minSigners}-of-${ids.length}`, participants: ids, requestedBy }));
    return pkg;
  }

  /**
   * DKG round 2: verifies every round-1 package (a bad proof names its
   * sender) and returns one envelope per peer, sealed to its pinned
   * enrollment key, authenticated with ours, bound to the round-1 transcript.
   */
  async dkgRound2(sessionId: string, round1: frost.DkgRound1Package[]): Promise<SealedPackage[]> {
    const s = this.#dkg.get(sessionId);
    const ctx = dkgContext(sessionId, s?.params.keyName);
    if (s?.params.dealer && !s.rsaRound2 && !s.pending) return this.#rsaRound2(s, ctx);
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
      await this.store.audit.append(refusedEntry(ctx, err.code, err.message));
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
    const ctx = dkgContext(sessionId, s?.params.keyName);
    if (s?.rsaRound2) return this.#rsaFinalize(s, packages, ctx);
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
      await this.store.audit.append(refusedEntry(ctx, 'INVALID_ARGUMENT', reason, { culprits: bad }));
      throw new QsignError('INVALID_ARGUMENT', `node ${self}: ${reason}`, { details: { culprits: bad } });
    }
    let result: { share: frost.SecretSigningShare; publicKeyPackage: frost.PublicKeyPackage };
    try {
      result = frost.dkgFinalize(s.round2Secret, s.round1, received);
    } catch (e) {
      const err = culpritError('DKG finalise', e);
      await this.store.audit.append(refusedEntry(ctx, err.code, err.message));
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
    const ctx = dkgContext(sessionId, s?.params.keyName);
    if (!key) return this.#refuse('INVALID_ARGUMENT', `no finalised DKG session ${sessionId} on this node`, ctx);
    if (bytesToHex(groupPublicKey) !== bytesToHex(key.groupPublicKey)) {
      this.#dkg.delete(sessionId);
      key.share.fill(0);
      return this.#refuse('INVALID_ARGUMENT', 'participants derived different group keys; the DKG is void', ctx);
    }
    this.#dkg.delete(sessionId);
    await this.store.putKey(
      key,
      keyGeneratedEntry(
        {},
        { keyName: key.name, groupPublicKey: bytesToHex(key.groupPublicKey), identifier: key.identifier, threshold: `${key.minSigners}-of-${key.maxSigners}` },
        { method: s!.params.dealer ? 'rsa-dealer' : 'dkg', sessionId, participants: s!.params.participants, fingerprint: key.fingerprint, ...(s!.params.dealer && { keyType: s!.params.keyType, dealer: s!.params.dealer }) },
      ),
    );
    return { keyName: key.name, identifier: key.identifier, groupPublicKey: key.groupPublicKey, verifyingShare: hexToBytes(key.verifyingShares[key.identifier]!), holds: true };
  }

  // ---- RSA keygen (keys-rsa.ts): the dealer deals in round 2, receivers open their share in finalise ----

  /** RSA round 2: the dealer generates, deals and seals one share per peer; a receiver only marks itself ready. */
  async #rsaRound2(s: DkgSession, ctx: AuditContext): Promise<SealedPackage[]> {
    const self = this.config.nodeId;
    const p = s.params;
    s.rsaRound2 = true;
    if (p.dealer !== self) return [];
    const secret = await enrollmentSecret(this.store);
    let dealt;
    try {
      dealt = await dealRsaKey(p, self, (recipient, plain): SealedPackage => ({ sender: self, recipient, ...sealEnvelope(this.#peerKey(recipient, 'RSA keygen'), plain, dkgAad(p.sessionId, self, recipient, s.transcript!), secret) }));
    } catch (e) {
      this.#dkg.delete(p.sessionId);
      const code = isQsignError(e) ? e.code : 'SIGNING_FAILED';
      return this.#refuse(code, `RSA key generation failed: ${errorMessage(e)}`, ctx);
    } finally {
      secret.fill(0);
    }
    s.pending = storedRsaKey(dealt.own); // holds the share bytes until dkgConfirm stores them (zeroed if the run is void)
    await this.store.audit.append(
      rsaKeyDealtEntry(ctx, { keyType: p.keyType!, groupPublicKey: bytesToHex(dealt.groupPublicKey), recipients: dealt.sealed.map((x) => x.recipient), generationMs: dealt.generationMs, requestedBy: s.requestedBy }),
    );
    return dealt.sealed;
  }

  /** RSA finalise: a receiver opens the dealer's envelope (authenticated by the dealer's pinned key) and checks its share; the dealer already holds its own. */
  async #rsaFinalize(s: DkgSession, packages: SealedPackage[], ctx: AuditContext): Promise<KeyOutcome> {
    const self = this.config.nodeId;
    const p = s.params;
    if (!s.pending) {
      const mine = packages.filter((x) => x.recipient === self);
      if (mine.length !== 1 || mine[0]!.sender !== p.dealer) {
        this.#dkg.delete(p.sessionId);
        return this.#refuse('INVALID_ARGUMENT', `RSA keygen: expected one share envelope from dealer node ${p.dealer}, got ${mine.length} (from ${mine.map((x) => x.sender).join(', ') || 'nobody'})`, ctx);
      }
      const secret = await enrollmentSecret(this.store);
      let plain: Uint8Array | undefined;
      try {
        plain = openEnvelope(secret, mine[0]!, dkgAad(p.sessionId, p.dealer!, self, s.transcript!), this.#peerKey(p.dealer!, 'RSA keygen'));
        s.pending = storedRsaKey(receivedRsaShare(p, plain, self));
      } catch (e) {
        this.#dkg.delete(p.sessionId);
        const why = isQsignError(e) && e.code === 'INVALID_ARGUMENT' && /dealer node/.test(e.message) ? errorMessage(e) : `the share envelope from dealer node ${p.dealer} does not open (not from its pinned key, altered in transit, or for another session)`;
        return this.#refuse('INVALID_ARGUMENT', why, { ...ctx, details: { ...ctx.details, culprits: [p.dealer] } });
      } finally {
        secret.fill(0);
        plain?.fill(0);
      }
    }
    const key = s.pending;
    return { keyName: key.name, identifier: self, groupPublicKey: key.groupPublicKey, verifyingShare: hexToBytes(key.verifyingShares[self]!), holds: false };
  }
}

/** The audit context of a DKG step: the key (schema field) and the session (details). */
function dkgContext(sessionId: string, keyName: string | undefined): AuditContext {
  return { keyName, details: { operation: 'dkg', sessionId } };
}

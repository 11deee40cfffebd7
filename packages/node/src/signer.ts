/**
 * The node's signing service: plain state and functions, no gRPC. Round one
 * hands out nonce commitments; round two checks a client request end to end
 * and releases a signature share only after the audit record and the nonce
 * deletion are durable (DESIGN.md trust model 2, 4, 5; RFC 9591 §5.2).
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import * as frost from '@qsign/frost';
import {
  QsignError,
  STALE_COMMITMENT,
  checkCommitmentList,
  errorMessage,
  frostEd25519Scheme,
  rsaHashOfDigest,
  shoupRsaScheme,
  validateSignRequest,
  verifyRequestSignature,
  type ErrorCode,
  type ShareFile,
  type SignRequest,
  type SignedRequest,
  type SchemeKey,
  type SchemeShare,
  type ThresholdScheme,
} from '@qsign/protocol';
import { keyImportedEntry, refusedEntry, withDetails, type AuditContext } from '@qsign/audit';
import type { NodeStore, StoredKey } from '@qsign/storage';
import { opensslRsaVerify, opensslVerify } from '@qsign/rpc';
import type { NodeConfig } from './config.js';
import { checkWindowedRequest } from './window-keys.js';
import { checkRenewalRequest } from './renewal.js';
import { Approvals, type Admission } from './approvals.js';
import { prepareShare, type RefuseFn } from './share-record.js';
import { sha256Hex } from './digest.js';
import { storedKeyFromShare } from './import.js';
import { checkRsaShareFile } from './import-rsa.js';

/** Test-only faults (served only with QSIGN_TEST_FAULTS=1). */
export type Fault = '' | 'corrupt-share' | 'crash-after-write' | 'fail-audit-write';

/** What a SignShare call was about, as far as it got (filled in for logs and metrics; no secrets). */
export interface ShareContext {
  requestId?: string;
  keyName?: string;
  client?: string;
}

/** A commitment entry of a signing attempt's list. */
export type Commitment = frost.SigningCommitments;

// SHA-256 through OpenSSL: the audit record hashes the whole payload (twice for raw
// payloads), and noble's JS SHA-256 costs ~7x more (≈0.3 ms per 4 KiB on the busy box).

/** The threshold scheme of the node's keys (the only one so far; docs/architecture.md "Signature schemes"). */
export const NODE_SCHEME: ThresholdScheme = frostEd25519Scheme(opensslVerify);

/** The scheme of the node's threshold RSA keys (one round, no nonces). */
export const RSA_SCHEME: ThresholdScheme = shoupRsaScheme(opensslRsaVerify);

/** Largest batch of commitments handed out per call. */
export const MAX_COMMITMENT_BATCH = 256;

/** Most coordinator identities holding unused nonces of one node at once. */
export const MAX_NONCE_OWNERS = 16;

/** The share-holder's signing logic over its store. */
export class NodeSigner {
  readonly #clients: Map<string, string>;
  readonly #inFlightNonces = new Set<string>();
  /** Request id → the tail of its attempts in progress: attempts of one request run one at a time. */
  readonly #inFlightRequests = new Map<string, Promise<void>>();
  #fault: Fault = '';

  constructor(
    private readonly config: NodeConfig,
    private readonly store: NodeStore,
    private readonly hedge: Uint8Array,
    private readonly now: () => number = Date.now,
    private readonly crash: () => never = () => process.exit(137),
    approvals?: Approvals,
  ) {
    this.#clients = new Map(config.clients.map((c) => [c.publicKey, c.name]));
    // The daemon passes its own: holds are served to operators while the node is still sealed.
    this.approvals = approvals ?? new Approvals(config, store, this.now);
  }

  /** Policy gate and held requests (issue 6). */
  readonly approvals: Approvals;

  /** The lifecycle clock (ms) renewals are judged by (`@qsign/protocol` lifecycleClock; the daemon sets it). */
  lifecycleNow: () => number = Date.now;

  /** The domain checks of a request before any durable write: windowed keys, renewals. */
  async #checkKeyRequest(req: SignRequest, key: StoredKey, clientName: unknown): Promise<void> {
    await checkWindowedRequest(this.store, req);
    const client = this.config.clients.find((c) => c.name === clientName) ?? { name: String(clientName) };
    checkRenewalRequest(req, key, client, Math.floor(this.lifecycleNow() / 1000));
  }

  /** Why this node must not sign at all (a rollback its witnesses revealed, `rollback.ts`), if so. */
  stopReason: () => string | undefined = () => undefined;

  /** This node's id. */
  get nodeId(): number {
    return this.config.nodeId;
  }

  /** Sets a test-only fault. */
  setFault(f: Fault): void {
    this.#fault = f;
    this.store.audit.failWrites = f === 'fail-audit-write';
  }

  /**
   * Round one (RFC 9591 §5.1): makes `count` fresh nonce pairs, stores them
   * sealed and durably in `coordinatorId`'s pool, and returns only their
   * commitments. Only that coordinator may spend them (round two checks).
   * `coordinatorId` is the identity the nonces are handed to (under mutual
   * TLS the caller's certificate identity, pool-owner.ts): it
   * never holds more than `maxOutstandingNonces` unused ones (its oldest are
   * retired), and at most {@link MAX_NONCE_OWNERS} identities hold nonces at once.
   */
  async commitments(count: number, coordinatorId: string): Promise<Commitment[]> {
    const coordinator = coordinatorIdentity(coordinatorId);
    const ctx: AuditContext = { coordinator: coordinator || undefined, details: { operation: 'get-commitments' } };
    const stop = this.stopReason();
    if (stop) return this.#refuse('AUDIT_ROLLBACK', stop, ctx);
    if (!Number.isInteger(count) || count < 1 || count > MAX_COMMITMENT_BATCH)
      throw new QsignError('INVALID_ARGUMENT', `commitment count must be 1..${MAX_COMMITMENT_BATCH}, got ${count}`);
    if (this.store.outstandingNonces(coordinator) === 0 && this.store.nonceOwners >= MAX_NONCE_OWNERS)
      return this.#refuse('QUOTA_EXCEEDED', `${MAX_NONCE_OWNERS} coordinator identities already hold unused nonces of this node; refusing nonces to a new one (${JSON.stringify(coordinator)}) until theirs are used or expire`, ctx);
    const made = Array.from({ length: count }, () => NODE_SCHEME.prepare(this.config.nodeId, this.hedge)).map((m) => ({ nonces: m.secret, commitments: m.public }));
    await this.store.addNonces(
      made.map((m) => ({
        hiding: m.nonces.hiding,
        binding: m.nonces.binding,
        hidingCommitment: m.commitments.hiding,
        bindingCommitment: m.commitments.binding,
        coordinator,
      })),
      coordinator,
      this.config.maxOutstandingNonces,
    );
    for (const m of made) {
      m.nonces.hiding.fill(0);
      m.nonces.binding.fill(0);
    }
    return made.map((m) => m.commitments);
  }

  /**
   * Round two: checks the request (client, signature, freshness, key,
   * commitment list, replay), writes the audit record and deletes the nonce
   * in one durable batch, then computes the signature share. `about` learns
   * the request id, key and client as soon as they are known.
   */
  async signShare(signed: SignedRequest, decode: (body: Uint8Array) => SignRequest, commitmentList: Commitment[], coordinatorId: string, about: ShareContext = {}): Promise<SchemeShare> {
    const { req, key, ctx, admission } = await this.#admitRequest(signed, decode, coordinatorId, about);
    if (key.scheme === 'rsa-shoup') return this.#signOneRound(req, key, ctx, admission, commitmentList);

    const listProblem = checkCommitmentList(commitmentList, key);
    if (listProblem) return this.#refuse('BAD_COMMITMENTS', listProblem, ctx);
    const own = commitmentList.find((c) => c.identifier === key.identifier)!;
    const nonceId = bytesToHex(own.hiding);
    if (this.#inFlightNonces.has(nonceId)) return this.#refuse('REPLAYED_REQUEST', 'replayed request: the same nonce is already being signed', ctx);
    // A second attempt of one request (another coordinator retrying it while the first one's
    // attempt is still here) waits for the first to finish, then meets the replay checks below
    // with the first attempt's record in place: the attempt limit and list check cannot race.
    const prior = this.#inFlightRequests.get(req.requestId);
    let release!: () => void;
    const tail = (prior ?? Promise.resolve()).then(() => new Promise<void>((r) => (release = r)));
    this.#inFlightRequests.set(req.requestId, tail);
    this.#inFlightNonces.add(nonceId);
    try {
      await prior;
      const listDigest = sha256Hex(commitmentList.map((c) => `${c.identifier}:${bytesToHex(c.hiding)}:${bytesToHex(c.binding)}`).join(','));
      const seen = await this.store.getReplay(req.requestId);
      if (seen && seen.lists.includes(listDigest))
        return await this.#refuse('REPLAYED_REQUEST', `replayed request ${req.requestId}: already signed with this commitment list`, ctx);
      if (seen && seen.attempts >= this.config.maxAttemptsPerRequest)
        return await this.#refuse('REPLAYED_REQUEST', `replayed request ${req.requestId}: already signed ${seen.attempts} times (limit ${this.config.maxAttemptsPerRequest})`, ctx);
      const nonce = await this.store.getNonce(own.hiding);
      if (!nonce || bytesToHex(nonce.bindingCommitment) !== bytesToHex(own.binding)) {
        return await this.#refuse('BAD_COMMITMENTS', `commitment list does not contain an unused commitment of node ${this.config.nodeId}`, ctx, { commitment: STALE_COMMITMENT });
      }
      // One pool per coordinator identity: a commitment handed to another coordinator is not
      // spendable here (the nonce stays unused for its owner).
      if (nonce.coordinator !== coordinatorIdentity(coordinatorId)) {
        nonce.hiding.fill(0);
        nonce.binding.fill(0);
        return await this.#refuse('BAD_COMMITMENTS', `node ${this.config.nodeId}'s commitment in the list was handed to another coordinator, not to ${JSON.stringify(coordinatorIdentity(coordinatorId))}`, ctx);
      }

      const attempt = (seen?.attempts ?? 0) + 1;
      const refuse: RefuseFn = (code, reason, c) => this.#refuse(code, reason, c);
      const { message, record } = await prepareShare(req, key, ctx, admission, { signers: commitmentList.map((c) => c.identifier), attempt, nonce: nonceId, digestOnlyKeys: this.config.digestOnlyKeys, check: (r) => this.#checkKeyRequest(r, key, ctx.clientId) }, refuse);
      // Decode and check every other signer's commitment points (canonical, not identity,
      // prime order; RFC 9591 §6.5) before anything is written; decoded points are cached
      // for signShare, which checks this node's own commitment against its nonces.
      try {
        NODE_SCHEME.checkSession(commitmentList, key.identifier);
      } catch (e) {
        return await this.#refuse('BAD_COMMITMENTS', `invalid commitment list: ${errorMessage(e)}`, ctx);
      }
      await this.store.commitSignature(own.hiding, req.requestId, {
        attempts: attempt,
        lists: [...(seen?.lists ?? []), listDigest],
        // An approved hold stays signable until it expires: remember the request at least that long.
        expiresAtMs: Math.max(req.createdAtMs + 2 * this.config.freshnessWindowSeconds * 1000, admission.by === 'approval' ? admission.hold.expiresAtMs + 60_000 : 0),
      }, record);
      // The nonce is gone from disk: from here a crash can only lose the share.
      if (this.#fault === 'crash-after-write') this.crash();
      const share = NODE_SCHEME.signShare({ identifier: key.identifier, share: key.share }, schemeKey(key), { hiding: nonce.hiding, binding: nonce.binding }, commitmentList, message);
      if (this.#fault === 'corrupt-share') share.share[0] ^= 0x01;
      return share;
    } finally {
      this.#inFlightNonces.delete(nonceId);
      // `release` is set once `prior` settled, which happened before any exit from the try block.
      release();
      if (this.#inFlightRequests.get(req.requestId) === tail) this.#inFlightRequests.delete(req.requestId);
    }
  }

  /**
   * Round two of a one-round scheme (threshold RSA): no nonce and no session list. The
   * attempt limit still bounds how often one request is signed, but a retry is not a replay
   * (the commitment-list digest that keys FROST's replay check is empty here, and a share
   * may be asked for again when the first one was lost): attempts run one at a time, and the
   * audit record and replay entry are durable before the share is computed.
   */
  async #signOneRound(req: SignRequest, key: StoredKey, ctx: AuditContext, admission: Admission, session: Commitment[]): Promise<SchemeShare> {
    if (session.length !== 0) return this.#refuse('BAD_COMMITMENTS', `key ${key.name} is a threshold RSA key: its requests carry no commitment list, got ${session.length} entries`, ctx);
    const prior = this.#inFlightRequests.get(req.requestId);
    let release!: () => void;
    const tail = (prior ?? Promise.resolve()).then(() => new Promise<void>((r) => (release = r)));
    this.#inFlightRequests.set(req.requestId, tail);
    try {
      await prior;
      const seen = await this.store.getReplay(req.requestId);
      if (seen && seen.attempts >= this.config.maxAttemptsPerRequest)
        return await this.#refuse('REPLAYED_REQUEST', `replayed request ${req.requestId}: already signed ${seen.attempts} times (limit ${this.config.maxAttemptsPerRequest})`, ctx);
      const attempt = (seen?.attempts ?? 0) + 1;
      const refuse: RefuseFn = (code, reason, c) => this.#refuse(code, reason, c);
      const { message, record } = await prepareShare(req, key, ctx, admission, { signers: [key.identifier], attempt, digestOnlyKeys: this.config.digestOnlyKeys, check: (r) => this.#checkKeyRequest(r, key, ctx.clientId) }, refuse);
      try {
        rsaHashOfDigest(message); // a digest EMSA-PKCS1-v1_5 cannot carry (SHA-1) is refused before anything is recorded as signed
      } catch (e) {
        return await this.#refuse('MALFORMED_REQUEST', `cannot make a threshold RSA share: ${errorMessage(e)}`, ctx);
      }
      await this.store.commitOneRoundSignature(req.requestId, {
        attempts: attempt,
        lists: seen?.lists ?? [],
        expiresAtMs: Math.max(req.createdAtMs + 2 * this.config.freshnessWindowSeconds * 1000, admission.by === 'approval' ? admission.hold.expiresAtMs + 60_000 : 0),
      }, record);
      if (this.#fault === 'crash-after-write') this.crash();
      let share: SchemeShare;
      try {
        share = RSA_SCHEME.signShare({ identifier: key.identifier, share: key.share }, schemeKey(key), undefined, [], message);
      } catch (e) {
        return await this.#refuse('MALFORMED_REQUEST', `cannot make a threshold RSA share: ${errorMessage(e)}`, ctx);
      }
      if (this.#fault === 'corrupt-share') share.share[share.share.length >> 1] ^= 0x01;
      return share;
    } finally {
      release();
      if (this.#inFlightRequests.get(req.requestId) === tail) this.#inFlightRequests.delete(req.requestId);
    }
  }

  /**
   * The checks before any nonce is touched: known client, client signature,
   * well-formed request, known key, then the approval gate (existing hold,
   * freshness, policy; may refuse or throw HELD).
   */
  async #admitRequest(signed: SignedRequest, decode: (body: Uint8Array) => SignRequest, coordinatorId: string, about: ShareContext = {}) {
    const ctx: AuditContext = { coordinator: coordinatorIdentity(coordinatorId) };
    const stop = this.stopReason();
    if (stop) return this.#refuse('AUDIT_ROLLBACK', stop, ctx);
    const clientHex = signed.clientPublicKey.length === 32 ? bytesToHex(signed.clientPublicKey) : '';
    const clientName = this.#clients.get(clientHex);
    if (!clientName) return this.#refuse('UNKNOWN_CLIENT', `request from an unknown client key ${clientHex || '(malformed)'}`, withDetails(ctx, { clientKey: clientHex }));
    ctx.clientId = clientName;
    try {
      verifyRequestSignature(signed, opensslVerify);
    } catch (e) {
      return this.#refuse('BAD_CLIENT_SIGNATURE', errorMessage(e), ctx);
    }
    let req: SignRequest;
    try {
      req = decode(signed.body);
      validateSignRequest(req);
    } catch (e) {
      return this.#refuse('MALFORMED_REQUEST', errorMessage(e), ctx);
    }
    Object.assign(ctx, { requestId: req.requestId, keyName: req.keyName, payloadKind: req.kind });
    Object.assign(about, { requestId: req.requestId, keyName: req.keyName, client: clientName });
    const key = await this.store.getKey(req.keyName);
    if (!key) return this.#refuse('UNKNOWN_KEY', `unknown key ${req.keyName}`, ctx);
    const mismatch = expectedKeyProblem(req, key);
    if (mismatch) return this.#refuse('KEY_MISMATCH', mismatch, withDetails(ctx, { expectedGroupKey: req.expectedGroupKey ? bytesToHex(req.expectedGroupKey).slice(0, 64) : undefined }));
    const admission = await this.approvals.admit(signed, req, clientName, ctx, (code, reason, c) => this.#refuse(code, reason, c));
    return { req, key, ctx, admission };
  }

  /**
   * Would this node sign `signed` now? Runs the same checks as round two up
   * to the policy, spending no nonce: ready, or held (the first call may
   * create the hold), or a refusal.
   */
  async checkRequest(signed: SignedRequest, decode: (body: Uint8Array) => SignRequest, coordinatorId: string): Promise<{ ready: boolean; holdId: string; expiresAtMs: number }> {
    try {
      await this.#admitRequest(signed, decode, coordinatorId);
      return { ready: true, holdId: '', expiresAtMs: 0 };
    } catch (e) {
      if (e instanceof QsignError && e.code === 'HELD') return { ready: false, holdId: String(e.details?.holdId ?? ''), expiresAtMs: Number(e.details?.expiresAtMs ?? 0) };
      throw e;
    }
  }

  /**
   * The coordinator says a request is over without this node (signed by
   * others, or abandoned): its hold, if any, ends (Approvals.end). Returns
   * whether a hold ended.
   */
  async endRequest(signed: SignedRequest, decode: (body: Uint8Array) => SignRequest, outcome: string, coordinatorId: string): Promise<boolean> {
    let requestId: string;
    try {
      requestId = decode(signed.body).requestId;
    } catch (e) {
      throw new QsignError('MALFORMED_REQUEST', `undecodable request: ${errorMessage(e)}`);
    }
    return this.approvals.end(requestId, sha256Hex(signed.body), outcome, coordinatorId);
  }

  /**
   * Records a refusal durably, then throws it. If even that write fails, refuses all the same.
   * A flood is coalesced: one full record per client (or, for unknown clients, coordinator),
   * code and second, and one with the count of the rest (`AuditCoalescer`).
   */
  async #refuse(code: ErrorCode, reason: string, ctx: AuditContext, details?: Record<string, unknown>): Promise<never> {
    const who = typeof ctx.clientId === 'string' ? `client:${ctx.clientId}` : `coordinator:${String(ctx.coordinator ?? '')}`;
    try {
      await this.store.coalesced.append(refusedEntry(ctx, code, reason), who);
    } catch (e) {
      throw new QsignError('AUDIT_WRITE_FAILED', `${reason}; and the refusal could not be recorded: ${errorMessage(e)}`);
    }
    throw new QsignError(code, `node ${this.config.nodeId}: ${reason}`, details && { details });
  }

  /** Imports a share from a ceremony, with its audit record. */
  async importShare(file: ShareFile): Promise<void> {
    if (file.identifier !== this.config.nodeId)
      throw new QsignError('INVALID_ARGUMENT', `share file is for node ${file.identifier}, this is node ${this.config.nodeId}`);
    if (file.scheme === 'rsa-shoup') checkRsaShareFile(file);
    else if (bytesToHex(frost.deriveVerifyingShare({ identifier: file.identifier, share: file.share })) !== bytesToHex(file.verifyingShares.get(file.identifier)!))
      throw new QsignError('INVALID_ARGUMENT', `share of key ${file.keyName} does not match its verifying share (corrupted or tampered file)`);
    const key = storedKeyFromShare(file);
    await this.store.putKey(key, keyImportedEntry({ keyName: file.keyName, groupPublicKey: bytesToHex(file.groupPublicKey), identifier: file.identifier, threshold: `${file.minSigners}-of-${file.maxSigners}` }));
  }
}

/** The public data of a stored key as the scheme sees it. */
function schemeKey(key: StoredKey): SchemeKey {
  return {
    groupPublicKey: key.groupPublicKey,
    minSigners: key.minSigners,
    maxSigners: key.maxSigners,
    verifyingShares: new Map(Object.entries(key.verifyingShares).map(([id, v]) => [Number(id), hexToBytes(v)])),
    ...(key.verificationBase && { verificationBase: hexToBytes(key.verificationBase) }),
  };
}

/** The coordinator identity a nonce pool is keyed by (as recorded in audit records: at most 64 characters). */
export function coordinatorIdentity(coordinatorId: string): string {
  return coordinatorId.slice(0, 64);
}

/**
 * Why a request's expected group key (the client's pinned key,
 * docs/pinning.md) is not this key's, or undefined if it is. A request that
 * names none is refused too: fail closed.
 */
export function expectedKeyProblem(req: SignRequest, key: StoredKey): string | undefined {
  if (!req.expectedGroupKey) return `request names no expected group key for key ${req.keyName} (clients send the key they pinned)`;
  const want = bytesToHex(req.expectedGroupKey);
  const have = bytesToHex(key.groupPublicKey);
  if (want !== have) return `request expects group key ${want.slice(0, 64)} for key ${req.keyName}, but this node's share is of ${have}: a substituted or stale pinned key`;
  return undefined;
}

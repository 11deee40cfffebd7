/**
 * The node's signing service: plain state and functions, no gRPC. Round one
 * hands out nonce commitments; round two checks a client request end to end
 * and releases a signature share only after the audit record and the nonce
 * deletion are durable (DESIGN.md trust model 2, 4, 5; RFC 9591 §5.2).
 */
import { createHash } from 'node:crypto';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import * as frost from '@qsign/frost';
import {
  QsignError,
  errorMessage,
  signingMessage,
  validateSignRequest,
  verifyRequestSignature,
  type ErrorCode,
  type ShareFile,
  type SignRequest,
  type SignedRequest,
} from '@qsign/protocol';
import type { AuditEntry, NodeStore, StoredKey } from '@qsign/storage';
import { opensslVerify } from '@qsign/rpc';
import type { NodeConfig } from './config.js';
import { inspectPayload } from './payload.js';
import { Approvals } from './approvals.js';
import { storedKeyFromShare } from './import.js';

/** Test-only faults (served only with QSIGN_TEST_FAULTS=1). */
export type Fault = '' | 'corrupt-share' | 'crash-after-write' | 'fail-audit-write';

/** A commitment entry of a signing attempt's list. */
export type Commitment = frost.SigningCommitments;

// SHA-256 through OpenSSL: the audit record hashes the whole payload (twice for raw
// payloads), and noble's JS SHA-256 costs ~7x more (≈0.3 ms per 4 KiB on the busy box).
const sha256 = (b: Uint8Array): Uint8Array => createHash('sha256').update(b).digest();

/** Largest batch of commitments handed out per call. */
export const MAX_COMMITMENT_BATCH = 256;

/** The share-holder's signing logic over its store. */
export class NodeSigner {
  readonly #clients: Map<string, string>;
  readonly #inFlightNonces = new Set<string>();
  readonly #inFlightRequests = new Set<string>();
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
   * sealed and durably, and returns only their commitments.
   */
  async commitments(count: number): Promise<Commitment[]> {
    if (!Number.isInteger(count) || count < 1 || count > MAX_COMMITMENT_BATCH)
      throw new QsignError('INVALID_ARGUMENT', `commitment count must be 1..${MAX_COMMITMENT_BATCH}, got ${count}`);
    const made = Array.from({ length: count }, () => frost.commit(this.config.nodeId, this.hedge));
    await this.store.addNonces(
      made.map((m) => ({
        hiding: m.nonces.hiding,
        binding: m.nonces.binding,
        hidingCommitment: m.commitments.hiding,
        bindingCommitment: m.commitments.binding,
      })),
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
   * in one durable batch, then computes the signature share.
   */
  async signShare(signed: SignedRequest, decode: (body: Uint8Array) => SignRequest, commitmentList: Commitment[], coordinatorId: string): Promise<frost.SignatureShare> {
    const { req, key, ctx, admission } = await this.#admitRequest(signed, decode, coordinatorId);

    const listProblem = checkCommitmentList(commitmentList, key);
    if (listProblem) return this.#refuse('BAD_COMMITMENTS', listProblem, ctx);
    const own = commitmentList.find((c) => c.identifier === key.identifier)!;
    const nonceId = bytesToHex(own.hiding);
    if (this.#inFlightNonces.has(nonceId) || this.#inFlightRequests.has(req.requestId)) {
      return this.#refuse('REPLAYED_REQUEST', 'replayed request: the same request or nonce is already being signed', ctx);
    }
    this.#inFlightNonces.add(nonceId);
    this.#inFlightRequests.add(req.requestId);
    try {
      const listDigest = bytesToHex(sha256(utf8ToBytes(commitmentList.map((c) => `${c.identifier}:${bytesToHex(c.hiding)}:${bytesToHex(c.binding)}`).join(','))));
      const seen = await this.store.getReplay(req.requestId);
      if (seen && seen.lists.includes(listDigest))
        return await this.#refuse('REPLAYED_REQUEST', `replayed request ${req.requestId}: already signed with this commitment list`, ctx);
      if (seen && seen.attempts >= this.config.maxAttemptsPerRequest)
        return await this.#refuse('REPLAYED_REQUEST', `replayed request ${req.requestId}: already signed ${seen.attempts} times (limit ${this.config.maxAttemptsPerRequest})`, ctx);
      const nonce = await this.store.getNonce(own.hiding);
      if (!nonce || bytesToHex(nonce.bindingCommitment) !== bytesToHex(own.binding)) {
        return await this.#refuse('BAD_COMMITMENTS', `commitment list does not contain an unused commitment of node ${this.config.nodeId}`, ctx);
      }

      let message: Uint8Array;
      let payloadFacts: Record<string, unknown>;
      try {
        // Parse what is signed (an RPM header, a policy check for digests) before any durable write.
        payloadFacts = inspectPayload(req, { digestOnlyKeys: this.config.digestOnlyKeys });
        message = signingMessage(req, key);
      } catch (e) {
        if (req.claims) ctx.claims = { fileName: req.claims.fileName, size: req.claims.size, sha256: bytesToHex(req.claims.sha256) };
        return await this.#refuse((e as QsignError).code ?? 'MALFORMED_REQUEST', errorMessage(e), ctx);
      }
      // Decode and check every other signer's commitment points (canonical, not identity,
      // prime order; RFC 9591 §6.5) before anything is written; decoded points are cached
      // for signShare, which checks this node's own commitment against its nonces.
      try {
        for (const c of commitmentList) if (c.identifier !== key.identifier) frost.validateSigningCommitments(c);
      } catch (e) {
        return await this.#refuse('BAD_COMMITMENTS', `invalid commitment list: ${errorMessage(e)}`, ctx);
      }
      const attempt = (seen?.attempts ?? 0) + 1;
      const record: AuditEntry = {
        ...ctx,
        event: 'signed',
        keyFingerprint: key.fingerprint,
        groupPublicKey: bytesToHex(key.groupPublicKey),
        messageSha256: bytesToHex(sha256(message)),
        dataSha256: bytesToHex(sha256(req.data)),
        messageLength: message.length,
        fileName: req.claims?.fileName,
        claims: req.claims ? { fileName: req.claims.fileName, size: req.claims.size, sha256: bytesToHex(req.claims.sha256) } : undefined,
        ...(req.openpgp && { openpgp: { signatureType: req.openpgp.signatureType, hashAlgorithm: req.openpgp.hashAlgorithm, createdUnixSeconds: req.openpgp.createdUnixSeconds } }),
        ...payloadFacts,
        signers: commitmentList.map((c) => c.identifier),
        nonce: nonceId,
        attempt,
        approvedHold: admission.by === 'approval' ? { holdId: admission.hold.holdId, operator: admission.hold.decidedBy } : undefined,
      };
      await this.store.commitSignature(own.hiding, req.requestId, {
        attempts: attempt,
        lists: [...(seen?.lists ?? []), listDigest],
        // An approved hold stays signable until it expires: remember the request at least that long.
        expiresAtMs: Math.max(req.createdAtMs + 2 * this.config.freshnessWindowSeconds * 1000, admission.by === 'approval' ? admission.hold.expiresAtMs + 60_000 : 0),
      }, record);
      // The nonce is gone from disk: from here a crash can only lose the share.
      if (this.#fault === 'crash-after-write') this.crash();
      const share = frost.signShare({ identifier: key.identifier, share: key.share }, key.groupPublicKey, { hiding: nonce.hiding, binding: nonce.binding }, commitmentList, message);
      if (this.#fault === 'corrupt-share') share.share[0] ^= 0x01;
      return share;
    } finally {
      this.#inFlightNonces.delete(nonceId);
      this.#inFlightRequests.delete(req.requestId);
    }
  }

  /**
   * The checks before any nonce is touched: known client, client signature,
   * well-formed request, known key, then the approval gate (existing hold,
   * freshness, policy; may refuse or throw HELD).
   */
  async #admitRequest(signed: SignedRequest, decode: (body: Uint8Array) => SignRequest, coordinatorId: string) {
    const ctx: AuditEntry = { event: 'refused', coordinator: coordinatorId.slice(0, 64) };
    const clientHex = signed.clientPublicKey.length === 32 ? bytesToHex(signed.clientPublicKey) : '';
    const clientName = this.#clients.get(clientHex);
    if (!clientName) return this.#refuse('UNKNOWN_CLIENT', `request from an unknown client key ${clientHex || '(malformed)'}`, { ...ctx, clientKey: clientHex });
    ctx.client = clientName;
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
    const key = await this.store.getKey(req.keyName);
    if (!key) return this.#refuse('UNKNOWN_KEY', `unknown key ${req.keyName}`, ctx);
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
    return this.approvals.end(requestId, bytesToHex(sha256(signed.body)), outcome, coordinatorId);
  }

  /** Records a refusal durably, then throws it. If even that write fails, refuses all the same. */
  async #refuse(code: ErrorCode, reason: string, ctx: AuditEntry): Promise<never> {
    try {
      await this.store.audit.append({ ...ctx, event: 'refused', code, reason });
    } catch (e) {
      throw new QsignError('AUDIT_WRITE_FAILED', `${reason}; and the refusal could not be recorded: ${errorMessage(e)}`);
    }
    throw new QsignError(code, `node ${this.config.nodeId}: ${reason}`);
  }

  /** Imports a share from a ceremony, with its audit record. */
  async importShare(file: ShareFile): Promise<void> {
    if (file.identifier !== this.config.nodeId)
      throw new QsignError('INVALID_ARGUMENT', `share file is for node ${file.identifier}, this is node ${this.config.nodeId}`);
    const expected = file.verifyingShares.get(file.identifier)!;
    if (bytesToHex(frost.deriveVerifyingShare({ identifier: file.identifier, share: file.share })) !== bytesToHex(expected))
      throw new QsignError('INVALID_ARGUMENT', `share of key ${file.keyName} does not match its verifying share (corrupted or tampered file)`);
    const key = storedKeyFromShare(file);
    await this.store.putKey(key, {
      event: 'key-imported',
      keyName: file.keyName,
      groupPublicKey: bytesToHex(file.groupPublicKey),
      identifier: file.identifier,
      threshold: `${file.minSigners}-of-${file.maxSigners}`,
    });
  }
}

/**
 * Checks a commitment list against a key before any arithmetic (as frost-rs
 * round2::sign does): sorted, unique, enough signers, all enrolled, and this
 * node's own entry present. Returns the problem, or undefined.
 */
export function checkCommitmentList(list: Commitment[], key: StoredKey): string | undefined {
  if (list.length < key.minSigners) return `commitment list has ${list.length} signers, key ${key.name} needs ${key.minSigners}`;
  if (list.length > key.maxSigners) return `commitment list has ${list.length} signers, key ${key.name} has only ${key.maxSigners} shares`;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (i > 0 && c.identifier <= list[i - 1]!.identifier) return 'commitment list must be sorted by identifier with no duplicates';
    if (!(c.identifier in key.verifyingShares)) return `commitment list names signer ${c.identifier}, which holds no share of key ${key.name}`;
  }
  if (!list.some((c) => c.identifier === key.identifier))
    return `commitment list does not contain an unused commitment of this node (identifier ${key.identifier})`;
  return undefined;
}

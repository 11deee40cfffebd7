/**
 * The qsign client library: builds a request, signs it with the client key,
 * sends it through the coordinator and checks the answer before returning it.
 * Keys are pinned in the client config (docs/pinning.md): every request names
 * the pinned group key, and every answer — key record, certificate,
 * signature — is checked against the pin, never against the coordinator's word.
 * With several coordinators it fails over: a coordinator that cannot be
 * reached (or goes silent) is replaced by the next one, and the SAME signed
 * request is sent again. That is safe: nodes keep replay state per request id
 * (at most maxAttemptsPerRequest commitment lists, each nonce once) and each
 * coordinator spends only nonces from its own pool.
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { parseCertificate, readSubkeys } from '@qsign/openpgp';
import {
  QsignError,
  agreedKey,
  certificateProblem,
  isRsaKey,
  rsaCertificateProblem,
  windowedCertificateProblem,
  errorMessage,
  keyFingerprint,
  newRequestId,
  openKeyAttestation,
  signRequestBody,
  type AttestedKey,
  type FileClaims,
  type KeyStatement,
  type OpenPgpParams,
  type PayloadKind,
  type SignRequest,
} from '@qsign/protocol';
import { createHash } from 'node:crypto';
import { CoordinatorApprovalRpcClient, CoordinatorRpcClient, decodeSignRequest, encodeSignRequest, isTransportFailure, opensslRsaVerify, opensslSigner, opensslVerify } from '@qsign/rpc';
import type { KeyInfo, RequestStatus, SignResponse } from '@qsign/proto';
import { coordinatorTransport, pinOf, pinnedKey, reloadPins, writePin, type ClientConfig, type PinnedKey } from './client-config.js';

/** What to sign. */
export interface SignInput {
  keyName: string;
  kind: PayloadKind;
  data: Uint8Array;
  openpgp?: OpenPgpParams;
  claims?: FileClaims;
}

/** A client of one coordinator, or of several with failover. */
export class QsignClient {
  readonly #rpcs: CoordinatorRpcClient[];
  /** Index of the coordinator in use (the last one that answered). */
  #current = 0;
  /** The client key in OpenSSL, made on first use (request signing, byte-identical to noble). */
  #signer?: ReturnType<typeof opensslSigner>;
  constructor(
    private readonly config: ClientConfig,
    /** Hears each failover ("coordinator A unreachable, trying B"). */
    private readonly onFailover: (msg: string) => void = () => undefined,
  ) {
    this.#rpcs = (config.coordinators ?? [config.coordinator]).map((a) => new CoordinatorRpcClient(a, coordinatorTransport(config)));
  }

  /** The address of the coordinator in use. */
  get coordinator(): string {
    return this.#rpcs[this.#current]!.address;
  }

  /**
   * Runs `call` on the coordinator in use; if that coordinator is unreachable
   * or silent (a transport failure, not an error it returned), on the next
   * ones in turn. The one that answers stays in use.
   */
  async #failover<T>(call: (rpc: CoordinatorRpcClient) => Promise<T>): Promise<T> {
    let last: unknown;
    for (let i = 0; i < this.#rpcs.length; i++) {
      const at = (this.#current + i) % this.#rpcs.length;
      try {
        const out = await call(this.#rpcs[at]!);
        this.#current = at;
        return out;
      } catch (e) {
        if (!isTransportFailure(e)) throw e;
        last = e;
        if (this.#rpcs.length > 1) this.onFailover(`${errorMessage(e)}; ${i + 1 < this.#rpcs.length ? `trying coordinator ${this.#rpcs[(at + 1) % this.#rpcs.length]!.address}` : 'no coordinator left to try'}`);
      }
    }
    throw last;
  }

  /** Builds the signed request for `input` (exposed for tests that tamper with it). */
  buildRequest(input: SignInput, overrides: Partial<SignRequest> = {}) {
    const pin = this.config.keys.get(input.keyName);
    const req: SignRequest = {
      expectedGroupKey: pin ? hexToBytes(pin.groupPublicKey) : undefined,
      requestId: newRequestId(),
      keyName: input.keyName,
      createdAtMs: Date.now(),
      kind: input.kind,
      data: input.data,
      openpgp: input.openpgp,
      claims: input.claims,
      clientName: this.config.clientName,
      ...overrides,
    };
    this.#signer ??= opensslSigner(this.config.secretKey);
    return signRequestBody(encodeSignRequest(req), this.config.secretKey, this.#signer);
  }

  /**
   * Signs through the cluster; the signature is verified against the group
   * key before it is returned. While the call waits (nodes holding the request
   * for their operators), the coordinator is polled and `onStatus` hears each
   * change of who holds it.
   */
  async sign(input: SignInput, timeoutMs?: number, onStatus?: (s: RequestStatus) => void): Promise<SignResponse & { groupPublicKey: Uint8Array }> {
    const groupPublicKey = hexToBytes((await this.pinned(input.keyName)).groupPublicKey);
    const signed = this.buildRequest(input);
    const stopWatch = onStatus ? this.#watch(decodeSignRequest(signed.body).requestId, onStatus) : () => undefined;
    let res: SignResponse;
    try {
      res = await this.#failover((rpc) => rpc.sign(signed, timeoutMs));
    } finally {
      stopWatch();
    }
    // A 32-byte pin is an Ed25519 group key; anything else is an RSA key's MPI(n) ‖ MPI(e), whose message is a digest.
    const rsa = groupPublicKey.length !== 32;
    const verified = rsa ? opensslRsaVerify(res.signature, res.message, groupPublicKey) : res.signature.length === 64 && opensslVerify(res.signature, res.message, groupPublicKey);
    if (!verified)
      throw new QsignError('KEY_MISMATCH', `the coordinator returned a signature that does not verify under the pinned key of ${input.keyName} (${bytesToHex(groupPublicKey).slice(0, 64)})`);
    const expected = rsa ? createHash('sha256').update(input.data).digest() : input.data;
    if (input.kind === 'raw' && Buffer.compare(Buffer.from(res.message), Buffer.from(expected)) !== 0)
      throw new QsignError('SIGNING_FAILED', 'the coordinator signed a different message');
    return { ...res, groupPublicKey };
  }

  /** Polls GetRequestStatus every second; reports when the held/refused sets change. */
  #watch(requestId: string, onStatus: (s: RequestStatus) => void): () => void {
    const rpc = new CoordinatorApprovalRpcClient(this.coordinator, coordinatorTransport(this.config));
    let last = '';
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      rpc.getRequestStatus(requestId, 2000).then(
        (s) => {
          busy = false;
          const sig = `${s.state}|${s.held.map((h) => h.nodeId).join(',')}|${s.refused.map((r) => r.nodeId).join(',')}`;
          if (sig !== last && s.state === 'waiting') onStatus(s);
          last = sig;
        },
        () => {
          busy = false;
        },
      );
    }, 1000);
    timer.unref();
    return () => {
      clearInterval(timer);
      rpc.close();
    };
  }

  readonly #keys = new Map<string, KeyInfo>();
  /**
   * The public record of a key (cached), checked against the pinned key: the
   * coordinator's group key and creation time must give the pinned key and
   * fingerprint (KEY_MISMATCH otherwise; UNTRUSTED_KEY if the key is not pinned).
   */
  async key(name: string): Promise<KeyInfo> {
    let k = this.#keys.get(name);
    if (!k) {
      const pin = await this.pinned(name);
      k = await this.#failover((rpc) => rpc.getKey(name));
      const got = pinOf(k.groupPublicKey, keyFingerprint(k));
      if (got.groupPublicKey !== pin.groupPublicKey || got.fingerprint !== pin.fingerprint)
        throw new QsignError(
          'KEY_MISMATCH',
          `the coordinator's record of key ${name} (group key ${got.groupPublicKey}, fingerprint ${got.fingerprint.toUpperCase()}) is not the pinned key (group key ${pin.groupPublicKey}, fingerprint ${pin.fingerprint.toUpperCase()}): a substituted key; not using it`,
        );
      this.#keys.set(name, k);
    }
    return k;
  }

  /**
   * The key's OpenPGP certificate, checked against the pinned key (its public
   * key, creation time and a self-signature that verifies under the pinned
   * group key, as nodes check it; an RSA key's imported certificate keeps gpg's
   * layout and needs one verifying user ID certification); undefined if the cluster holds none yet.
   */
  async certificate(name: string): Promise<Uint8Array | undefined> {
    const info = await this.key(name);
    if (info.certificate.length === 0) return undefined;
    const pin = await this.pinned(name);
    let problem: string | undefined;
    try {
      const pinnedKey = { groupPublicKey: hexToBytes(pin.groupPublicKey), createdUnixSeconds: info.createdUnixSeconds, scheme: info.scheme };
      if (isRsaKey(info)) problem = rsaCertificateProblem(info.certificate, { ...pinnedKey, userId: info.userId });
      else {
        const key = { ...pinnedKey, userId: parseCertificate(info.certificate).userIds[0] ?? '' };
        problem = readSubkeys(info.certificate).length ? windowedCertificateProblem(info.certificate, key) : certificateProblem(info.certificate, key);
      }
    } catch (e) {
      problem = `certificate does not parse: ${errorMessage(e)}`;
    }
    if (problem) throw new QsignError('KEY_MISMATCH', `the certificate of key ${name} from the coordinator is not the pinned key's: ${problem}; not using it`);
    return info.certificate;
  }

  /** Every key the client config pins, by name (pins another process wrote since are read first). */
  pinnedKeys(): ReadonlyMap<string, PinnedKey> {
    reloadPins(this.config);
    return this.config.keys;
  }

  /** Where the pins live, for messages: the config file, or "the client config". */
  get configName(): string {
    return this.config.path ?? 'the client config';
  }

  /**
   * The pinned key `name`. A key not pinned yet is pinned here only if the
   * config says `trustNewKeys` (after {@link trust}); otherwise UNTRUSTED_KEY.
   */
  async pinned(name: string): Promise<PinnedKey> {
    if (!this.config.keys.has(name)) {
      reloadPins(this.config); // another process (qsign trust, keygen) may have pinned it since
      if (!this.config.keys.has(name)) {
        await this.#failover((rpc) => rpc.getKey(name)); // UNKNOWN_KEY says more than "not pinned" (and Copr creates the key on it)
        if (this.config.trustNewKeys) await this.trust(name);
      }
    }
    return pinnedKey(this.config, name);
  }

  /**
   * Asks every node (through the coordinator) to attest key `name` for a
   * fresh challenge, verifies each attestation against the node identities
   * the config pins, and pins the key only when at least `trustThreshold`
   * (and at least the key's threshold) attest the same key and none attests
   * another (UNTRUSTED_KEY otherwise). A key already pinned must match.
   */
  async trust(name: string, opts: { needed?: number } = {}): Promise<AttestedKey> {
    const attested = await this.attested(name, opts.needed ?? this.config.trustThreshold);
    const pin = { groupPublicKey: attested.groupPublicKey, fingerprint: attested.fingerprint };
    const old = this.config.keys.get(name);
    if (old && (old.groupPublicKey !== pin.groupPublicKey || old.fingerprint !== pin.fingerprint))
      throw new QsignError('KEY_MISMATCH', `nodes attest key ${name} as ${pin.groupPublicKey} (fingerprint ${pin.fingerprint.toUpperCase()}), but ${this.config.path ?? 'the client config'} pins ${old.groupPublicKey}: not changing the pin (remove it by hand if the key was really replaced)`);
    writePin(this.config, name, pin);
    this.#keys.delete(name);
    return attested;
  }

  /** The key at least `needed` pinned nodes attest for a fresh challenge (pins nothing). */
  async attested(name: string, needed: number): Promise<AttestedKey> {
    if (this.config.nodes.length === 0)
      throw new QsignError('UNTRUSTED_KEY', `${this.config.path ?? 'the client config'} pins no node identities ("nodes": [{id, verifierKey}]), so no attestation of key ${name} can be checked`);
    const challenge = new Uint8Array(randomBytes(32));
    const res = await this.#failover((rpc) => rpc.attestKey(name, challenge, 15_000));
    const statements: KeyStatement[] = [];
    const problems: string[] = [...res.refusals];
    for (const a of res.attestations) {
      const node = this.config.nodes.find((n) => n.id === a.nodeId);
      if (!node) {
        problems.push(`node ${a.nodeId}: not a pinned node`);
        continue;
      }
      if (statements.some((s) => s.nodeId === a.nodeId)) continue;
      try {
        statements.push(openKeyAttestation(a, node.publicKey, { nodeId: node.id, keyName: name, challenge }));
      } catch (e) {
        throw new QsignError('UNTRUSTED_KEY', `not trusting key ${name}: ${errorMessage(e)} (a forged or substituted attestation)`);
      }
    }
    // Unknown only if every node that answered said so (by code; a node that is not pinned or unreachable is another story).
    if (statements.length === 0 && problems.length > 0 && problems.length === res.refusals.length && res.refusalCodes.length === res.refusals.length && res.refusalCodes.every((c) => c === 'UNKNOWN_KEY'))
      throw new QsignError('UNKNOWN_KEY', `unknown key ${name}`);
    try {
      return agreedKey(statements, needed);
    } catch (e) {
      throw new QsignError('UNTRUSTED_KEY', `not trusting key ${name}: ${errorMessage(e)}${problems.length ? ` (${problems.join('; ')})` : ''}`);
    }
  }

  /** Offers a key's certificate to the nodes holding the key (each verifies it) and forgets the cached key record. */
  async putCertificate(keyName: string, certificate: Uint8Array) {
    const res = await this.#failover((rpc) => rpc.putCertificate(keyName, certificate, 30_000));
    this.#keys.delete(keyName);
    return res;
  }

  /** Cluster health as the coordinator sees it. */
  status() {
    return this.#failover((rpc) => rpc.clusterStatus());
  }

  close(): void {
    for (const r of this.#rpcs) r.close();
  }
}

/** SHA-256 file claims for audit records. */
export function fileClaims(fileName: string, data: Uint8Array): FileClaims {
  return { fileName, size: data.length, sha256: sha256(data) };
}

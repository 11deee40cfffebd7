/**
 * The qsign client library: builds a request, signs it with the client key,
 * sends it through the coordinator and checks the answer before returning it.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { QsignError, newRequestId, signRequestBody, type FileClaims, type OpenPgpParams, type PayloadKind, type SignRequest } from '@qsign/protocol';
import { CoordinatorApprovalRpcClient, CoordinatorRpcClient, decodeSignRequest, encodeSignRequest, opensslVerify } from '@qsign/rpc';
import type { KeyInfo, RequestStatus, SignResponse } from '@qsign/proto';
import { coordinatorTransport, type ClientConfig } from './client-config.js';

/** What to sign. */
export interface SignInput {
  keyName: string;
  kind: PayloadKind;
  data: Uint8Array;
  openpgp?: OpenPgpParams;
  claims?: FileClaims;
}

/** A client of one coordinator. */
export class QsignClient {
  readonly #rpc: CoordinatorRpcClient;
  constructor(private readonly config: ClientConfig) {
    this.#rpc = new CoordinatorRpcClient(config.coordinator, coordinatorTransport(config));
  }

  /** Builds the signed request for `input` (exposed for tests that tamper with it). */
  buildRequest(input: SignInput, overrides: Partial<SignRequest> = {}) {
    const req: SignRequest = {
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
    return signRequestBody(encodeSignRequest(req), this.config.secretKey);
  }

  /**
   * Signs through the cluster; the signature is verified against the group
   * key before it is returned. While the call waits (nodes holding the request
   * for their operators), the coordinator is polled and `onStatus` hears each
   * change of who holds it.
   */
  async sign(input: SignInput, timeoutMs?: number, onStatus?: (s: RequestStatus) => void): Promise<SignResponse & { groupPublicKey: Uint8Array }> {
    const signed = this.buildRequest(input);
    const stopWatch = onStatus ? this.#watch(decodeSignRequest(signed.body).requestId, onStatus) : () => undefined;
    let res: SignResponse;
    try {
      res = await this.#rpc.sign(signed, timeoutMs);
    } finally {
      stopWatch();
    }
    const key = await this.key(input.keyName);
    if (!opensslVerify(res.signature, res.message, key.groupPublicKey))
      throw new QsignError('SIGNING_FAILED', 'the coordinator returned a signature that does not verify under the key');
    if (input.kind === 'raw' && Buffer.compare(Buffer.from(res.message), Buffer.from(input.data)) !== 0)
      throw new QsignError('SIGNING_FAILED', 'the coordinator signed a different message');
    return { ...res, groupPublicKey: key.groupPublicKey };
  }

  /** Polls GetRequestStatus every second; reports when the held/refused sets change. */
  #watch(requestId: string, onStatus: (s: RequestStatus) => void): () => void {
    const rpc = new CoordinatorApprovalRpcClient(this.config.coordinator, coordinatorTransport(this.config));
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
  /** The public record of a key (cached). */
  async key(name: string): Promise<KeyInfo> {
    let k = this.#keys.get(name);
    if (!k) {
      k = await this.#rpc.getKey(name);
      this.#keys.set(name, k);
    }
    return k;
  }

  /** Offers a key's certificate to the nodes holding the key (each verifies it) and forgets the cached key record. */
  async putCertificate(keyName: string, certificate: Uint8Array) {
    const res = await this.#rpc.putCertificate(keyName, certificate, 30_000);
    this.#keys.delete(keyName);
    return res;
  }

  /** Cluster health as the coordinator sees it. */
  status() {
    return this.#rpc.clusterStatus();
  }

  close(): void {
    this.#rpc.close();
  }
}

/** SHA-256 file claims for audit records. */
export function fileClaims(fileName: string, data: Uint8Array): FileClaims {
  return { fileName, size: data.length, sha256: sha256(data) };
}

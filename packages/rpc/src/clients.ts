/**
 * Typed promise clients for the node and coordinator services.
 */
import * as grpc from '@grpc/grpc-js';
import {
  NodeClient,
  CoordinatorClient,
  NodeAdminClient,
  NodeKeysClient,
  CoordinatorKeysClient,
  type PutCertificateResponse,
  NodeApprovalClient,
  type CheckRequestResponse,
  type EndRequestResponse,
  type AdminStatusResponse,
  type ReloadPolicyResponse,
  type NodeStatusResponse,
  type GetCommitmentsResponse,
  type SignShareRequest,
  type SignShareResponse,
  type KeyInfo,
  type KeyAttestation,
  type KeyAttestations,
  type ListKeysResponse,
  type ReadAuditResponse,
  type SignedRequest,
  type SignResponse,
  type ClusterStatusResponse,
} from '@qsign/proto';
import { CHANNEL_OPTIONS, channelCredentials, type TransportSecurity } from './channel.js';
import { callUnary } from './unary.js';

/** Default per-call deadline. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** A node as seen by a coordinator or tool. */
export class NodeRpcClient {
  readonly #c: NodeClient;
  constructor(
    readonly address: string,
    readonly label: string = `node at ${address}`,
    security?: TransportSecurity,
  ) {
    this.security = channelCredentials(security, address);
    this.#c = new NodeClient(address, this.security, CHANNEL_OPTIONS);
  }
  private readonly security: grpc.ChannelCredentials;
  /** Is the channel waiting out a reconnect backoff? Calls fail at once until it dials again (the coordinator redials then). */
  backingOff(): boolean {
    return this.#c.getChannel().getConnectivityState(false) === grpc.connectivityState.TRANSIENT_FAILURE;
  }
  status(timeoutMs = 2000): Promise<NodeStatusResponse> {
    return callUnary(this.#c, this.#c.status, {}, timeoutMs, this.label);
  }
  getCommitments(count: number, coordinatorId: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<GetCommitmentsResponse> {
    return callUnary(this.#c, this.#c.getCommitments, { count, coordinatorId }, timeoutMs, this.label);
  }
  signShare(req: SignShareRequest, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<SignShareResponse> {
    return callUnary(this.#c, this.#c.signShare, req, timeoutMs, this.label);
  }
  getKey(name: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<KeyInfo> {
    return callUnary(this.#c, this.#c.getKey, { name }, timeoutMs, this.label);
  }
  /** Node.AttestKey: the node's statement of key `name`, signed with its identity key. */
  attestKey(name: string, challenge: Uint8Array, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<KeyAttestation> {
    return callUnary(this.#c, this.#c.attestKey, { name, challenge }, timeoutMs, this.label);
  }
  listKeys(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ListKeysResponse> {
    return callUnary(this.#c, this.#c.listKeys, {}, timeoutMs, this.label);
  }
  readAudit(from: number, limit: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ReadAuditResponse> {
    return callUnary(this.#c, this.#c.readAudit, { from, limit }, timeoutMs, this.label);
  }
  setFault(fault: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<unknown> {
    return callUnary(this.#c, this.#c.setFault, { fault }, timeoutMs, this.label);
  }
  /** NodeKeys.PutCertificate: the node verifies the certificate itself before storing it. */
  putCertificate(keyName: string, certificate: Uint8Array, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<PutCertificateResponse> {
    this.#keys ??= new NodeKeysClient(this.address, this.security, CHANNEL_OPTIONS);
    return callUnary(this.#keys, this.#keys.putCertificate, { keyName, certificate }, timeoutMs, this.label);
  }
  #keys: NodeKeysClient | undefined;
  #approval: NodeApprovalClient | undefined;
  /** Would the node sign this request now (ready / held), spending no nonce (NodeApproval service). */
  checkRequest(request: SignedRequest, coordinatorId: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CheckRequestResponse> {
    this.#approval ??= new NodeApprovalClient(this.address, this.security, CHANNEL_OPTIONS);
    return callUnary(this.#approval, this.#approval.checkRequest, { request, coordinatorId }, timeoutMs, this.label);
  }
  /** Tells the node a request is over (signed without it, or abandoned), so its hold ends (NodeApproval service). */
  endRequest(request: SignedRequest, coordinatorId: string, outcome: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<EndRequestResponse> {
    this.#approval ??= new NodeApprovalClient(this.address, this.security, CHANNEL_OPTIONS);
    return callUnary(this.#approval, this.#approval.endRequest, { request, coordinatorId, outcome }, timeoutMs, this.label);
  }
  /** The underlying grpc-js client (tests send raw bytes through it). */
  get raw(): grpc.Client {
    return this.#c;
  }
  close(): void {
    this.#c.close();
    this.#keys?.close();
    this.#approval?.close();
  }
}

/** The coordinator as seen by a client. */
export class CoordinatorRpcClient {
  readonly #c: CoordinatorClient;
  constructor(
    readonly address: string,
    security?: TransportSecurity,
  ) {
    this.security = channelCredentials(security, address);
    this.#c = new CoordinatorClient(address, this.security, CHANNEL_OPTIONS);
  }
  private readonly security: grpc.ChannelCredentials;
  sign(req: SignedRequest, timeoutMs = 60_000): Promise<SignResponse> {
    return callUnary(this.#c, this.#c.sign, req, timeoutMs, `coordinator at ${this.address}`);
  }
  getKey(name: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<KeyInfo> {
    return callUnary(this.#c, this.#c.getKey, { name }, timeoutMs, `coordinator at ${this.address}`);
  }
  /** Coordinator.AttestKey: every reachable node's signed attestation of key `name` (verify each). */
  attestKey(name: string, challenge: Uint8Array, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<KeyAttestations> {
    return callUnary(this.#c, this.#c.attestKey, { name, challenge }, timeoutMs, `coordinator at ${this.address}`);
  }
  clusterStatus(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ClusterStatusResponse> {
    return callUnary(this.#c, this.#c.clusterStatus, {}, timeoutMs, `coordinator at ${this.address}`);
  }
  /** CoordinatorKeys.PutCertificate: offers a key's certificate to every node holding the key. */
  putCertificate(keyName: string, certificate: Uint8Array, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<PutCertificateResponse> {
    this.#keys ??= new CoordinatorKeysClient(this.address, this.security, CHANNEL_OPTIONS);
    return callUnary(this.#keys, this.#keys.putCertificate, { keyName, certificate }, timeoutMs, `coordinator at ${this.address}`);
  }
  #keys: CoordinatorKeysClient | undefined;
  close(): void {
    this.#c.close();
    this.#keys?.close();
  }
}

/** A node's operator interface over its unix socket. */
export class NodeAdminRpcClient {
  readonly #c: NodeAdminClient;
  constructor(readonly socketPath: string) {
    this.#c = new NodeAdminClient(`unix://${socketPath}`, channelCredentials(undefined, `unix://${socketPath}`), CHANNEL_OPTIONS);
  }
  status(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<AdminStatusResponse> {
    return callUnary(this.#c, this.#c.adminStatus, {}, timeoutMs, `node operator socket ${this.socketPath}`);
  }
  /** Asks the node to re-read its config file's policy (audited). */
  reloadPolicy(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ReloadPolicyResponse> {
    return callUnary(this.#c, this.#c.reloadPolicy, {}, timeoutMs, `node operator socket ${this.socketPath}`);
  }
  /** The underlying grpc-js client. */
  get raw(): NodeAdminClient {
    return this.#c;
  }
  close(): void {
    this.#c.close();
  }
}

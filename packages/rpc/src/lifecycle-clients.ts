/**
 * Typed promise clients for the key lifecycle services (lifecycle.proto):
 * NodeSeal on a node's operator socket, NodeKeys on a node, CoordinatorKeys
 * on the coordinator.
 */
import {
  NodeSealClient,
  NodeKeysClient,
  CoordinatorKeysClient,
  type DkgParams,
  type DkgRound1Package,
  type SealedPackage,
  type SignedPlan,
  type ReshareConfirmation,
  type ReshareDealResponse,
  type KeyOutcome,
  type GenerateKeyResponse,
  type ReshareResponse,
} from '@qsign/proto';
import { CHANNEL_OPTIONS, channelCredentials, type TransportSecurity } from './channel.js';
import { callUnary } from './unary.js';
import { DEFAULT_TIMEOUT_MS } from './clients.js';

/** A node's seal/import operator service over its unix socket. */
export class NodeSealRpcClient {
  readonly #c: NodeSealClient;
  constructor(readonly socketPath: string) {
    this.#c = new NodeSealClient(`unix://${socketPath}`, channelCredentials(undefined, `unix://${socketPath}`), CHANNEL_OPTIONS);
  }
  #peer(): string {
    return `node operator socket ${this.socketPath}`;
  }
  unseal(shares: Uint8Array[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ sealed: boolean }> {
    return callUnary(this.#c, this.#c.unseal, { shares }, timeoutMs, this.#peer());
  }
  importShares(files: string[], timeoutMs = 600_000): Promise<{ keys: string[] }> {
    return callUnary(this.#c, this.#c.importShares, { files }, timeoutMs, this.#peer());
  }
  verifyShares(files: string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ keys: string[] }> {
    return callUnary(this.#c, this.#c.verifyShares, { files }, timeoutMs, this.#peer());
  }
  close(): void {
    this.#c.close();
  }
}

/** A node's key lifecycle service, as the coordinator calls it. */
export class NodeKeysRpcClient {
  readonly #c: NodeKeysClient;
  constructor(
    readonly address: string,
    readonly label: string = `node at ${address}`,
    security?: TransportSecurity,
  ) {
    this.#c = new NodeKeysClient(address, channelCredentials(security, address), CHANNEL_OPTIONS);
  }
  dkgRound1(params: DkgParams, authorization: SignedPlan | undefined, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<DkgRound1Package> {
    return callUnary(this.#c, this.#c.dkgRound1, { params, authorization }, timeoutMs, this.label);
  }
  dkgRound2(sessionId: string, round1: DkgRound1Package[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ packages: SealedPackage[] }> {
    return callUnary(this.#c, this.#c.dkgRound2, { sessionId, round1 }, timeoutMs, this.label);
  }
  dkgFinalize(sessionId: string, packages: SealedPackage[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<KeyOutcome> {
    return callUnary(this.#c, this.#c.dkgFinalize, { sessionId, packages }, timeoutMs, this.label);
  }
  dkgConfirm(sessionId: string, groupPublicKey: Uint8Array, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<KeyOutcome> {
    return callUnary(this.#c, this.#c.dkgConfirm, { sessionId, groupPublicKey }, timeoutMs, this.label);
  }
  reshareDeal(plan: SignedPlan, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ReshareDealResponse> {
    return callUnary(this.#c, this.#c.reshareDeal, plan, timeoutMs, this.label);
  }
  reshareReceive(plan: SignedPlan, deals: ReshareDealResponse[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<KeyOutcome> {
    return callUnary(this.#c, this.#c.reshareReceive, { plan, deals }, timeoutMs, this.label);
  }
  reshareRetire(plan: SignedPlan, confirmations: ReshareConfirmation[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<KeyOutcome> {
    return callUnary(this.#c, this.#c.reshareRetire, { plan, confirmations }, timeoutMs, this.label);
  }
  close(): void {
    this.#c.close();
  }
}

/** The coordinator's key service, as a client (CLI, tests) calls it. */
export class CoordinatorKeysRpcClient {
  readonly #c: CoordinatorKeysClient;
  constructor(
    readonly address: string,
    security?: TransportSecurity,
  ) {
    this.#c = new CoordinatorKeysClient(address, channelCredentials(security, address), CHANNEL_OPTIONS);
  }
  /** Asks for a DKG; `authorization` is a keygen request signed by an officer (absent: the coordinator's own keygen client signs). */
  generateKey(keyName: string, userId: string, minSigners = 0, authorization?: SignedPlan, timeoutMs = 120_000, keyType = ''): Promise<GenerateKeyResponse> {
    return callUnary(this.#c, this.#c.generateKey, { keyName, userId, minSigners, authorization, keyType }, timeoutMs, `coordinator at ${this.address}`);
  }
  reshare(plan: SignedPlan, timeoutMs = 120_000): Promise<ReshareResponse> {
    return callUnary(this.#c, this.#c.reshare, plan, timeoutMs, `coordinator at ${this.address}`);
  }
  close(): void {
    this.#c.close();
  }
}

/**
 * Promise clients for the issue-6 services: the coordinator's request status,
 * and a node's operator service on its unix socket.
 */
import {
  CoordinatorApprovalClient,
  NodeOperatorClient,
  type ConsoleLoginResponse,
  type HoldView,
  type ListHoldsResponse,
  type RequestStatus,
} from '@qsign/proto';
import { CHANNEL_OPTIONS, channelCredentials, type TransportSecurity } from './channel.js';
import { callUnary } from './unary.js';

/** The coordinator's approval-status service, as a client polls it. */
export class CoordinatorApprovalRpcClient {
  readonly #c: CoordinatorApprovalClient;
  constructor(
    readonly address: string,
    security?: TransportSecurity,
  ) {
    this.#c = new CoordinatorApprovalClient(address, channelCredentials(security, address), CHANNEL_OPTIONS);
  }
  /** Where request `requestId` stands (held by which nodes, refused by which). */
  getRequestStatus(requestId: string, timeoutMs = 5000): Promise<RequestStatus> {
    return callUnary(this.#c, this.#c.getRequestStatus, { requestId }, timeoutMs, `coordinator at ${this.address}`);
  }
  close(): void {
    this.#c.close();
  }
}

/** A node's operator service (held requests, console login) over its unix socket. */
export class NodeOperatorRpcClient {
  readonly #c: NodeOperatorClient;
  readonly #peer: string;
  constructor(readonly socketPath: string) {
    this.#c = new NodeOperatorClient(`unix://${socketPath}`, channelCredentials(undefined, `unix://${socketPath}`), CHANNEL_OPTIONS);
    this.#peer = `node operator socket ${socketPath}`;
  }
  /** Held requests (pending only unless `all`). */
  listHolds(all = false, timeoutMs = 10_000): Promise<ListHoldsResponse> {
    return callUnary(this.#c, this.#c.listHolds, { all }, timeoutMs, this.#peer);
  }
  /** One held request by id, id prefix or request id. */
  showHold(id: string, timeoutMs = 10_000): Promise<HoldView> {
    return callUnary(this.#c, this.#c.showHold, { id }, timeoutMs, this.#peer);
  }
  /** Approves or denies a held request as `operator`. */
  decideHold(id: string, approve: boolean, note: string, operator: string, timeoutMs = 10_000): Promise<HoldView> {
    return callUnary(this.#c, this.#c.decideHold, { id, approve, note, operator }, timeoutMs, this.#peer);
  }
  /** A one-time web console login token for `operator`. */
  consoleLogin(operator: string, timeoutMs = 10_000): Promise<ConsoleLoginResponse> {
    return callUnary(this.#c, this.#c.consoleLogin, { operator }, timeoutMs, this.#peer);
  }
  close(): void {
    this.#c.close();
  }
}

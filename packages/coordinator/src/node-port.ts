/**
 * The coordinator's view of one node: the calls it makes (implemented by the
 * rpc client, redial-port.ts in the daemon and a fake in the unit tests).
 */
import type { SignedRequest } from '@qsign/protocol';
import type { KeyInfo, NodeStatusResponse, GetCommitmentsResponse, SignShareRequest, SignShareResponse, CheckRequestResponse } from '@qsign/proto';

/** What the coordinator needs from a node (implemented by the rpc client). */
export interface NodePort {
  readonly address: string;
  status(timeoutMs?: number): Promise<NodeStatusResponse>;
  getCommitments(count: number, coordinatorId: string, timeoutMs?: number): Promise<GetCommitmentsResponse>;
  signShare(req: SignShareRequest, timeoutMs?: number): Promise<SignShareResponse>;
  getKey(name: string, timeoutMs?: number): Promise<KeyInfo>;
  attestKey(name: string, challenge: Uint8Array, timeoutMs?: number): Promise<{ nodeId: number; statement: Uint8Array; signature: Uint8Array }>;
  putCertificate(keyName: string, certificate: Uint8Array, timeoutMs?: number): Promise<{ fingerprint: Uint8Array }>;
  /** The names of the keys the node holds (the renewal loop, renewal-loop.ts). */
  listKeys?(timeoutMs?: number): Promise<{ names: string[] }>;
  /** Would the node sign this now (ready / held)? No nonce spent (issue 6). */
  checkRequest?(request: SignedRequest, coordinatorId: string, timeoutMs?: number): Promise<CheckRequestResponse>;
  endRequest?(request: SignedRequest, coordinatorId: string, outcome: string, timeoutMs?: number): Promise<unknown>;
  /** Drops the connection and its reconnect backoff: the next call dials at once (redial-port.ts). */
  redial?(): void;
  close(): void;
}

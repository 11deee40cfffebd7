/**
 * A node connection that can be dropped and dialled again at once. grpc-js
 * backs off between reconnect attempts (up to `grpc.max_reconnect_backoff_ms`,
 * 2 s here) and fails every call at once while it waits, so a restarted node
 * stayed "unreachable" for up to two seconds after it answered (issue 12).
 * The coordinator redials a node marked dead before it probes it (liveness.ts),
 * but only while its channel is backing off: a dial under way (a TLS handshake
 * with a node that is still starting, slow on busy cores) is left to finish,
 * or every probe would start it again and never see it done.
 */
import type { NodePort } from './node-port.js';

/** What a node client offers beyond the NodePort (the rpc NodeRpcClient). */
type NodeClient = Omit<NodePort, 'redial'> & { backingOff?(): boolean };

/** A NodePort over a client made by `dial`, replaced by a fresh one on {@link redial}. */
export class RedialingNodePort implements NodePort {
  #c: NodeClient;
  constructor(private readonly dial: () => NodeClient) {
    this.#c = dial();
  }
  get address(): string {
    return this.#c.address;
  }
  /** If the connection is backing off, closes it (and its backoff): the next call dials at once. */
  redial(): void {
    if (this.#c.backingOff?.() === false) return;
    const old = this.#c;
    this.#c = this.dial();
    old.close();
  }
  status: NodePort['status'] = (...a) => this.#c.status(...a);
  getCommitments: NodePort['getCommitments'] = (...a) => this.#c.getCommitments(...a);
  signShare: NodePort['signShare'] = (...a) => this.#c.signShare(...a);
  getKey: NodePort['getKey'] = (...a) => this.#c.getKey(...a);
  attestKey: NodePort['attestKey'] = (...a) => this.#c.attestKey(...a);
  putCertificate: NodePort['putCertificate'] = (...a) => this.#c.putCertificate(...a);
  checkRequest: NonNullable<NodePort['checkRequest']> = (...a) => this.#c.checkRequest!(...a);
  endRequest: NonNullable<NodePort['endRequest']> = (...a) => this.#c.endRequest!(...a);
  listKeys: NonNullable<NodePort['listKeys']> = (...a) => this.#c.listKeys!(...a);
  close(): void {
    this.#c.close();
  }
}

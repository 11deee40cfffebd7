/**
 * Who may call what on a node, by the identity in the caller's certificate
 * (docs/tls.md). A node serves only identities its config pins:
 *   - the coordinators named in `tls.coordinators`: every node service;
 *   - its `peers` (qsign:node:ID): audit witnessing and reads, Status;
 *   - its `clients` (qsign:client:NAME): audit reads and key lookups
 *     (`qsign audit verify`, crosscheck); never commitments or shares.
 * Anything else — another node posing as the coordinator, an unpinned
 * name, a certificate with no qsign identity — is refused with the reason.
 */
import { describeIdentity, type Authorizer, type PeerIdentity } from '@qsign/rpc';
import type { NodeConfig } from './config.js';

/** Audit service methods that only read. */
const AUDIT_READS = ['GetCheckpoint', 'GetCheckpoints', 'GetRecords', 'GetInclusionProof', 'GetConsistencyProof', 'GetCosignatures', 'GetWitnessed'].map((m) => `/qsign.v1.Audit/${m}`);
/** Node service methods that only read. */
const NODE_READS = ['Status', 'GetKey', 'ListKeys', 'ReadAudit'].map((m) => `/qsign.v1.Node/${m}`);

/** What a peer node may call: witnessing (Cosign) and reads. */
const HEALTH = ['Check', 'Watch'].map((m) => `/grpc.health.v1.Health/${m}`);
const PEER_METHODS = new Set([...AUDIT_READS, ...HEALTH, '/qsign.v1.Audit/Cosign', '/qsign.v1.Node/Status']);
/** What a signing client may call directly on a node: reads only. */
const CLIENT_METHODS = new Set([...AUDIT_READS, ...NODE_READS, ...HEALTH]);

/** The access rule of node `config` (refusals are passed to `onRefused` for the log). */
export function nodeAuthorizer(config: NodeConfig, onRefused: (why: string) => void = () => undefined): Authorizer {
  const coordinators = new Set(config.coordinators);
  const peers = new Set(config.peers.map((p) => String(p.id)));
  const clients = new Set(config.clients.map((c) => c.name));
  const refuse = (why: string) => {
    onRefused(why);
    return why;
  };
  return (method: string, peer: PeerIdentity | undefined) => {
    const who = describeIdentity(peer);
    if (!peer) return refuse(`node ${config.nodeId} refuses ${method}: the client certificate names no qsign identity`);
    switch (peer.role) {
      case 'coordinator':
        return coordinators.has(peer.name) ? undefined : refuse(`node ${config.nodeId} refuses ${who}: not a coordinator it serves (tls.coordinators)`);
      case 'node':
        if (!peers.has(peer.name)) return refuse(`node ${config.nodeId} refuses ${who}: not a pinned peer (peers)`);
        return PEER_METHODS.has(method) ? undefined : refuse(`node ${config.nodeId} refuses ${method} from ${who}: a peer node may only witness and read, only a coordinator may call it`);
      case 'client':
        if (!clients.has(peer.name)) return refuse(`node ${config.nodeId} refuses ${who}: not a configured client (clients)`);
        return CLIENT_METHODS.has(method) ? undefined : refuse(`node ${config.nodeId} refuses ${method} from ${who}: a client may only read; only a coordinator may call it`);
    }
  };
}

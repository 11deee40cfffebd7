/**
 * Whose nonce pool a coordinator call acts on. Under mutual TLS the owner
 * is the coordinator identity in the caller's certificate
 * (qsign:coordinator:NAME, docs/tls.md); a message whose `coordinatorId`
 * names anyone else is refused with PEER_REFUSED and recorded, so a
 * coordinator cannot fill, drain or spend another's pool, or end its holds,
 * by claiming its name. Only the development plaintext mode (loopback)
 * takes the message's id as it is.
 */
import { QsignError, errorMessage } from '@qsign/protocol';
import { refusedEntry } from '@qsign/audit';
import { describeIdentity, type PeerIdentity } from '@qsign/rpc';
import type { NodeStore } from '@qsign/storage';
import { coordinatorIdentity } from './signer.js';

/** The owner a call acts for: `claimed` (the message's coordinatorId) checked against the caller's certificate. */
export type PoolOwnerCheck = (method: string, peer: PeerIdentity | undefined, claimed: string) => Promise<string>;

/**
 * Why `claimed` is not the pool owner `peer` may act for, or undefined.
 * `mtls` is the node's transport; without it (plaintext development mode)
 * every claim stands.
 */
export function poolOwnerProblem(mtls: boolean, peer: PeerIdentity | undefined, claimed: string): string | undefined {
  if (!mtls) return undefined;
  if (peer?.role !== 'coordinator') return `the caller's certificate (${describeIdentity(peer)}) names no coordinator, and only a coordinator owns a nonce pool`;
  if (claimed !== peer.name) return `the message claims coordinator ${JSON.stringify(claimed.slice(0, 64))}, but the caller's certificate is ${describeIdentity(peer)}: a coordinator acts only for its own nonce pool`;
  return undefined;
}

/**
 * The check node `nodeId` runs on GetCommitments, SignShare, CheckRequest
 * and EndRequest: returns the owner (the certificate's name under TLS), or
 * records the refusal (coalesced, by caller) and throws PEER_REFUSED.
 */
export function poolOwnerCheck(store: NodeStore, nodeId: number, mtls: boolean): PoolOwnerCheck {
  return async (method, peer, claimed) => {
    const why = poolOwnerProblem(mtls, peer, claimed);
    if (why === undefined) return coordinatorIdentity(peer?.name ?? claimed);
    const who = peer ? coordinatorIdentity(peer.name) : undefined;
    const reason = `${method} refused: ${why}`;
    try {
      await store.coalesced.append(refusedEntry({ coordinator: who }, 'PEER_REFUSED', reason, { claimedCoordinator: coordinatorIdentity(claimed) }), `coordinator:${who ?? '(no identity)'}`);
    } catch (e) {
      throw new QsignError('AUDIT_WRITE_FAILED', `${reason}; and the refusal could not be recorded: ${errorMessage(e)}`);
    }
    throw new QsignError('PEER_REFUSED', `node ${nodeId}: ${reason}`);
  };
}

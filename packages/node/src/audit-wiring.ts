/**
 * Opens a node's audit side: its identity (created on first start, sealed in
 * the store), the checkpoint notary, the witness for its peers, the domain
 * service the Audit gRPC handlers serve, and the checkpoint publisher.
 */
import { AuditLogService, AuditNotary, Witness, identityVerifierKey, loadOrCreateIdentity, type NodeStore, type SecretMeta } from '@qsign/storage';
import type { TransportSecurity } from '@qsign/rpc';
import type { NodeConfig } from './config.js';
import { CheckpointPublisher } from './audit.js';
import { auditPeers } from './peers.js';

/** The checkpoint origin prefix of node `id`; the identity adds a key-derived suffix. */
export const nodeOriginPrefix = (id: number) => `qsign-node-${id}`;

/** Loads (creating on first use) a node's audit identity and returns its verifier key (offline; `qsign cluster up` uses it). */
export async function nodeVerifierKey(config: NodeConfig, store: SecretMeta): Promise<string> {
  return identityVerifierKey(await loadOrCreateIdentity(store, nodeOriginPrefix(config.nodeId)));
}

/** Wires the audit log of a running node. */
export async function openNodeAudit(config: NodeConfig, store: NodeStore, log: (m: string) => void, security?: TransportSecurity): Promise<{ service: AuditLogService; publisher: CheckpointPublisher }> {
  const identity = await loadOrCreateIdentity(store, nodeOriginPrefix(config.nodeId));
  const notary = await AuditNotary.open(store.audit, identity);
  const damage = store.audit.damage;
  if (damage) log(`AUDIT LOG DAMAGED from index ${damage.firstBadIndex}: ${damage.reason}. This node refuses to sign until an operator investigates; its records stay readable.`);
  const peers = auditPeers(config.peers);
  const witness = new Witness(store.audit, identity, peers);
  const service = new AuditLogService(store.audit, notary, witness);
  log(`audit log ${identity.origin}: ${store.audit.size} records, ${store.audit.checkpointCount} checkpoints, witnessing ${peers.length} peers`);
  return { service, publisher: new CheckpointPublisher(service, peers, log, security) };
}

/**
 * The node config's `peers` list: the other nodes this node knows, one entry
 * per node with what each feature needs of it —
 *   - `enrollmentKey` (X25519, hex): pinned for DKG and reshare; sealed
 *     round-2 shares and sub-shares are only exchanged with pinned keys
 *     (docs/key-lifecycle.md);
 *   - `address` + `verifierKey`: audit witnessing; this node cosigns the
 *     peer's checkpoints and asks it to cosign its own (docs/audit.md).
 * An entry needs at least one of the two; a verifierKey needs an address.
 */
import { parseVerifierKey } from '@qsign/audit';
import { errorMessage } from '@qsign/protocol';
import type { AuditPeer } from './audit.js';

/** One entry of the node config's `peers` list. */
export interface NodePeer {
  /** The peer's node id (its FROST identifier). */
  id: number;
  /** gRPC address "host:port" (needed for audit witnessing). */
  address?: string;
  /** The peer's signed-note log verifier key (audit witnessing). */
  verifierKey?: string;
  /** The peer's X25519 enrollment public key, lowercase hex (DKG/reshare). */
  enrollmentKey?: string;
}

/** Parses `peers: [{id, address?, verifierKey?, enrollmentKey?}]`; `bad(field, why)` throws a config error. */
export function parsePeers(raw: unknown, bad: (field: string, why: string) => never): NodePeer[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) bad('peers', 'must be a list of {id, address, verifierKey, enrollmentKey}');
  const seen = new Set<number>();
  return (raw as unknown[]).map((x, i) => {
    const e = x as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) bad(`peers[${i}]`, 'must be an object {id, address, verifierKey, enrollmentKey}');
    if (typeof e.id !== 'number' || !Number.isInteger(e.id) || e.id < 1 || e.id > 0xffff) bad(`peers[${i}].id`, 'must be an integer 1..65535');
    if (seen.has(e.id as number)) bad(`peers[${i}].id`, `duplicate peer id ${e.id}`);
    seen.add(e.id as number);
    const peer: NodePeer = { id: e.id as number };
    if (e.address !== undefined) {
      if (typeof e.address !== 'string' || !/^[^\s]+:\d+$/.test(e.address)) bad(`peers[${i}].address`, 'must be host:port');
      peer.address = e.address as string;
    }
    if (e.verifierKey !== undefined) {
      if (typeof e.verifierKey !== 'string') bad(`peers[${i}].verifierKey`, 'must be a signed-note verifier key (name+hash+base64)');
      try {
        parseVerifierKey(e.verifierKey as string);
      } catch (err) {
        bad(`peers[${i}].verifierKey`, `not a valid verifier key: ${errorMessage(err)}`);
      }
      if (peer.address === undefined) bad(`peers[${i}].address`, 'is required with verifierKey (the witness is reached there): must be host:port');
      peer.verifierKey = e.verifierKey as string;
    }
    if (e.enrollmentKey !== undefined) {
      if (typeof e.enrollmentKey !== 'string' || !/^[0-9a-f]{64}$/.test(e.enrollmentKey)) bad(`peers[${i}].enrollmentKey`, 'must be a 32-byte X25519 key in lowercase hex');
      peer.enrollmentKey = e.enrollmentKey as string;
    }
    if (peer.verifierKey === undefined && peer.enrollmentKey === undefined)
      bad(`peers[${i}]`, 'needs verifierKey (with address; audit witnessing) or enrollmentKey (DKG/reshare), or both');
    return peer;
  });
}

/** The peers this node witnesses and asks for cosignatures: those with an address and a verifier key. */
export function auditPeers(peers: readonly NodePeer[]): AuditPeer[] {
  return peers.flatMap((p) => (p.verifierKey !== undefined && p.address !== undefined ? [{ id: p.id, address: p.address, verifierKey: p.verifierKey }] : []));
}

/** The pinned enrollment key (hex) of node `id`, if the config pins one. */
export function pinnedEnrollmentKey(peers: readonly NodePeer[], id: number): string | undefined {
  return peers.find((p) => p.id === id)?.enrollmentKey;
}

/**
 * Validation of the node config's optional `peers` list (audit witnessing).
 */
import { parseVerifierKey } from '@qsign/audit';
import { errorMessage } from '@qsign/protocol';
import type { AuditPeer } from './audit.js';

/** Parses `peers: [{id, address, verifierKey}]`; `bad(field, why)` throws a config error. */
export function parsePeers(raw: unknown, bad: (field: string, why: string) => never): AuditPeer[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) bad('peers', 'must be a list of {id, address, verifierKey}');
  const seen = new Set<number>();
  return (raw as unknown[]).map((x, i) => {
    const e = x as Record<string, unknown>;
    if (typeof e?.id !== 'number' || !Number.isInteger(e.id) || e.id < 1 || e.id > 0xffff) bad(`peers[${i}].id`, 'must be an integer 1..65535');
    if (seen.has(e.id as number)) bad(`peers[${i}].id`, `duplicate peer id ${e.id}`);
    seen.add(e.id as number);
    if (typeof e.address !== 'string' || !/^[^\s]+:\d+$/.test(e.address)) bad(`peers[${i}].address`, 'must be host:port');
    if (typeof e.verifierKey !== 'string') bad(`peers[${i}].verifierKey`, 'must be a signed-note verifier key (name+hash+base64)');
    try {
      parseVerifierKey(e.verifierKey as string);
    } catch (err) {
      bad(`peers[${i}].verifierKey`, `not a valid verifier key: ${errorMessage(err)}`);
    }
    return { id: e.id as number, address: e.address as string, verifierKey: e.verifierKey as string };
  });
}

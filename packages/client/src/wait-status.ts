/**
 * How a client says that its request waits for operator approval (qsign sign,
 * qsign rpm sign, and the obs-sign compatible sign).
 */
import type { RequestStatus } from '@qsign/proto';

/** How long signing commands wait for operator approval by default (the approval flow's own deadline is the node's hold expiry). */
export const DEFAULT_APPROVAL_WAIT_SECONDS = 600;

/** One line for a client while its request waits: "waiting for approval from nodes 1, 3, 4 …". */
export function describeWait(s: RequestStatus): string {
  const ids = s.held.map((h) => h.nodeId);
  const parts = [`waiting for approval from node${ids.length === 1 ? '' : 's'} ${ids.join(', ') || '(none)'}`];
  parts.push(`need ${s.needed}, ready ${s.ready.length ? s.ready.join(', ') : 'none'}`);
  if (s.refused.length) parts.push(`refused: ${s.refused.map((r) => r.reason.startsWith(`node ${r.nodeId}`) ? r.reason : `node ${r.nodeId}: ${r.reason}`).join('; ')}`);
  return parts.join(' — ');
}

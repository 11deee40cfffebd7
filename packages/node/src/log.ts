/**
 * The node's logger: JSON lines on stderr (pino) with `daemon` and `nodeId`
 * on every line, and the one line each SignShare call leaves (request id,
 * key, client, coordinator, outcome, time). Nothing secret is ever logged:
 * fields are plain strings and numbers, and SignShare lines carry ids only.
 */
import { daemonLogger, type Log } from '@qsign/rpc';
import type { ShareObserver } from './server.js';

/** The logger of node `nodeId`. */
export function nodeLogger(nodeId: number): Log {
  return daemonLogger({ daemon: 'qsign-node', nodeId });
}

/** Logs how a SignShare call ended (info when a share was released, warn when refused). */
export function shareLogger(log: Log): ShareObserver {
  return (o, seconds) =>
    log(o.code ? `refused a signature share for request ${o.requestId ?? '(undecodable)'}: ${o.code}` : `released a signature share for request ${o.requestId}`, {
      level: o.code ? 'warn' : 'info',
      requestId: o.requestId,
      keyName: o.keyName,
      client: o.client,
      coordinator: o.coordinatorId.slice(0, 64),
      code: o.code,
      ms: Math.round(seconds * 1000),
    });
}

/**
 * The coordinator's logger: JSON lines on stderr (pino) with `daemon` and
 * `coordinatorId` on every line; request-scoped lines carry `requestId`.
 * The coordinator never holds a secret: it logs ids, node numbers and reasons.
 */
import { daemonLogger, type Log } from '@qsign/rpc';

/** The logger of coordinator `coordinatorId`. */
export function coordinatorLogger(coordinatorId: string): Log {
  return daemonLogger({ daemon: 'qsign-coordinator', coordinatorId });
}

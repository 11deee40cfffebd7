/**
 * The coordinator's gRPC adapter: thin handlers over `Coordinator`.
 */
import type { CoordinatorServer } from '@qsign/proto';
import { QsignError, errorMessage } from '@qsign/protocol';
import { unaryHandler } from '@qsign/rpc';
import type { AuditLogService } from '@qsign/storage';
import { decodeSignRequest } from '@qsign/rpc';
import type { Coordinator } from './coordinator.js';
import { signRecorded } from './audit.js';

/** Builds the handlers of the Coordinator service. */
export function coordinatorHandlers(coordinator: Coordinator, log: (m: string) => void, audit?: AuditLogService): CoordinatorServer {
  const internal = (e: unknown) => log(`internal error: ${errorMessage(e)}`);
  return {
    sign: unaryHandler(async (req) => {
      if (req.body.length === 0) throw new QsignError('MALFORMED_REQUEST', 'empty request body');
      const out = audit ? await signRecorded(coordinator, audit, decodeSignRequest, req) : await coordinator.sign(req);
      return {
        signature: out.signature,
        message: out.message,
        signers: out.signers,
        excluded: out.excluded.map((x) => ({ nodeId: x.nodeId, reason: x.reason })),
        requestId: out.requestId,
      };
    }, internal),
    getKey: unaryHandler((req) => coordinator.getKey(req.name), internal),
    clusterStatus: unaryHandler(async () => ({ nodes: coordinator.status() }), internal),
  };
}

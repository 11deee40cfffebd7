/**
 * The coordinator's gRPC adapter: thin handlers over `Coordinator`.
 */
import type { CoordinatorApprovalServer, CoordinatorServer } from '@qsign/proto';
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
    sign: unaryHandler(async (req, call) => {
      if (req.body.length === 0) throw new QsignError('MALFORMED_REQUEST', 'empty request body');
      // Answer a second before the client's deadline, so it hears why (e.g. approvals still pending).
      const d = call.getDeadline();
      const deadlineMs = d instanceof Date ? d.getTime() - 1000 : Number.isFinite(d) ? Number(d) - 1000 : undefined;
      const out = audit ? await signRecorded(coordinator, audit, decodeSignRequest, req, { deadlineMs }) : await coordinator.sign(req, { deadlineMs });
      return {
        signature: out.signature,
        message: out.message,
        signers: out.signers,
        excluded: out.excluded.map((x) => ({ nodeId: x.nodeId, reason: x.reason })),
        requestId: out.requestId,
      };
    }, internal),
    getKey: unaryHandler((req) => coordinator.getKey(req.name), internal),
    attestKey: unaryHandler((req) => coordinator.attestKey(req.name, req.challenge), internal),
    clusterStatus: unaryHandler(async () => ({ nodes: coordinator.status() }), internal),
  };
}

/** Builds the handlers of the CoordinatorApproval service (request status while approvals are awaited). */
export function coordinatorApprovalHandlers(coordinator: Coordinator, log: (m: string) => void): CoordinatorApprovalServer {
  return {
    getRequestStatus: unaryHandler(async (req) => {
      if (!/^[A-Za-z0-9._:-]{1,128}$/.test(req.requestId)) throw new QsignError('INVALID_ARGUMENT', 'not a request id');
      return coordinator.requests.get(req.requestId);
    }, (e) => log(`internal error: ${errorMessage(e)}`)),
  };
}

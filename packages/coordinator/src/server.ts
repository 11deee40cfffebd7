/**
 * The coordinator's gRPC adapter: thin handlers over `Coordinator`.
 */
import type { CoordinatorKeysServer, CoordinatorServer } from '@qsign/proto';
import { QsignError, errorMessage } from '@qsign/protocol';
import { unaryHandler } from '@qsign/rpc';
import type { Coordinator } from './coordinator.js';

/** Builds the handlers of the Coordinator service. */
export function coordinatorHandlers(coordinator: Coordinator, log: (m: string) => void): CoordinatorServer {
  const internal = (e: unknown) => log(`internal error: ${errorMessage(e)}`);
  return {
    sign: unaryHandler(async (req) => {
      if (req.body.length === 0) throw new QsignError('MALFORMED_REQUEST', 'empty request body');
      const out = await coordinator.sign(req);
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

/** Builds the handlers of the CoordinatorKeys service. */
export function coordinatorKeysHandlers(coordinator: Coordinator, log: (m: string) => void): CoordinatorKeysServer {
  const internal = (e: unknown) => log(`internal error: ${errorMessage(e)}`);
  return {
    putCertificate: unaryHandler(async (req) => {
      const out = await coordinator.putCertificate(req.keyName, req.certificate);
      log(`certificate of key ${req.keyName} stored by nodes ${out.storedBy.join(', ')}${out.refusals.length ? `; refused: ${out.refusals.join('; ')}` : ''}`);
      return out;
    }, internal),
  };
}

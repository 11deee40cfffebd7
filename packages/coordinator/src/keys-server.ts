/**
 * The CoordinatorKeys gRPC adapter: thin handlers over `CoordinatorKeys`
 * (DKG key generation, reshare relays) and `Coordinator.putCertificate`
 * (certificates forwarded to every node holding the key).
 */
import type { CoordinatorKeysServer } from '@qsign/proto';
import { QsignError, errorMessage } from '@qsign/protocol';
import { unaryHandler } from '@qsign/rpc';
import type { Coordinator } from './coordinator.js';
import type { CoordinatorKeys } from './keys.js';

/** Builds the CoordinatorKeys handlers. */
export function coordinatorKeysHandlers(coordinator: Coordinator, keys: CoordinatorKeys, log: (m: string) => void): CoordinatorKeysServer {
  const internal = (e: unknown) => log(`keys internal error: ${errorMessage(e)}`);
  return {
    generateKey: unaryHandler(async (req) => {
      if (!req.userId) throw new QsignError('INVALID_ARGUMENT', 'a user id is required');
      return keys.generateKey(req.keyName, req.userId, req.minSigners, req.authorization, req.keyType);
    }, internal),
    reshare: unaryHandler(async (req) => keys.reshare(req), internal),
    putCertificate: unaryHandler(async (req) => {
      const out = await coordinator.putCertificate(req.keyName, req.certificate);
      log(`certificate of key ${req.keyName} stored by nodes ${out.storedBy.join(', ')}${out.refusals.length ? `; refused: ${out.refusals.join('; ')}` : ''}`);
      return out;
    }, internal),
  };
}

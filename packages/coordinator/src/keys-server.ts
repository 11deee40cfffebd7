/**
 * The CoordinatorKeys gRPC adapter: thin handlers over `CoordinatorKeys`.
 */
import type { CoordinatorKeysServer } from '@qsign/proto';
import { QsignError, errorMessage } from '@qsign/protocol';
import { unaryHandler } from '@qsign/rpc';
import type { CoordinatorKeys } from './keys.js';

/** Builds the CoordinatorKeys handlers. */
export function coordinatorKeysHandlers(keys: CoordinatorKeys, log: (m: string) => void): CoordinatorKeysServer {
  const internal = (e: unknown) => log(`keys internal error: ${errorMessage(e)}`);
  return {
    generateKey: unaryHandler(async (req) => {
      if (!req.userId) throw new QsignError('INVALID_ARGUMENT', 'a user id is required');
      return keys.generateKey(req.keyName, req.userId, req.minSigners);
    }, internal),
    reshare: unaryHandler(async (req) => keys.reshare(req), internal),
    setCertificate: unaryHandler(async (req) => keys.setCertificate(req.keyName, req.certificate), internal),
  };
}

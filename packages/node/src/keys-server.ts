/**
 * The node's NodeKeys gRPC adapter: a thin handler over {@link putCertificate}.
 */
import type { NodeKeysServer } from '@qsign/proto';
import { errorMessage } from '@qsign/protocol';
import { unaryHandler } from '@qsign/rpc';
import type { NodeStore } from '@qsign/storage';
import { putCertificate } from './keys.js';

/** Builds the handlers of the NodeKeys service. */
export function nodeKeysHandlers(store: NodeStore, nodeId: number, log: (msg: string) => void): NodeKeysServer {
  const internal = (e: unknown) => log(`internal error: ${errorMessage(e)}`);
  return {
    putCertificate: unaryHandler(async (req) => {
      const fingerprint = await putCertificate(store, nodeId, req.keyName, req.certificate);
      log(`stored the certificate of key ${req.keyName}`);
      return { fingerprint, storedBy: [nodeId], refusals: [] };
    }, internal),
  };
}

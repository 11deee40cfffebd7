/**
 * The message the group signs for a request. Every node derives it itself
 * from the request's data (RFC 9591 §7.7: check what you sign).
 */
import { QsignError } from './errors.js';
import type { SignRequest } from './request.js';

/** Derives the Ed25519 message for a request: raw data for 'raw'. */
export function signingMessage(req: SignRequest): Uint8Array {
  switch (req.kind) {
    case 'raw':
      return req.data;
    default:
      throw new QsignError('UNSUPPORTED_PAYLOAD', `payload kind ${req.kind} is not supported yet`);
  }
}

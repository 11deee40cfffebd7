// Shared test helpers of @qsign/protocol.
import { isQsignError } from '../index.js';

/** The message of the MALFORMED_REQUEST `parse` throws for `input` (a string is UTF-8 encoded); fails if it accepts it or throws anything else. */
export function malformedReason(parse: (b: Uint8Array) => unknown, input: Uint8Array | string): string {
  try {
    parse(typeof input === 'string' ? new TextEncoder().encode(input) : input);
  } catch (e) {
    if (!isQsignError(e, 'MALFORMED_REQUEST')) throw e;
    return e.message;
  }
  throw new Error('was accepted');
}

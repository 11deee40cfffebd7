/** SHA-256 through OpenSSL (`node:crypto`): request bodies, payloads and hold ids on the signing path, console tokens, the policy hash. */
import { createHash } from 'node:crypto';

/** SHA-256 of `b` (a string is hashed as UTF-8), lower-case hex. */
export const sha256Hex = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** SHA-256 through OpenSSL (`node:crypto`): request bodies, payloads and hold ids on the signing path. */
import { createHash } from 'node:crypto';

/** SHA-256 of `b`. */
export const sha256 = (b: Uint8Array | string): Uint8Array => createHash('sha256').update(b).digest();

/** SHA-256 of `b`, lower-case hex. */
export const sha256Hex = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

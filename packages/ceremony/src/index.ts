/**
 * @qsign/ceremony — offline key ceremonies: split a key N-of-M with a trusted
 * dealer (share files encrypted to each node's enrollment key), verify a
 * ceremony directory, recover a key from K shares.
 */
export * from './atomic-dir.js';
export * from './ceremony.js';
export * from './ceremony-split.js';
export * from './ceremony-rsa.js';
export * from './ceremony-verify.js';
export * from './ceremony-recovery.js';
/** K/L threshold parsing, shared with `qsign node init`. */
export { parseKofL } from '@qsign/node';

/**
 * Key types a cluster can create (`qsign keygen --type`, copr-keygen's default type):
 * Ed25519 by dealerless DKG, or RSA-2048/3072/4096 by a dealer node (docs/threshold-rsa.md,
 * "Where the key exists whole"). Pure.
 */
import { QsignError } from './errors.js';

/** Every key type, the default first. */
export const KEY_TYPES = ['ed25519', 'rsa2048', 'rsa3072', 'rsa4096'] as const;

/** A key type name. */
export type KeyType = (typeof KEY_TYPES)[number];

/** The default key type: Ed25519 by DKG. */
export const DEFAULT_KEY_TYPE: KeyType = 'ed25519';

/** True for a known key type name. */
export function isKeyType(v: unknown): v is KeyType {
  return typeof v === 'string' && (KEY_TYPES as readonly string[]).includes(v);
}

/**
 * Reads a key type name; `what` names the setting in the error.
 *
 * @throws QsignError INVALID_ARGUMENT naming the accepted types.
 */
export function parseKeyType(v: unknown, what = 'key type'): KeyType {
  if (isKeyType(v)) return v;
  throw new QsignError('INVALID_ARGUMENT', `${what} ${JSON.stringify(typeof v === 'string' ? v.slice(0, 40) : v)} is not one of ${KEY_TYPES.join(', ')}`);
}

/** The RSA modulus size of an RSA key type, or undefined for Ed25519. */
export function rsaBitsOf(t: KeyType): 2048 | 3072 | 4096 | undefined {
  return t === 'rsa2048' ? 2048 : t === 'rsa3072' ? 3072 : t === 'rsa4096' ? 4096 : undefined;
}

/**
 * Encryption at rest: every secret a node stores (shares, nonces, identity
 * key) is sealed under the node master key with XChaCha20-Poly1305, bound to
 * its database key as associated data, so a value cannot be moved to another
 * slot undetected.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { utf8ToBytes, concatBytes } from '@noble/hashes/utils.js';
import { QsignError } from '@qsign/protocol';

const NONCE_LEN = 24;

/** Seals and opens values under a 32-byte master key. */
export class Sealer {
  readonly #key: Uint8Array;
  constructor(masterKey: Uint8Array) {
    if (masterKey.length !== 32) throw new QsignError('CONFIG', 'node master key must be 32 bytes');
    this.#key = Uint8Array.from(masterKey);
  }
  /** Encrypts `plain` for database slot `slot`. */
  seal(slot: string, plain: Uint8Array): Uint8Array {
    const nonce = randomBytes(NONCE_LEN);
    return concatBytes(nonce, xchacha20poly1305(this.#key, nonce, utf8ToBytes(slot)).encrypt(plain));
  }
  /** Decrypts a sealed value read from slot `slot`; throws STORAGE if it was altered or moved. */
  open(slot: string, sealed: Uint8Array): Uint8Array {
    try {
      return xchacha20poly1305(this.#key, sealed.subarray(0, NONCE_LEN), utf8ToBytes(slot)).decrypt(sealed.subarray(NONCE_LEN));
    } catch {
      throw new QsignError('STORAGE', `sealed value at ${slot} does not open under this node's master key`);
    }
  }
  /** Best-effort wipe of the master key copy. */
  wipe(): void {
    this.#key.fill(0);
  }
}

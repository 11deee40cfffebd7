/**
 * The Ed25519 implementation notes, checkpoints and cosignatures use
 * (RFC 8032). noble's pure-JS code by default; a daemon may install a faster
 * one (OpenSSL through node:crypto) at start-up. Signing is deterministic, so
 * any correct backend gives byte-identical signatures; verification must be
 * RFC 8032 strict (no ZIP-215 leniency).
 */
import { ed25519 } from '@noble/curves/ed25519.js';

/** One Ed25519 implementation: public key of a 32-byte secret key, signing, strict verification. */
export interface Ed25519Backend {
  publicKey(secretKey: Uint8Array): Uint8Array;
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

const noble: Ed25519Backend = {
  publicKey: (secretKey) => ed25519.getPublicKey(secretKey),
  sign: (message, secretKey) => ed25519.sign(message, secretKey),
  verify: (signature, message, publicKey) => ed25519.verify(signature, message, publicKey, { zip215: false }),
};
let current = noble;

/** Installs the Ed25519 backend of this process (e.g. OpenSSL in a daemon); `undefined` restores noble's. */
export function setEd25519Backend(backend: Ed25519Backend | undefined): void {
  current = backend ?? noble;
}

/** The Ed25519 backend in use. */
export function ed25519Backend(): Ed25519Backend {
  return current;
}

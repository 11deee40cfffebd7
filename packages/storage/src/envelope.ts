/**
 * Enrollment envelopes: secrets sent to a node (ceremony share files, DKG
 * round-2 packages, reshare sub-shares) are encrypted to the node's X25519
 * enrollment key (made by `qsign node init`, private part sealed in the
 * node's store). Construction: an ephemeral X25519 key per envelope, and
 * optionally the sender's static enrollment key as well (so the recipient
 * knows who sent it); HKDF-SHA256 over the shared secrets, bound to both
 * public keys; XChaCha20-Poly1305 with associated data that binds the
 * context (key name, identifier, group key, session).
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { QsignError } from '@qsign/protocol';

/** An X25519 enrollment key pair. `secretKey` never leaves its node unsealed. */
export interface EnrollmentKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** An encrypted message to one enrollment key. */
export interface Envelope {
  /** 32-byte ephemeral X25519 public key. */
  ephemeralPublicKey: Uint8Array;
  /** 24-byte XChaCha20 nonce. */
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

const INFO = utf8ToBytes('qsign enrollment envelope v1');

/** Makes a fresh enrollment key pair. */
export function newEnrollmentKey(): EnrollmentKeyPair {
  const secretKey = x25519.utils.randomSecretKey();
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** The public key of an enrollment secret key. */
export function enrollmentPublicKey(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secretKey);
}

/** Parses a 32-byte enrollment public key from hex text (as in DIR/enrollment.pub). */
export function parseEnrollmentPublicKey(text: string, what = 'enrollment public key'): Uint8Array {
  const t = text.trim();
  if (!/^[0-9a-f]{64}$/.test(t)) throw new QsignError('INVALID_ARGUMENT', `${what} must be 32 bytes as 64 lowercase hex characters`);
  return hexToBytes(t);
}

function dh(secret: Uint8Array, pub: Uint8Array): Uint8Array {
  let s: Uint8Array;
  try {
    s = x25519.getSharedSecret(secret, pub);
  } catch {
    throw new QsignError('INVALID_ARGUMENT', 'enrollment public key is not a valid X25519 key');
  }
  if (s.every((b) => b === 0)) throw new QsignError('INVALID_ARGUMENT', 'enrollment public key is a low-order point');
  return s;
}

function envelopeKey(ephemeralShared: Uint8Array, staticShared: Uint8Array | undefined, ephemeralPub: Uint8Array, recipientPub: Uint8Array, senderPub: Uint8Array | undefined): Uint8Array {
  const ikm = staticShared ? concatBytes(ephemeralShared, staticShared) : ephemeralShared;
  const salt = sha256(concatBytes(ephemeralPub, recipientPub, senderPub ?? new Uint8Array(0)));
  const k = hkdf(sha256, ikm, salt, INFO, 32);
  ikm.fill(0);
  return k;
}

/**
 * Encrypts `plain` to `recipientPublicKey` with associated data `aad`. With
 * `senderSecretKey` the recipient can check who sent it ({@link openEnvelope}
 * with the sender's public key).
 */
export function sealEnvelope(recipientPublicKey: Uint8Array, plain: Uint8Array, aad: Uint8Array, senderSecretKey?: Uint8Array): Envelope {
  const eph = x25519.utils.randomSecretKey();
  const ephemeralPublicKey = x25519.getPublicKey(eph);
  const key = envelopeKey(
    dh(eph, recipientPublicKey),
    senderSecretKey ? dh(senderSecretKey, recipientPublicKey) : undefined,
    ephemeralPublicKey,
    recipientPublicKey,
    senderSecretKey ? x25519.getPublicKey(senderSecretKey) : undefined,
  );
  eph.fill(0);
  const nonce = randomBytes(24);
  const ciphertext = xchacha20poly1305(key, nonce, aad).encrypt(plain);
  key.fill(0);
  return { ephemeralPublicKey, nonce, ciphertext };
}

/**
 * Decrypts an envelope with the recipient's enrollment secret key. Throws
 * INVALID_ARGUMENT when it was not made for this key, for this context
 * (`aad`), by `senderPublicKey` (when given), or was altered.
 */
export function openEnvelope(recipientSecretKey: Uint8Array, env: Envelope, aad: Uint8Array, senderPublicKey?: Uint8Array): Uint8Array {
  if (env.ephemeralPublicKey.length !== 32 || env.nonce.length !== 24 || env.ciphertext.length < 16)
    throw new QsignError('INVALID_ARGUMENT', 'malformed envelope (truncated?)');
  const recipientPub = x25519.getPublicKey(recipientSecretKey);
  const key = envelopeKey(
    dh(recipientSecretKey, env.ephemeralPublicKey),
    senderPublicKey ? dh(recipientSecretKey, senderPublicKey) : undefined,
    env.ephemeralPublicKey,
    recipientPub,
    senderPublicKey,
  );
  try {
    return xchacha20poly1305(key, env.nonce, aad).decrypt(env.ciphertext);
  } catch {
    throw new QsignError(
      'INVALID_ARGUMENT',
      'envelope does not decrypt: it was encrypted to a different enrollment key, for another key/identifier, by another sender, or it was altered',
    );
  } finally {
    key.fill(0);
  }
}

/** Envelope as JSON-friendly hex fields. */
export function envelopeToJson(e: Envelope): { ephemeralPublicKey: string; nonce: string; ciphertext: string } {
  return { ephemeralPublicKey: bytesToHex(e.ephemeralPublicKey), nonce: bytesToHex(e.nonce), ciphertext: bytesToHex(e.ciphertext) };
}

/** Parses {@link envelopeToJson} output; throws INVALID_ARGUMENT naming the field. */
export function envelopeFromJson(o: unknown, source = 'envelope'): Envelope {
  const r = (o ?? {}) as Record<string, unknown>;
  const hex = (f: string): Uint8Array => {
    const v = r[f];
    if (typeof v !== 'string' || !/^([0-9a-f]{2})+$/.test(v)) throw new QsignError('INVALID_ARGUMENT', `${source}: ${f} must be lowercase hex (truncated or corrupted file?)`);
    return hexToBytes(v);
  };
  return { ephemeralPublicKey: hex('ephemeralPublicKey'), nonce: hex('nonce'), ciphertext: hex('ciphertext') };
}

/** Importing an unencrypted v4 Ed25519 secret key as GnuPG exports it (RFC 4880 §5.5.3, RFC 9580 §5.5.3). */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesEqual, fromUtf8, Reader } from './bytes.js';
import { check, OpenPgpError } from './errors.js';
import { toBinary } from './armor.js';
import { keyInfo, type KeyInfo } from './certificate.js';
import { readEd25519PublicFields } from './key.js';
import { readMpi, stripLeadingZeros } from './mpi.js';
import { PacketTag, parsePackets, type Packet } from './packet.js';

/** An imported secret key. `seed32` is the RFC 8032 private key: never let it leave the ceremony host. */
export interface SecretKeyMaterial extends KeyInfo {
  /** 32-byte Ed25519 seed (RFC 8032 §5.1.5 private key). */
  seed32: Uint8Array;
}

/**
 * Parses `gpg --export-secret-keys` output (binary or armored) and returns its packets and
 * a reader over the first one, which must be a secret-key packet (RFC 9580 §5.5.1.3).
 */
export function openSecretKey(input: Uint8Array | string): { packets: Packet[]; reader: Reader } {
  const packets = parsePackets(toBinary(input, 'PRIVATE KEY BLOCK'));
  const first = packets[0]!;
  if (first.tag === PacketTag.PublicKey) throw new OpenPgpError('INVALID_ARGUMENT', 'this is a public key, not a secret key');
  check(first.tag === PacketTag.SecretKey, 'MALFORMED', `a secret key starts with a secret-key packet (5), got tag ${first.tag}`);
  return { packets, reader: new Reader(first.body, 'secret-key packet') };
}

/**
 * Reads the secret part after the public fields of an unprotected key (RFC 4880 §5.5.3):
 * S2K usage 0, `count` MPIs, then the two-octet sum of their bytes; nothing may follow.
 *
 * @throws OpenPgpError ENCRYPTED_KEY (usage ≠ 0), BAD_CHECKSUM, MALFORMED, TRUNCATED.
 */
export function readUnprotectedSecret(r: Reader, count: number): Uint8Array[] {
  const usage = r.u8();
  if (usage !== 0) {
    throw new OpenPgpError(
      'ENCRYPTED_KEY',
      `the secret key is protected (S2K usage ${usage}); export it without a passphrase (gpg --passwd, empty passphrase) or it is a card/stub key`,
    );
  }
  const secretStart = r.pos;
  const mpis: Uint8Array[] = [];
  for (let i = 0; i < count; i++) mpis.push(readMpi(r));
  let sum = 0;
  for (let i = secretStart; i < r.pos; i++) sum = (sum + r.bytes[i]!) & 0xffff;
  const checksum = r.u16();
  check(r.remaining === 0, 'MALFORMED', 'trailing bytes in the secret-key packet');
  check(sum === checksum, 'BAD_CHECKSUM', 'secret-key checksum mismatch');
  return mpis;
}

/**
 * Parses `gpg --export-secret-keys` output (binary or armored) for a key created
 * without a passphrase: the first packet must be a v4 secret-key packet, EdDSALegacy
 * on Ed25519, S2K usage 0, secret MPI = the seed, followed by the two-octet checksum
 * (RFC 4880 §5.5.3). The seed must reproduce the public key.
 *
 * @throws OpenPgpError ENCRYPTED_KEY for passphrase-protected or stub keys,
 *   BAD_CHECKSUM, KEY_MISMATCH, UNSUPPORTED_*, MALFORMED, TRUNCATED.
 */
export function parseSecretKey(input: Uint8Array | string): SecretKeyMaterial {
  const { packets, reader: r } = openSecretKey(input);
  const pub = readEd25519PublicFields(r);
  const [mpi] = readUnprotectedSecret(r, 1);
  const v = stripLeadingZeros(mpi);
  check(v.length <= 32, 'MALFORMED', 'Ed25519 secret longer than 32 bytes');
  const seed32 = new Uint8Array(32);
  seed32.set(v, 32 - v.length);
  check(bytesEqual(ed25519.getPublicKey(seed32), pub.publicKey32), 'KEY_MISMATCH', 'the secret seed does not match the public key');
  const userIds = packets.filter((p) => p.tag === PacketTag.UserId).map((p) => fromUtf8(p.body));
  return { ...keyInfo(pub.publicKey32, pub.createdUnixSeconds, pub.publicBody, userIds), seed32 };
}

/** v4 EdDSALegacy (Ed25519) public keys, fingerprints and key IDs (RFC 4880 §5.5.2, §12.2; RFC 9580 §5.5.2, §5.5.4). */
import { sha1 } from '@noble/hashes/legacy.js';
import { bytesEqual, concat, expectBytes, expectTime, Reader, u16, u32 } from './bytes.js';
import { check } from './errors.js';
import { encodeMpi, readMpi } from './mpi.js';
import { encodePacket, PacketTag } from './packet.js';

/** Public-key algorithm 22, EdDSALegacy (RFC 9580 §9.1). */
export const EDDSA_LEGACY = 22;

/** DER OID body of Ed25519Legacy, 1.3.6.1.4.1.11591.15.1 (RFC 9580 §9.2). */
export const ED25519_OID = Uint8Array.of(0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01);

/**
 * The body of a v4 public-key packet for an Ed25519 key (RFC 9580 §5.5.2, §5.5.5.5):
 * version 4, creation time, algorithm 22, curve OID, MPI(0x40 || publicKey).
 */
export function publicKeyPacketBody(publicKey32: Uint8Array, createdUnixSeconds: number): Uint8Array {
  expectBytes(publicKey32, 32, 'publicKey');
  expectTime(createdUnixSeconds, 'createdUnixSeconds');
  return concat(
    Uint8Array.of(4),
    u32(createdUnixSeconds),
    Uint8Array.of(EDDSA_LEGACY, ED25519_OID.length),
    ED25519_OID,
    encodeMpi(concat(Uint8Array.of(0x40), publicKey32)),
  );
}

/**
 * A complete v4 public-key packet (tag 6, new-format header) for an Ed25519 key
 * (RFC 9580 §5.5.1.1, §5.5.2).
 *
 * @example const pkt = publicKeyPacket(ed25519.getPublicKey(sk), 1700000000);
 */
export function publicKeyPacket(publicKey32: Uint8Array, createdUnixSeconds: number): Uint8Array {
  return encodePacket(PacketTag.PublicKey, publicKeyPacketBody(publicKey32, createdUnixSeconds));
}

/**
 * The v4 fingerprint: SHA-1(0x99 || 2-octet length || public-key packet body)
 * (RFC 4880 §12.2, RFC 9580 §5.5.4.2).
 */
export function fingerprint(publicKeyBody: Uint8Array): Uint8Array {
  expectBytes(publicKeyBody, undefined, 'publicKeyBody');
  return sha1(concat(Uint8Array.of(0x99), u16(publicKeyBody.length), publicKeyBody));
}

/** Fingerprint of an Ed25519 key created at `createdUnixSeconds` (RFC 9580 §5.5.4.2). */
export function ed25519Fingerprint(publicKey32: Uint8Array, createdUnixSeconds: number): Uint8Array {
  return fingerprint(publicKeyPacketBody(publicKey32, createdUnixSeconds));
}

/** The v4 key ID: the low 64 bits of the fingerprint (RFC 9580 §5.5.4.2). */
export function keyId(fingerprint20: Uint8Array): Uint8Array {
  expectBytes(fingerprint20, 20, 'fingerprint');
  return fingerprint20.slice(12);
}

/** Reads version (must be 4), creation time and algorithm of a key packet body (RFC 9580 §5.5.2). */
export function readKeyPacketHeader(r: Reader): { start: number; createdUnixSeconds: number; algorithm: number } {
  const start = r.pos;
  const version = r.u8();
  check(version === 4, 'UNSUPPORTED_VERSION', `key packet version ${version}; only v4 is supported`);
  const createdUnixSeconds = r.u32();
  return { start, createdUnixSeconds, algorithm: r.u8() };
}

/** The parsed public part of a v4 Ed25519 key packet. */
export interface Ed25519PublicKeyFields {
  /** Key creation time. */
  createdUnixSeconds: number;
  /** 32-byte Ed25519 public key. */
  publicKey32: Uint8Array;
  /** The public-key body bytes (what the fingerprint hashes). */
  publicBody: Uint8Array;
}

/**
 * Reads the public fields of a v4 key packet body (RFC 9580 §5.5.2) and requires
 * EdDSALegacy on Ed25519; leaves `r` after the public MPI (where secret fields start).
 */
export function readEd25519PublicFields(r: Reader): Ed25519PublicKeyFields {
  const { start, createdUnixSeconds, algorithm: alg } = readKeyPacketHeader(r);
  check(alg === EDDSA_LEGACY, 'UNSUPPORTED_ALGORITHM', `public-key algorithm ${alg}; only EdDSALegacy (22) is supported`);
  const oidLen = r.u8();
  check(oidLen !== 0 && oidLen !== 0xff, 'MALFORMED', `reserved curve OID length ${oidLen}`);
  const oid = r.take(oidLen);
  check(bytesEqual(oid, ED25519_OID), 'UNSUPPORTED_CURVE', 'EdDSALegacy key is not on Ed25519');
  const point = readMpi(r);
  check(point.length === 33 && point[0] === 0x40, 'MALFORMED', 'Ed25519 public point must be 0x40 || 32 bytes');
  return {
    createdUnixSeconds,
    publicKey32: point.slice(1),
    publicBody: r.bytes.slice(start, r.pos),
  };
}

/**
 * A certificate's primary key expiry (RFC 9580 §5.2.3.13: the key expiration time of the
 * newest self-signature, in seconds after the key's creation; absent or 0: never). For
 * `qsign key status` and the cluster's renewal of self-signatures (docs/windows.md
 * "No accidental expiry"). Reads, never verifies: trust decisions belong to the verifier.
 */
import { readU32 } from './bytes.js';
import { check } from './errors.js';
import { toBinary } from './armor.js';
import { PacketTag, parsePackets, encodePacket } from './packet.js';
import { SubpacketType } from './subpacket.js';
import { signatureFieldsOf } from './windowed-certificate.js';

/** What the newest primary self-signature says. */
export interface PrimaryExpiry {
  /** The primary key's creation time. */
  keyCreatedUnixSeconds: number;
  /** Creation time of the newest self-signature (0x10-0x13) over the primary's user ID. */
  selfSignatureCreatedUnixSeconds: number;
  /** Absolute expiry; undefined: the key does not expire. */
  expiresUnixSeconds?: number;
}

/** The primary's expiry by its newest user-ID self-signature (binary or armored certificate). */
export function primaryExpiry(input: Uint8Array | string): PrimaryExpiry {
  const packets = parsePackets(toBinary(input, 'PUBLIC KEY BLOCK'));
  check(packets[0]?.tag === PacketTag.PublicKey && packets[0].body.length >= 5, 'MALFORMED', 'a certificate starts with a public-key packet (6)');
  const keyCreated = readU32(packets[0].body, 1);
  let best: PrimaryExpiry | undefined;
  for (const p of packets.slice(1)) {
    if (p.tag === PacketTag.PublicSubkey) break;
    if (p.tag !== PacketTag.Signature) continue;
    const f = signatureFieldsOf(encodePacket(PacketTag.Signature, p.body));
    if (f.signatureType < 0x10 || f.signatureType > 0x13) continue;
    if (best && f.createdUnixSeconds <= best.selfSignatureCreatedUnixSeconds) continue;
    const ex = f.hashedSubpackets.find((s) => s.type === SubpacketType.KeyExpirationTime && s.body.length === 4);
    const secs = ex ? readU32(ex.body, 0) : 0;
    best = { keyCreatedUnixSeconds: keyCreated, selfSignatureCreatedUnixSeconds: f.createdUnixSeconds, ...(secs > 0 && { expiresUnixSeconds: keyCreated + secs }) };
  }
  check(best !== undefined, 'MALFORMED', 'the certificate has no self-signature over its user ID');
  return best;
}

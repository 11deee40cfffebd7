/**
 * Certificates with signing subkeys (RFC 9580 §10.1.1), laid out so that every reader
 * qsign's clients use imports them:
 *
 * - rpm's internal parser (rpm 4.18 rpmio/rpmpgp_internal.c) requires the packet right
 *   after each subkey to be a subkey binding (0x18) that verifies under the primary
 *   (pgpPrtParams: "subkeys must be followed by binding signature"; anything else fails the
 *   whole import), and keeps the subkey only if that binding has the sign flag
 *   (pgpPrtParamsSubkeys). It reads no other signature: expiry and revocations are ignored.
 *   So each subkey is followed by its newest binding, then older bindings and revocations.
 *   For such clients a hard-revoked subkey can only be withdrawn by leaving it out of the
 *   certificate ({@link CertificateLayout.dropHardRevoked}) and replacing the stored copy.
 * - Sequoia (rpm-sequoia, sq) and GnuPG read every signature and pick by time and type.
 */
import { concat, readU32, Reader } from './bytes.js';
import { check } from './errors.js';
import { fingerprint, keyId } from './key.js';
import { keyAlgorithm } from './key-signer.js';
import { encodePacket, PacketTag, parsePackets } from './packet.js';
import { readSignatureFields, type SignatureFields } from './parse-signature.js';
import { toBinary } from './armor.js';
import { SignatureType, userIdBytes } from './signature.js';
import { SubpacketType } from './subpacket.js';
import { isHardRevocation } from './subkey.js';

/** One published subkey: its packet body and the signatures about it. */
export interface PublishedSubkey {
  /** v4 public-key packet body of the subkey. */
  publicKeyBody: Uint8Array;
  /** Its binding signature packets (0x18), any order; the newest is placed first. */
  bindings: readonly Uint8Array[];
  /** Its revocation signature packets (0x28), if any. */
  revocations?: readonly Uint8Array[];
}

/** Inputs of {@link assembleCertificate}. */
export interface CertificateLayout {
  /** v4 public-key packet body of the primary. */
  primaryKeyBody: Uint8Array;
  /** The user ID. */
  userId: string;
  /** Self-signature packets (0x13) of the user ID; newest first is not required. */
  selfSignatures: readonly Uint8Array[];
  /** Every published subkey, in the order they are listed. */
  subkeys: readonly PublishedSubkey[];
  /**
   * Leave hard-revoked subkeys out entirely (default false): the form for rpm's legacy
   * parser, which ignores revocations; every verifier then rejects that subkey's
   * signatures as made by an unknown key.
   */
  dropHardRevoked?: boolean;
}

/** Parsed algorithm-independent fields of one signature packet (RSA or EdDSA). */
export function signatureFieldsOf(packet: Uint8Array): SignatureFields {
  const packets = parsePackets(packet);
  check(packets.length === 1 && packets[0]!.tag === PacketTag.Signature, 'MALFORMED', 'expected exactly one signature packet');
  const body = packets[0]!.body;
  check(body.length > 3, 'TRUNCATED', 'signature packet too short');
  return readSignatureFields(new Reader(body, 'signature packet'), body[2]!, `algorithm ${body[2]}`);
}

/** The reason code of a revocation's reason-for-revocation subpacket; 0 (hard) when absent (RFC 9580 §5.2.3.31). */
export function revocationReasonOf(fields: SignatureFields): number {
  const r = fields.hashedSubpackets.find((s) => s.type === SubpacketType.ReasonForRevocation);
  return r && r.body.length >= 1 ? r.body[0]! : 0;
}

const newestFirst = (list: readonly Uint8Array[]) =>
  list.map((p) => ({ p, t: signatureFieldsOf(p).createdUnixSeconds })).sort((a, b) => b.t - a.t).map((x) => x.p);

/**
 * Assembles the transferable public key: primary, user ID, self-signatures, then per
 * subkey the packet, its newest binding (the one signature rpm 4.18 reads), older
 * bindings, then revocations. Signature types are checked; signatures are not
 * re-verified (they were verified when made).
 *
 * @throws OpenPgpError INVALID_ARGUMENT for a subkey without a binding or a packet of the wrong type.
 */
export function assembleCertificate(layout: CertificateLayout): Uint8Array {
  keyAlgorithm(layout.primaryKeyBody);
  const out: Uint8Array[] = [encodePacket(PacketTag.PublicKey, layout.primaryKeyBody), encodePacket(PacketTag.UserId, userIdBytes(layout.userId))];
  check(layout.selfSignatures.length > 0, 'INVALID_ARGUMENT', 'a certificate needs a self-signature');
  for (const s of layout.selfSignatures) {
    check(signatureFieldsOf(s).signatureType === SignatureType.PositiveCertification, 'INVALID_ARGUMENT', 'self-signatures must be positive certifications (0x13)');
    out.push(s);
  }
  for (const sub of layout.subkeys) {
    keyAlgorithm(sub.publicKeyBody);
    const fpr = fingerprint(sub.publicKeyBody);
    const hex = Array.from(fpr, (b) => b.toString(16).padStart(2, '0')).join('');
    check(sub.bindings.length > 0, 'INVALID_ARGUMENT', `subkey ${hex} has no binding signature`);
    for (const b of sub.bindings) check(signatureFieldsOf(b).signatureType === SignatureType.SubkeyBinding, 'INVALID_ARGUMENT', `subkey ${hex}: bindings must be type 0x18`);
    const revocations = sub.revocations ?? [];
    for (const r of revocations) check(signatureFieldsOf(r).signatureType === SignatureType.SubkeyRevocation, 'INVALID_ARGUMENT', `subkey ${hex}: revocations must be type 0x28`);
    if (layout.dropHardRevoked === true && revocations.some((r) => isHardRevocation(revocationReasonOf(signatureFieldsOf(r))))) continue;
    out.push(encodePacket(PacketTag.PublicSubkey, sub.publicKeyBody), ...newestFirst(sub.bindings), ...revocations);
  }
  return concat(...out);
}

/** What a certificate says about one subkey (signatures are read, not verified). */
export interface SubkeyInfo {
  /** Subkey v4 fingerprint and key ID. */
  fingerprint: Uint8Array;
  keyId: Uint8Array;
  /** Packet body and creation time. */
  publicKeyBody: Uint8Array;
  createdUnixSeconds: number;
  /** From the newest binding: expiry (absolute) if set, and key flags. */
  expiresUnixSeconds?: number;
  keyFlags?: number;
  /** Revocations: time and reason code. */
  revocations: { createdUnixSeconds: number; reason: number; hard: boolean }[];
  /** Every signature packet following the subkey, in order. */
  signatures: Uint8Array[];
}

/**
 * Lists the subkeys of a transferable public key (binary or armored) with their newest
 * binding's expiry and flags and their revocations. For status display and assembly;
 * trust decisions belong to the verifier.
 */
export function readSubkeys(input: Uint8Array | string): SubkeyInfo[] {
  const packets = parsePackets(toBinary(input, 'PUBLIC KEY BLOCK'));
  check(packets[0]?.tag === PacketTag.PublicKey, 'MALFORMED', 'a certificate starts with a public-key packet (6)');
  const out: SubkeyInfo[] = [];
  let newest = -1;
  for (const p of packets.slice(1)) {
    if (p.tag === PacketTag.PublicSubkey) {
      const body = p.body.slice();
      const fpr = fingerprint(body);
      out.push({ fingerprint: fpr, keyId: keyId(fpr), publicKeyBody: body, createdUnixSeconds: readU32(body, 1), revocations: [], signatures: [] });
      newest = -1;
      continue;
    }
    const cur = out[out.length - 1];
    if (p.tag !== PacketTag.Signature || cur === undefined) continue;
    const packet = encodePacket(PacketTag.Signature, p.body);
    cur.signatures.push(packet);
    const f = signatureFieldsOf(packet);
    if (f.signatureType === SignatureType.SubkeyRevocation) {
      const reason = revocationReasonOf(f);
      cur.revocations.push({ createdUnixSeconds: f.createdUnixSeconds, reason, hard: isHardRevocation(reason) });
    } else if (f.signatureType === SignatureType.SubkeyBinding && f.createdUnixSeconds > newest) {
      newest = f.createdUnixSeconds;
      const ex = f.hashedSubpackets.find((s) => s.type === SubpacketType.KeyExpirationTime && s.body.length === 4);
      const secs = ex ? readU32(ex.body, 0) : 0;
      if (secs === 0) delete cur.expiresUnixSeconds;
      else cur.expiresUnixSeconds = cur.createdUnixSeconds + secs;
      if (f.keyFlags !== undefined) cur.keyFlags = f.keyFlags;
    }
  }
  return out;
}

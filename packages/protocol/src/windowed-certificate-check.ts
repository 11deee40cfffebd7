/**
 * What makes an OpenPGP certificate a windowed key's own (docs/windows.md): the primary's
 * public key, its user ID and one or more certification-only self-signatures (0x13, flags
 * 0x11) that verify under it, then for each published subkey its public-subkey packet —
 * one of the key's window subkeys — followed by signatures by the primary over primary ‖
 * subkey (RFC 9580 §5.2.4): binding(s) (0x18) first, as rpm's legacy parser reads only the
 * packet after each subkey, then revocations (0x28). Ed25519 keys. Nodes check a windowed
 * certificate with it before storing it; clients check the one they are served.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  CERTIFY_ONLY_PREFERENCES,
  encodePacket,
  keyHashPrefix,
  PacketTag,
  parsePackets,
  parseSignature,
  publicKeyPacketBody,
  SignatureType,
  v4Digest,
  verifyParsedCertification,
  verifyRawSignature,
} from '@qsign/openpgp';
import { errorMessage } from './errors.js';
import { MAX_CERTIFICATE_BYTES } from './certificate-check.js';
import type { KeyContext } from './message.js';

/** A window subkey as the certificate check needs it. */
export interface WindowSubkey {
  groupPublicKey: Uint8Array;
  createdUnixSeconds: number;
}

/**
 * Why `cert` is not the windowed certificate of `primary` with (some of) `subkeys`, or
 * undefined if it is; without `subkeys` any subkey the primary binds is accepted (clients).
 */
export function windowedCertificateProblem(cert: Uint8Array, primary: KeyContext, subkeys?: readonly WindowSubkey[]): string | undefined {
  if (cert.length === 0 || cert.length > MAX_CERTIFICATE_BYTES) return `certificate must be 1..${MAX_CERTIFICATE_BYTES} bytes`;
  try {
    const packets = parsePackets(cert, { maxBytes: MAX_CERTIFICATE_BYTES, maxPackets: 2048 });
    const primaryBody = publicKeyPacketBody(primary.groupPublicKey, primary.createdUnixSeconds);
    if (packets[0]?.tag !== PacketTag.PublicKey || bytesToHex(packets[0].body) !== bytesToHex(primaryBody)) return "the certificate does not start with the key's own public-key packet";
    if (packets[1]?.tag !== PacketTag.UserId || new TextDecoder().decode(packets[1].body) !== primary.userId) return `the certificate's user ID is not the key's ${JSON.stringify(primary.userId)}`;
    const uid = packets[1].body;
    let i = 2;
    let selfSigs = 0;
    for (; packets[i]?.tag === PacketTag.Signature; i++, selfSigs++) {
      const sig = parseSignature(encodePacket(PacketTag.Signature, packets[i]!.body));
      if (sig.signatureType !== SignatureType.PositiveCertification || sig.keyFlags !== CERTIFY_ONLY_PREFERENCES.keyFlags) return 'a windowed key self-certifies only with certification-only (0x11) positive certifications';
      if (!sig.minimalMpis || sig.hashAlgorithm === 'sha1') return 'a self-signature is not minimal or uses SHA-1';
      if (!verifyParsedCertification(sig, primaryBody, uid, primary.groupPublicKey)) return 'a self-signature does not verify under the key';
    }
    if (!selfSigs) return 'the certificate has no self-signature';
    const known = subkeys && new Set(subkeys.map((s) => bytesToHex(publicKeyPacketBody(s.groupPublicKey, s.createdUnixSeconds))));
    while (i < packets.length) {
      const p = packets[i++]!;
      if (p.tag !== PacketTag.PublicSubkey) return `packet ${i} is a tag-${p.tag} packet where a subkey was expected`;
      if (known && !known.has(bytesToHex(p.body))) return `packet ${i} is not one of the key's window subkeys`;
      let n = 0;
      for (; packets[i]?.tag === PacketTag.Signature; i++, n++) {
        const sig = parseSignature(encodePacket(PacketTag.Signature, packets[i]!.body));
        const allowed = n === 0 ? [SignatureType.SubkeyBinding] : [SignatureType.SubkeyBinding, SignatureType.SubkeyRevocation];
        if (!allowed.includes(sig.signatureType as 0x18)) return `subkey signature ${i + 1} has type 0x${sig.signatureType.toString(16)} (a binding must come first, then bindings or revocations)`;
        const digest = v4Digest(sig.hashAlgorithm, [keyHashPrefix(primaryBody), keyHashPrefix(p.body)], sig.hashedArea);
        if (!verifyRawSignature(primaryBody, sig.hashAlgorithm, digest, sig.signature64)) return `subkey signature ${i + 1} does not verify under the key`;
      }
      if (!n) return `subkey packet ${i} has no binding signature`;
    }
    return undefined;
  } catch (e) {
    return `certificate does not parse: ${errorMessage(e)}`;
  }
}

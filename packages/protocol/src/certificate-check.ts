/**
 * What makes an OpenPGP certificate a key's own (RFC 9580 §10.1, §5.2.4):
 * exactly a public-key, a user-ID and a self-signature packet; the key's
 * public key and creation time; its user ID; a minimal positive
 * certification that verifies under the group key. Nodes check a certificate
 * with it before storing it, and clients check the certificate the
 * coordinator hands them against their pinned key.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { encodePacket, parseCertificate, parsePackets, parseSignature, PacketTag, verifyCertificationPacket } from '@qsign/openpgp';
import { errorMessage } from './errors.js';
import { isRsaKey } from './message.js';
import { verifiedRsaUserIds } from './rsa-certificate-check.js';

/** Largest certificate accepted (ours are ~300 bytes). */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;

/**
 * Why `cert` is not the certificate of `key`, or undefined if it is. For a threshold RSA key
 * (`scheme` 'rsa-shoup': one made on the cluster, certified through the quorum) the same
 * three-packet layout, with an RSA self-certification of the key's own user ID.
 */
export function certificateProblem(cert: Uint8Array, key: { groupPublicKey: Uint8Array; createdUnixSeconds: number; userId: string; scheme?: string }): string | undefined {
  if (cert.length === 0 || cert.length > MAX_CERTIFICATE_BYTES) return `certificate must be 1..${MAX_CERTIFICATE_BYTES} bytes`;
  try {
    const packets = parsePackets(cert, { maxBytes: MAX_CERTIFICATE_BYTES, maxPackets: 16 });
    if (packets.length !== 3 || packets[0]!.tag !== PacketTag.PublicKey || packets[1]!.tag !== PacketTag.UserId || packets[2]!.tag !== PacketTag.Signature)
      return 'certificate must be exactly a public-key, a user ID and a signature packet';
    if (isRsaKey(key)) {
      const uids = verifiedRsaUserIds(cert, key);
      return uids.includes(key.userId) ? undefined : `certificate user ID ${JSON.stringify(uids[0])} is not the key's ${JSON.stringify(key.userId)}`;
    }
    const info = parseCertificate(cert);
    if (bytesToHex(info.publicKey32) !== bytesToHex(key.groupPublicKey)) return 'certificate is for a different public key';
    if (info.createdUnixSeconds !== key.createdUnixSeconds) return `certificate key creation time ${info.createdUnixSeconds} is not the key's ${key.createdUnixSeconds}`;
    if (info.userIds[0] !== key.userId) return `certificate user ID ${JSON.stringify(info.userIds[0])} is not the key's ${JSON.stringify(key.userId)}`;
    const sigPacket = encodePacket(PacketTag.Signature, packets[2]!.body);
    const sig = parseSignature(sigPacket);
    if (sig.signatureType !== 0x13) return `self-signature type 0x${sig.signatureType.toString(16)} is not a positive certification (0x13)`;
    if (!sig.minimalMpis) return 'self-signature MPIs are not minimal (rpm-sequoia would reject it)';
    if (sig.hashAlgorithm === 'sha1') return 'self-signature must not use SHA-1';
    if (!verifyCertificationPacket(sigPacket, info.publicKeyBody, key.userId, key.groupPublicKey)) return 'self-signature does not verify under the group key';
    return undefined;
  } catch (e) {
    return `certificate does not parse: ${errorMessage(e)}`;
  }
}

/**
 * What makes an OpenPGP certificate an RSA key's own (RFC 9580 §10.1, §5.2.4): its
 * primary key packet is the key's (MPI(n) ‖ MPI(e) and creation time, hence its
 * fingerprint), and at least one user ID carries a self-certification that verifies under
 * that key. An imported key's certificate is gpg's, kept as it was (further user IDs,
 * subkeys, other signatures), so unlike {@link certificateProblem} no exact layout is asked for.
 * Clients check the certificate the coordinator hands them with it against their pin.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { PacketTag, parsePackets, parseRsaCertificate, parseRsaSignatureBody, verifyRsaCertification } from '@qsign/openpgp';
import { errorMessage } from './errors.js';
import { MAX_CERTIFICATE_BYTES } from './certificate-check.js';
import { keyPacketBody, type KeyContext } from './message.js';

/** The user IDs of `cert` whose self-certification verifies under the RSA key `key`; throws why `cert` is not the key's. */
export function verifiedRsaUserIds(cert: Uint8Array, key: KeyContext): string[] {
  if (cert.length === 0 || cert.length > MAX_CERTIFICATE_BYTES) throw new Error(`certificate must be 1..${MAX_CERTIFICATE_BYTES} bytes`);
  const info = parseRsaCertificate(cert);
  if (info.createdUnixSeconds !== key.createdUnixSeconds) throw new Error(`certificate key creation time ${info.createdUnixSeconds} is not the key's ${key.createdUnixSeconds}`);
  if (bytesToHex(info.publicKeyBody) !== bytesToHex(keyPacketBody(key))) throw new Error('certificate is for a different public key');
  const verified: string[] = [];
  let uid: { bytes: Uint8Array; text: string } | undefined;
  for (const p of parsePackets(cert, { maxBytes: MAX_CERTIFICATE_BYTES, maxPackets: 256 }).slice(1)) {
    if (p.tag === PacketTag.UserId) uid = { bytes: p.body, text: new TextDecoder().decode(p.body) };
    else if (p.tag !== PacketTag.Signature) uid = undefined; // a subkey or attribute: its signatures are not user ID certifications
    else if (uid && !verified.includes(uid.text)) {
      let sig;
      try {
        sig = parseRsaSignatureBody(p.body);
      } catch {
        continue; // not an RSA signature (a third-party certification by another key type)
      }
      if (sig.signatureType >= 0x10 && sig.signatureType <= 0x13 && verifyRsaCertification(sig, info.publicKeyBody, uid.bytes, info.n, info.e)) verified.push(uid.text);
    }
  }
  if (verified.length === 0) throw new Error('no user ID carries a self-certification that verifies under the group key');
  return verified;
}

/** Why `cert` is not the certificate of the RSA key `key`, or undefined if it is. */
export function rsaCertificateProblem(cert: Uint8Array, key: KeyContext): string | undefined {
  try {
    verifiedRsaUserIds(cert, key);
    return undefined;
  } catch (e) {
    return `certificate does not check out: ${errorMessage(e)}`;
  }
}

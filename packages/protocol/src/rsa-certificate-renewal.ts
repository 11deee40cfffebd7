/**
 * Renewing an RSA key's certificate (docs/windows.md "No accidental expiry", docs/threshold-rsa.md).
 * An imported key's certificate is gpg's and may carry more than the key's own user ID and
 * self-signature: further user IDs, subkeys and their bindings, third-party certifications.
 * A renewal keeps every packet of the stored certificate and replaces exactly one: the newest
 * self-certification of the key's user ID (the one whose key expiration the key goes by,
 * RFC 9580 §5.2.3.13, §10.1.5), by the quorum's new positive certification (0x13) carrying the
 * later expiry. The coordinator builds it with {@link rsaRenewedCertificate}; every node checks
 * it with {@link rsaRenewalProblem} before comparing the expiries (node renewal.ts).
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { encodePacket, PacketTag, parsePackets, parseRsaCertificate, parseRsaSignatureBody, verifyRsaCertification, type Packet } from '@qsign/openpgp';
import { errorMessage } from './errors.js';
import { MAX_CERTIFICATE_BYTES } from './certificate-check.js';
import { rsaCertificateProblem } from './rsa-certificate-check.js';
import type { KeyContext } from './message.js';

const LIMITS = { maxBytes: MAX_CERTIFICATE_BYTES, maxPackets: 256 };
const utf8 = (s: string) => new TextEncoder().encode(s);

/** The newest verified self-certification of `userId` in `cert`: its packet index and creation time. */
function primarySelfSignature(cert: Uint8Array, packets: readonly Packet[], userId: string): { index: number; created: number } | undefined {
  const info = parseRsaCertificate(cert);
  const uid = utf8(userId);
  let inBlock = false;
  let best: { index: number; created: number } | undefined;
  packets.forEach((p, index) => {
    if (index === 0) return;
    if (p.tag === PacketTag.UserId) inBlock = bytesToHex(p.body) === bytesToHex(uid);
    else if (p.tag !== PacketTag.Signature) inBlock = false; // a subkey or attribute: its signatures bind something else
    else if (inBlock) {
      let sig;
      try {
        sig = parseRsaSignatureBody(p.body);
      } catch {
        return; // not an RSA signature (a third-party certification by another key type)
      }
      if (sig.signatureType < 0x10 || sig.signatureType > 0x13 || (best && sig.createdUnixSeconds <= best.created)) return;
      if (verifyRsaCertification(sig, info.publicKeyBody, uid, info.n, info.e)) best = { index, created: sig.createdUnixSeconds };
    }
  });
  return best;
}

/**
 * The renewed certificate: `cert` (the key's stored one) with the newest self-certification of
 * the key's user ID replaced by `signature` (a signature packet), every other packet kept.
 *
 * @throws Error when `cert` has no verified self-certification of the key's user ID.
 */
export function rsaRenewedCertificate(cert: Uint8Array, key: KeyContext, signature: Uint8Array): Uint8Array {
  const packets = parsePackets(cert, LIMITS);
  const [sig] = parsePackets(signature);
  if (!sig || sig.tag !== PacketTag.Signature) throw new Error('the renewal self-signature is not a signature packet');
  const at = primarySelfSignature(cert, packets, key.userId);
  if (!at) throw new Error(`the certificate has no self-certification of ${JSON.stringify(key.userId)} that verifies under the key`);
  return new Uint8Array(Buffer.concat(packets.map((p, i) => encodePacket(p.tag, i === at.index ? sig.body : p.body))));
}

/**
 * Why `cert` is not a renewal of the RSA key's stored certificate `stored` as
 * {@link rsaRenewedCertificate} makes it, or undefined if it is: the key's own certificate,
 * every packet of `stored` kept in place but one, that one the newest verified
 * self-certification of the key's user ID, replaced by a positive certification (0x13, not
 * SHA-1) of that user ID that verifies under the key and is the newest in `cert`. Whether
 * its expiry and date make a renewal is for the caller (node renewal.ts renewalOf).
 */
export function rsaRenewalProblem(stored: Uint8Array, cert: Uint8Array, key: KeyContext): string | undefined {
  const own = rsaCertificateProblem(cert, key);
  if (own) return own;
  try {
    const before = parsePackets(stored, LIMITS);
    const after = parsePackets(cert, LIMITS);
    const keep = 'a renewal keeps every packet of the stored certificate and replaces only the newest self-signature of the key\'s user ID';
    if (after.length !== before.length) return `${keep}; this one has ${after.length} packets, the stored one ${before.length}`;
    const changed = after.flatMap((p, i) => (p.tag === before[i]!.tag && bytesToHex(p.body) === bytesToHex(before[i]!.body) ? [] : [i]));
    if (changed.length !== 1) return `${keep}; this one changes ${changed.length} packets`;
    const i = changed[0]!;
    const old = primarySelfSignature(stored, before, key.userId);
    if (old?.index !== i) return `${keep}; this one changes packet ${i + 1}, which is not that self-signature`;
    if (after[i]!.tag !== PacketTag.Signature) return `${keep}; packet ${i + 1} is no longer a signature`;
    const sig = parseRsaSignatureBody(after[i]!.body);
    if (sig.signatureType !== 0x13) return `the new self-signature's type 0x${sig.signatureType.toString(16)} is not a positive certification (0x13)`;
    if (sig.hashAlgorithm === 'sha1') return 'the new self-signature must not use SHA-1';
    const info = parseRsaCertificate(cert);
    if (!verifyRsaCertification(sig, info.publicKeyBody, utf8(key.userId), info.n, info.e)) return `the new self-signature does not verify under the key as a certification of ${JSON.stringify(key.userId)}`;
    if (primarySelfSignature(cert, after, key.userId)?.index !== i) return `the new self-signature is not the newest self-certification of ${JSON.stringify(key.userId)}`;
    return undefined;
  } catch (e) {
    return `certificate does not parse: ${errorMessage(e)}`;
  }
}

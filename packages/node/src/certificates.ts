/**
 * Certificates a node keeps beside its share (NodeKeys.PutCertificate). The node stores a key's OpenPGP
 * certificate only after checking it itself: exactly public key, user ID and
 * self-signature; the public key and creation time of its own share; the
 * key's own user ID; a minimal positive certification that verifies under the
 * group key. Accepted and refused offers both go to the audit log.
 *
 * Roles (roles.ts): storing a key's first certificate needs no role (the
 * self-signature already took a quorum of nodes), but a stored certificate
 * is replaced only by a renewal (renewal.ts: a newer self-signature with a
 * later expiry, which nodes sign only for a client with the `renew`
 * permission; audited as 'key-renewed'; for an RSA key, whose certificate may be
 * gpg's, one that keeps every other packet, `rsaRenewalProblem`) or, for windowed keys, by one that
 * keeps every packet (window-certificates.ts). Offering the stored certificate again is a no-op.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { QsignError, certificateProblem, isRsaKey, isValidKeyName, keyFingerprint, rsaRenewalProblem } from '@qsign/protocol';
import { windowedCertificateCheck } from './window-certificates.js';
import { certificateStoredEntry, keyRenewedEntry, refusedEntry } from '@qsign/audit';
import { renewalOf } from './renewal.js';
import type { NodeStore } from '@qsign/storage';

export { MAX_CERTIFICATE_BYTES, certificateProblem } from '@qsign/protocol';

/**
 * Verifies and stores a key's certificate with an audit record; refusals are
 * audited too. Returns the key's v4 fingerprint.
 */
export async function putCertificate(store: NodeStore, nodeId: number, keyName: string, cert: Uint8Array): Promise<Uint8Array> {
  const refuse = async (code: 'UNKNOWN_KEY' | 'INVALID_ARGUMENT' | 'POLICY_REFUSED', reason: string): Promise<never> => {
    await store.audit.append(refusedEntry({ keyName: keyName.slice(0, 200) }, code, reason, { action: 'put-certificate' }));
    throw new QsignError(code, `node ${nodeId}: ${reason}`);
  };
  if (!isValidKeyName(keyName)) return refuse('INVALID_ARGUMENT', `not a valid key name: ${JSON.stringify(keyName.slice(0, 80))}`);
  const key = await store.getKey(keyName);
  if (!key) return refuse('UNKNOWN_KEY', `unknown key ${keyName}`);
  const fpr = keyFingerprint(key);
  if (key.certificate && key.certificate === bytesToHex(cert)) return fpr;
  const windowed = await windowedCertificateCheck(store, key, cert);
  // An RSA key's stored certificate may be gpg's (imported): a renewal keeps all its packets.
  const problem = windowed ? windowed.problem : key.certificate && isRsaKey(key) ? rsaRenewalProblem(hexToBytes(key.certificate), cert, key) : certificateProblem(cert, key);
  if (problem) return refuse('INVALID_ARGUMENT', `certificate of key ${keyName} refused: ${problem}`);
  if (key.certificate && !windowed) {
    // A renewal (renewal.ts): the key's quorum re-issued the self-signature with a later expiry.
    const renewal = renewalOf(key, cert);
    if ('problem' in renewal)
      return refuse('POLICY_REFUSED', `key ${keyName} already has a certificate (sha256 ${bytesToHex(sha256(hexToBytes(key.certificate))).slice(0, 16)}…); a certificate change is a lifecycle operation that no client may start, and this is no renewal: ${renewal.problem}`);
    await store.putKey(
      { ...key, fingerprint: bytesToHex(fpr), certificate: bytesToHex(cert) },
      keyRenewedEntry(keyName, bytesToHex(fpr), { certificateSha256: bytesToHex(sha256(cert)), oldExpiresUnixSeconds: renewal.old, newExpiresUnixSeconds: renewal.expires, selfSignatureCreatedUnixSeconds: renewal.created }),
      true,
    );
    return fpr;
  }
  if (key.certificate && !windowed?.replaces)
    return refuse('POLICY_REFUSED', `key ${keyName} already has a certificate (sha256 ${bytesToHex(sha256(hexToBytes(key.certificate))).slice(0, 16)}…); a certificate change is a lifecycle operation that no client may start`);
  await store.putKey(
    { ...key, fingerprint: bytesToHex(fpr), certificate: bytesToHex(cert) },
    certificateStoredEntry(keyName, bytesToHex(fpr), bytesToHex(sha256(cert))),
    true,
  );
  return fpr;
}

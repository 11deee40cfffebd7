/**
 * Certificates a node keeps beside its share (NodeKeys.PutCertificate). The node stores a key's OpenPGP
 * certificate only after checking it itself: exactly public key, user ID and
 * self-signature; the public key and creation time of its own share; the
 * key's own user ID; a minimal positive certification that verifies under the
 * group key. Accepted and refused offers both go to the audit log.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { QsignError, certificateProblem, isValidKeyName, keyFingerprint } from '@qsign/protocol';
import type { AuditEntry, NodeStore } from '@qsign/storage';

export { MAX_CERTIFICATE_BYTES, certificateProblem } from '@qsign/protocol';

/**
 * Verifies and stores a key's certificate with an audit record; refusals are
 * audited too. Returns the key's v4 fingerprint.
 */
export async function putCertificate(store: NodeStore, nodeId: number, keyName: string, cert: Uint8Array): Promise<Uint8Array> {
  const refuse = async (code: 'UNKNOWN_KEY' | 'INVALID_ARGUMENT', reason: string): Promise<never> => {
    const entry: AuditEntry = { event: 'refused', code, reason, keyName: keyName.slice(0, 200), action: 'put-certificate' };
    await store.audit.append(entry);
    throw new QsignError(code, `node ${nodeId}: ${reason}`);
  };
  if (!isValidKeyName(keyName)) return refuse('INVALID_ARGUMENT', `not a valid key name: ${JSON.stringify(keyName.slice(0, 80))}`);
  const key = await store.getKey(keyName);
  if (!key) return refuse('UNKNOWN_KEY', `unknown key ${keyName}`);
  const problem = certificateProblem(cert, key);
  if (problem) return refuse('INVALID_ARGUMENT', `certificate of key ${keyName} refused: ${problem}`);
  const fpr = keyFingerprint(key);
  await store.putKey(
    { ...key, fingerprint: bytesToHex(fpr), certificate: bytesToHex(cert) },
    { event: 'certificate-stored', keyName, keyFingerprint: bytesToHex(fpr), certificateSha256: bytesToHex(sha256(cert)) },
    true,
  );
  return fpr;
}

/**
 * Node.AttestKey (docs/pinning.md): the node states what a key is — name,
 * group public key (and scheme, for RSA), creation time, threshold — and signs the statement with
 * its identity key (the key of its audit log's verifier key, which clients
 * pin). The client's challenge is repeated, so statements cannot be replayed.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { ATTESTATION_CHALLENGE_BYTES, QsignError, isValidKeyName, keyFingerprint, signKeyAttestation, type SignedKeyAttestation } from '@qsign/protocol';
import { loadOrCreateIdentity, type NodeStore } from '@qsign/storage';
import { nodeOriginPrefix } from './audit-wiring.js';

/** Signs a statement of key `name` for the challenge; UNKNOWN_KEY if this node holds no share of it. */
export async function attestKey(nodeId: number, store: NodeStore, name: string, challenge: Uint8Array): Promise<SignedKeyAttestation> {
  if (!isValidKeyName(name)) throw new QsignError('INVALID_ARGUMENT', `not a valid key name: ${JSON.stringify(name.slice(0, 80))}`);
  if (challenge.length < ATTESTATION_CHALLENGE_BYTES.min || challenge.length > ATTESTATION_CHALLENGE_BYTES.max)
    throw new QsignError('INVALID_ARGUMENT', `attestation challenge must be ${ATTESTATION_CHALLENGE_BYTES.min}..${ATTESTATION_CHALLENGE_BYTES.max} bytes`);
  const key = await store.getKey(name);
  if (!key) throw new QsignError('UNKNOWN_KEY', `unknown key ${name}`);
  const identity = await loadOrCreateIdentity(store, nodeOriginPrefix(nodeId));
  try {
    return signKeyAttestation(
      {
        nodeId,
        keyName: key.name,
        groupPublicKey: bytesToHex(key.groupPublicKey),
        createdUnixSeconds: key.createdUnixSeconds,
        fingerprint: bytesToHex(keyFingerprint(key)),
        ...(key.scheme === 'rsa-shoup' && { scheme: key.scheme }),
        minSigners: key.minSigners,
        maxSigners: key.maxSigners,
        challenge: bytesToHex(challenge),
      },
      identity.secretKey,
    );
  } finally {
    identity.secretKey.fill(0);
  }
}

/**
 * A node's check for key rotation (docs/rotation.md), before it signs: a key certifies
 * (0x10) another key's user ID only for its own successor — the key this node holds under
 * `successorKeyName(K)`, made by an officer-signed DKG — and only that successor's own
 * public key and user ID. So a signing client cannot have the old key vouch for a key of
 * its choosing. Each refusal says why (POLICY_REFUSED); the signer audits it.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { publicKeyPacketBody } from '@qsign/openpgp';
import { QsignError, decodeSuccessorCertification, successorKeyName, type SignRequest } from '@qsign/protocol';
import type { NodeStore } from '@qsign/storage';

const refuse = (why: string): never => {
  throw new QsignError('POLICY_REFUSED', why);
};

/** Throws POLICY_REFUSED unless the 0x10 key-binding request `req` certifies `req.keyName`'s successor as this node holds it. */
export async function checkSuccessorCertification(store: Pick<NodeStore, 'getKey'>, req: SignRequest): Promise<void> {
  const d = decodeSuccessorCertification(req.data);
  const name = successorKeyName(req.keyName);
  const k = await store.getKey(name);
  if (!k) return refuse(`key ${req.keyName} certifies only its successor ${name}, which this node does not hold`);
  if ((k.scheme ?? 'frost-ed25519') !== 'frost-ed25519' || bytesToHex(publicKeyPacketBody(k.groupPublicKey, k.createdUnixSeconds)) !== bytesToHex(d.successorBody))
    refuse(`key ${req.keyName} certifies only its successor ${name}; the request names another public key`);
  if (d.userId !== k.userId) refuse(`key ${req.keyName} certifies only its successor's own user ID ${JSON.stringify(k.userId)}`);
}

/**
 * Certificates of windowed keys on a node (docs/windows.md): a key with window subkeys
 * (`PRIMARY+wSTART-END`) gets a certificate with its subkeys, checked with
 * `windowedCertificateProblem` against the subkeys this node holds. It may be replaced,
 * but only by one that keeps every packet of the stored one (new subkeys, renewals and
 * revocations are added; nothing the quorum signed is withdrawn), since every signature
 * in it was made by the key's quorum.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { parsePackets } from '@qsign/openpgp';
import { MAX_CERTIFICATE_BYTES, subkeyKeyName, subkeyPrefix, subkeysOf, windowedCertificateProblem } from '@qsign/protocol';
import type { NodeStore, StoredKey } from '@qsign/storage';

/** The check of a windowed key's certificate: undefined when `key` has no window subkeys here (not windowed). */
export async function windowedCertificateCheck(store: Pick<NodeStore, 'getKey' | 'listKeys'>, key: StoredKey, cert: Uint8Array): Promise<{ problem?: string; replaces: boolean } | undefined> {
  const names = subkeysOf(key.name, await store.listKeys(subkeyPrefix(key.name)));
  if (!names.length) return undefined;
  const subkeys = [];
  for (const s of names) {
    const k = await store.getKey(subkeyKeyName(key.name, s.start, s.end));
    if (k) subkeys.push(k);
  }
  const problem = windowedCertificateProblem(cert, key, subkeys);
  return { ...(problem && { problem }), replaces: !problem && (!key.certificate || keepsEveryPacket(hexToBytes(key.certificate), cert)) };
}

/** True when every packet of `old` is also in `cert`. */
function keepsEveryPacket(old: Uint8Array, cert: Uint8Array): boolean {
  const limits = { maxBytes: MAX_CERTIFICATE_BYTES, maxPackets: 2048 };
  const have = new Set(parsePackets(cert, limits).map((p) => `${p.tag}:${bytesToHex(p.body)}`));
  return parsePackets(old, limits).every((p) => have.has(`${p.tag}:${bytesToHex(p.body)}`));
}

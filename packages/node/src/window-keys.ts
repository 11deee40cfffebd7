/**
 * A node's checks for windowed keys (docs/windows.md), before it signs: a window's
 * subkey (`PRIMARY+wSTART-END`, protocol window-name.ts) signs documents only with a
 * signature creation time inside its window, and only the back-signature for its own
 * primary; a primary with subkeys signs no documents (its subkeys do) and binds or
 * revokes only its own window subkeys, each binding expiring at its window's end; a subkey
 * revoked in the stored certificate signs nothing more; a key certifies another key only as
 * its successor (rotation-keys.ts).
 * Each refusal says why (POLICY_REFUSED); the signer records it in the audit log.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { publicKeyPacketBody, readSubkeys, SignatureType } from '@qsign/openpgp';
import { QsignError, decodeKeyBinding, parseSubkeyName, subkeyKeyName, subkeyPrefix, subkeysOf, type SignRequest } from '@qsign/protocol';
import type { NodeStore } from '@qsign/storage';
import { checkSuccessorCertification } from './rotation-keys.js';

const refuse = (why: string): never => {
  throw new QsignError('POLICY_REFUSED', why);
};

const when = (t: number): string => new Date(t * 1000).toISOString();

/** Throws POLICY_REFUSED when `req` breaks a windowed key's rules; resolves for every other request. */
export async function checkWindowedRequest(store: Pick<NodeStore, 'getKey' | 'listKeys'>, req: SignRequest): Promise<void> {
  const sub = parseSubkeyName(req.keyName);
  const type = req.openpgp?.signatureType;
  if (sub) {
    if (req.kind === 'key-binding') {
      if (type !== SignatureType.PrimaryKeyBinding) refuse(`key ${req.keyName} is a window subkey: of key signatures it makes only the back-signature (0x19) for ${sub.primary}`);
      const primary = await store.getKey(sub.primary);
      if (!primary || bytesToHex(publicKeyPacketBody(primary.groupPublicKey, primary.createdUnixSeconds)) !== bytesToHex(req.data))
        refuse(`key ${req.keyName} back-signs only its own primary key ${sub.primary}`);
      return;
    }
    const t = req.openpgp?.createdUnixSeconds;
    if (req.kind === 'raw' || req.kind === 'certification' || t === undefined) return refuse(`key ${req.keyName} is a window subkey: it makes only OpenPGP document signatures`);
    const own = await store.getKey(req.keyName);
    const revoked = own && (await revocationOf(store, sub.primary, publicKeyPacketBody(own.groupPublicKey, own.createdUnixSeconds)));
    if (revoked) refuse(`key ${req.keyName} was revoked (${revoked}): a revoked window subkey signs nothing more`);
    const created = own?.createdUnixSeconds ?? sub.end;
    if (t < Math.max(sub.start, created) || t >= sub.end)
      refuse(`key ${req.keyName} signs only in its window ${when(Math.max(sub.start, created))} – ${when(sub.end)}; this signature would be dated ${when(t)}`);
    return;
  }
  // Only the primary's own subkey names (PRIMARY+w…): a range scan, not every key the node holds.
  const windows = subkeysOf(req.keyName, await store.listKeys(subkeyPrefix(req.keyName)));
  if (req.kind !== 'key-binding') {
    if (windows.length) refuse(`key ${req.keyName} is a windowed key: its primary only certifies; documents are signed by the subkey of their window`);
    return;
  }
  if (type === SignatureType.PositiveCertification) return;
  if (type === SignatureType.GenericCertification) return checkSuccessorCertification(store, req);
  if (type !== SignatureType.SubkeyBinding && type !== SignatureType.SubkeyRevocation) return refuse(`key ${req.keyName} is not a window subkey: it makes no back-signature`);
  const d = decodeKeyBinding(type, req.data);
  for (const w of windows) {
    const k = await store.getKey(subkeyKeyName(req.keyName, w.start, w.end));
    if (!k || bytesToHex(publicKeyPacketBody(k.groupPublicKey, k.createdUnixSeconds)) !== bytesToHex(d.subkeyBody)) continue;
    if (type === SignatureType.SubkeyBinding && d.expiresUnixSeconds !== w.end)
      refuse(`the binding of ${req.keyName}'s subkey for ${when(w.start)} must expire at its window's end ${when(w.end)}`);
    return;
  }
  refuse(`key ${req.keyName} binds or revokes only its own window subkeys; this node holds no such subkey`);
}

/**
 * Why a DKG of `keyName` must not make a window subkey (`PRIMARY+wSTART-END`): a window that
 * runs backwards or is empty, no primary on this node, or a window that overlaps one of the
 * primary's existing windows (a signature time must belong to exactly one subkey). Undefined
 * for an acceptable subkey and for every other key name.
 */
export async function subkeyDkgProblem(store: Pick<NodeStore, 'getKey' | 'listKeys'>, keyName: string): Promise<string | undefined> {
  if (!/\+w\d+-\d+$/.test(keyName)) return undefined;
  const sub = parseSubkeyName(keyName);
  if (!sub) return `key name ${keyName} names a window that runs backwards or is empty (PRIMARY+wSTART-END needs END after START)`;
  if (!(await store.getKey(sub.primary))) return `there is no primary key ${sub.primary} on this node for the window subkey ${keyName}`;
  const clash = subkeysOf(sub.primary, await store.listKeys()).find((w) => w.start < sub.end && sub.start < w.end);
  if (clash) return `the window ${when(sub.start)} – ${when(sub.end)} of ${keyName} overlaps ${sub.primary}'s existing window ${when(clash.start)} – ${when(clash.end)}: a signature time must belong to one subkey`;
  return undefined;
}

/** The reason code of a revocation of subkey `subkeyBody` in `primary`'s stored certificate, if it has one. */
async function revocationOf(store: Pick<NodeStore, 'getKey'>, primary: string, subkeyBody: Uint8Array): Promise<string | undefined> {
  const cert = (await store.getKey(primary))?.certificate;
  if (!cert) return undefined;
  const hex = bytesToHex(subkeyBody);
  const r = readSubkeys(hexToBytes(cert)).find((s) => bytesToHex(s.publicKeyBody) === hex)?.revocations[0];
  return r && `reason ${r.reason}${r.hard ? ', hard' : ', soft'}, at ${when(r.createdUnixSeconds)}`;
}

/**
 * Windowed keys through the cluster, client side (docs/windows.md): making one (a
 * certification-only primary and one signing subkey per window, each by DKG, bound by
 * threshold binding signatures with threshold back-signatures), and finding the subkey
 * whose window holds a signature's creation time. Windows are laid end to end from the
 * primary's creation time; each subkey is the cluster key `PRIMARY+wSTART-END`, and its
 * binding expires at END, so the schedule can be read back from the certificate alone.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  assembleCertificate,
  ed25519Fingerprint,
  finishSignature,
  publicKeyPacketBody,
  readSubkeys,
  SignatureType,
  type PreparedSignature,
} from '@qsign/openpgp';
import { QsignError, isRsaKey, encodeSubkeyBinding, preparedKeyBinding, signKeygenRequest, subkeyKeyName, type KeyContext, type SignRequest } from '@qsign/protocol';
import type { QsignClient } from './client.js';

/** One published window: its subkey's cluster key name and `[start, end)`. */
export interface PublishedWindow {
  keyName: string;
  start: number;
  end: number;
  /** v4 fingerprint of the subkey, hex. */
  fingerprint: string;
}

/** What {@link makeWindowedKey} needs of the coordinator's key service (the rpc client). */
export interface WindowedKeygenPort {
  generateKey(keyName: string, userId: string, minSigners: number, authorization: ReturnType<typeof signKeygenRequest>): Promise<{ created: boolean; groupPublicKey: Uint8Array; createdUnixSeconds: number }>;
}

/** The windows a windowed key's certificate publishes, oldest first; [] for a key without subkeys. */
export function publishedWindows(primaryName: string, primaryCreated: number, cert: Uint8Array): PublishedWindow[] {
  const subs = readSubkeys(cert)
    .filter((s) => s.expiresUnixSeconds !== undefined)
    .sort((a, b) => a.expiresUnixSeconds! - b.expiresUnixSeconds!);
  let start = primaryCreated;
  return subs.map((s) => {
    const w = { keyName: subkeyKeyName(primaryName, start, s.expiresUnixSeconds!), start, end: s.expiresUnixSeconds!, fingerprint: bytesToHex(s.fingerprint) };
    start = s.expiresUnixSeconds!;
    return w;
  });
}

/**
 * The cluster key that signs for `keyName` at `createdUnixSeconds`: the key itself when it
 * has no windows, else the subkey of the window holding that time (NO_WINDOW if none is
 * published). The subkey is pinned on first use by node attestation and must be the
 * subkey the pinned primary's certificate binds (KEY_MISMATCH otherwise).
 */
export async function signingKeyFor(client: QsignClient, keyName: string, createdUnixSeconds: number): Promise<string> {
  const info = await client.key(keyName);
  if (info.certificate.length === 0 || isRsaKey(info)) return keyName; // windowed keys are Ed25519 keys made by DKG
  const cert = (await client.certificate(keyName))!;
  const windows = publishedWindows(keyName, info.createdUnixSeconds, cert);
  if (!windows.length) return keyName;
  const w = windows.find((x) => x.start <= createdUnixSeconds && createdUnixSeconds < x.end);
  if (!w)
    throw new QsignError('INVALID_ARGUMENT', `key ${keyName} has no subkey for ${new Date(createdUnixSeconds * 1000).toISOString()}: its windows run ${new Date(windows[0]!.start * 1000).toISOString()} – ${new Date(windows.at(-1)!.end * 1000).toISOString()}`);
  await client.pinned(w.keyName).catch(async () => client.trust(w.keyName));
  const sub = await client.key(w.keyName);
  if (bytesToHex(ed25519Fingerprint(sub.groupPublicKey, sub.createdUnixSeconds)) !== w.fingerprint)
    throw new QsignError('KEY_MISMATCH', `the cluster key ${w.keyName} is not the subkey that key ${keyName}'s certificate binds for that window`);
  return w.keyName;
}

/** Options of {@link makeWindowedKey}. */
export interface WindowedKeyOptions {
  keyName: string;
  userId: string;
  /** Signers needed (0: the coordinator's default). */
  threshold: number;
  windowSeconds: number;
  /** Windows made now, the first starting at the primary's creation (default 2: the current one and the next). */
  windows?: number;
  /** Officer key that signs each keygen request. */
  officerSecretKey: Uint8Array;
  /** Progress lines. */
  say?: (m: string) => void;
  /** The primary already exists on the cluster, pinned (a development cluster's dealer-split key): only the subkeys are made by DKG. */
  existingPrimary?: boolean;
}

/** A threshold key signature of a 'key-binding' request, assembled and checked against the digest this client derived. */
export async function keySignature(client: QsignClient, keyName: string, signatureType: number, data: Uint8Array, createdUnixSeconds: number): Promise<Uint8Array> {
  const info = await client.key(keyName);
  const key: KeyContext = { groupPublicKey: info.groupPublicKey, createdUnixSeconds: info.createdUnixSeconds, userId: info.userId };
  const openpgp = { signatureType, hashAlgorithm: 'sha256' as const, createdUnixSeconds };
  const shape: SignRequest = { requestId: 'x', keyName, createdAtMs: 0, kind: 'key-binding', data, openpgp, clientName: '' };
  const prepared: PreparedSignature = preparedKeyBinding(shape, key);
  const res = await client.sign({ keyName, kind: 'key-binding', data, openpgp });
  if (bytesToHex(res.message) !== bytesToHex(prepared.digest)) throw new QsignError('SIGNING_FAILED', 'the cluster signed a different key-signature digest than this client computed');
  return finishSignature(prepared, res.signature);
}

/**
 * Runs an officer-signed DKG for a new key and pins it as the nodes attest it (never as
 * the coordinator reports it). KEY_EXISTS if the name is taken (the cluster decides that
 * atomically), KEY_MISMATCH if the coordinator's report and the attestations differ.
 */
export async function generatePinnedKey(client: QsignClient, keys: WindowedKeygenPort, o: Pick<WindowedKeyOptions, 'keyName' | 'userId' | 'threshold' | 'officerSecretKey'>) {
  const k = await keys.generateKey(o.keyName, o.userId, o.threshold, signKeygenRequest({ keyName: o.keyName, userId: o.userId, minSigners: o.threshold }, o.officerSecretKey));
  if (!k.created) throw new QsignError('KEY_EXISTS', `key ${o.keyName} already exists`);
  const pin = await client.trust(o.keyName);
  if (pin.groupPublicKey !== bytesToHex(k.groupPublicKey)) throw new QsignError('KEY_MISMATCH', `the coordinator reported another group key for ${o.keyName} than the nodes attest`);
  return k;
}

/**
 * Makes windowed key `keyName` on the cluster: the primary by DKG, then one subkey per
 * window by DKG (each pinned by node attestation), a certification-only self-signature,
 * for each subkey its threshold back-signature and the primary's threshold binding
 * (expiring at the window end), and stores the assembled certificate on the nodes.
 * Returns the binary certificate.
 */
export async function makeWindowedKey(client: QsignClient, keys: WindowedKeygenPort, o: WindowedKeyOptions): Promise<{ certificate: Uint8Array; windows: PublishedWindow[] }> {
  const say = o.say ?? (() => undefined);
  const dkg = (name: string, userId: string) => generatePinnedKey(client, keys, { keyName: name, userId, threshold: o.threshold, officerSecretKey: o.officerSecretKey });
  if (!o.existingPrimary) say(`DKG of the certification-only primary ${o.keyName}`);
  const primary = o.existingPrimary ? await client.key(o.keyName) : await dkg(o.keyName, o.userId);
  const primaryBody = publicKeyPacketBody(primary.groupPublicKey, primary.createdUnixSeconds);
  const subkeys = [];
  for (let i = 0; i < (o.windows ?? 2); i++) {
    const start = primary.createdUnixSeconds + i * o.windowSeconds;
    const end = start + o.windowSeconds;
    const name = subkeyKeyName(o.keyName, start, end);
    say(`DKG of the signing subkey for ${new Date(start * 1000).toISOString()} – ${new Date(end * 1000).toISOString()} (${name})`);
    const k = await dkg(name, o.userId);
    subkeys.push({ name, end, body: publicKeyPacketBody(k.groupPublicKey, k.createdUnixSeconds), created: k.createdUnixSeconds });
  }
  const now = Math.max(...subkeys.map((s) => s.created), primary.createdUnixSeconds);
  const uid = new TextEncoder().encode(o.userId);
  const selfSig = await keySignature(client, o.keyName, SignatureType.PositiveCertification, uid, now);
  const published = [];
  for (const s of subkeys) {
    say(`binding ${s.name}: back-signature by the subkey's quorum, binding by the primary's`);
    const back = await keySignature(client, s.name, SignatureType.PrimaryKeyBinding, primaryBody, now);
    const binding = await keySignature(client, o.keyName, SignatureType.SubkeyBinding, encodeSubkeyBinding(s.body, s.end, back), now);
    published.push({ publicKeyBody: s.body, bindings: [binding] });
  }
  const certificate = assembleCertificate({ primaryKeyBody: primaryBody, userId: o.userId, selfSignatures: [selfSig], subkeys: published });
  await client.putCertificate(o.keyName, certificate);
  return { certificate, windows: publishedWindows(o.keyName, primary.createdUnixSeconds, certificate) };
}

/**
 * OpenPGP through the cluster, client side: the client prepares the same v4
 * hashed area every node derives from the request, the cluster signs the
 * digest, and the client assembles and checks the packet. Also the key's
 * self-certification (the cluster certifies its own user ID) and certificate
 * export.
 */
import type { RequestStatus } from '@qsign/proto';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  armor,
  cleartextSignedMessage,
  cleartextSigningInput,
  encodePacket,
  PacketTag,
  prepareSignature,
  RSA_ALGORITHM,
  signPrepared,
  verifySignaturePacket,
  verifyRsaSignaturePacket,
  type HashAlgorithm,
  type PreparedSignature,
} from '@qsign/openpgp';
import { HEADER_MAGIC } from '@qsign/rpm';
import { QSIGN_HINT, QsignError, errorMessage, isRsaKey, keyFingerprint, keyPacketBody, parseRsaGroupPublicKey, preparedOpenPgp, type FileClaims, type KeyContext, type SignRequest } from '@qsign/protocol';
import type { KeyInfo } from '@qsign/proto';
import type { QsignClient } from './client.js';
import { signingKeyFor } from './windowed.js';

/** Options of {@link signOpenPgp}. */
export interface OpenPgpSignOptions {
  /**
   * 'openpgp' (nodes hash the data), 'rpm-header' / 'repomd' / 'container' (nodes
   * also parse it), 'digest' (nodes sign the hash; key must be digest-only).
   */
  kind?: 'openpgp' | 'rpm-header' | 'repomd' | 'container' | 'digest';
  /** 0x00 binary (default) or 0x01 canonical text. */
  signatureType?: 0x00 | 0x01;
  hashAlgorithm?: HashAlgorithm;
  /** Signature creation time (default now). */
  createdUnixSeconds?: number;
  /** File name etc. for the nodes' audit logs (default: SHA-256 and size of the data, no name). */
  claims?: FileClaims;
  /** How long to wait for nodes whose operators must approve (ms; default: the client's RPC deadline). */
  waitMs?: number;
  /** Hears who holds the request while it waits for approval. */
  onStatus?: (s: RequestStatus) => void;
}

/** The signing context of a key as the coordinator reports it (its scheme decides Ed25519 or RSA packets). */
export function keyContext(info: KeyInfo): KeyContext {
  return { groupPublicKey: info.groupPublicKey, createdUnixSeconds: info.createdUnixSeconds, userId: info.userId, ...(info.scheme && { scheme: info.scheme }) };
}

/**
 * The v4 signature packet of `prepared` around the cluster's raw signature — EdDSALegacy
 * (22, r ‖ s) or RSA (1, the PKCS#1 v1.5 value) as the key's scheme says (RFC 9580 §5.2.3) —
 * after checking that signature against the key and the digest this client computed.
 */
export async function assembleSignature(key: KeyContext, prepared: PreparedSignature, signature: Uint8Array): Promise<Uint8Array> {
  try {
    return await signPrepared({ publicKeyBody: keyPacketBody(key), sign: async () => signature }, prepared);
  } catch (e) {
    throw new QsignError('SIGNING_FAILED', `the cluster's signature does not verify under the key (${errorMessage(e)})`, { cause: e });
  }
}

/** True if the document signature `packet` verifies over `data` under the key (Ed25519 or RSA). */
export function verifyDocumentSignature(packet: Uint8Array, data: Uint8Array, key: KeyContext): boolean {
  if (!isRsaKey(key)) return verifySignaturePacket(packet, data, key.groupPublicKey);
  const { n, e } = parseRsaGroupPublicKey(key.groupPublicKey);
  return verifyRsaSignaturePacket(packet, data, n, e);
}

/** True when `data` starts with the RPM header magic (8e ad e8 01 00 00 00 00): rpmsign handing over a main header. */
export function looksLikeRpmHeader(data: Uint8Array): boolean {
  return data.length >= HEADER_MAGIC.length && HEADER_MAGIC.every((b, i) => data[i] === b);
}

/**
 * Signs `data` with an OpenPGP v4 signature made by the cluster (RFC 9580
 * §5.2) — for a windowed key, by the subkey of the signature's window: returns the binary signature packet, checked against the data and
 * the group key before it is returned.
 */
export async function signOpenPgp(client: QsignClient, primaryName: string, data: Uint8Array, o: OpenPgpSignOptions = {}): Promise<Uint8Array> {
  const openpgp = { signatureType: o.signatureType ?? 0x00, hashAlgorithm: o.hashAlgorithm ?? 'sha256', createdUnixSeconds: o.createdUnixSeconds ?? Math.floor(Date.now() / 1000) };
  // A windowed key signs with the subkey of the window holding the creation time (docs/windows.md).
  const keyName = await signingKeyFor(client, primaryName, openpgp.createdUnixSeconds);
  const info = await client.key(keyName);
  const key = keyContext(info);
  const kind = o.kind ?? 'openpgp';
  const claims = o.claims ?? { fileName: '', size: data.length, sha256: sha256(data) };
  const shape: SignRequest = { requestId: 'x', keyName, createdAtMs: 0, kind: kind === 'digest' ? 'openpgp' : kind, data, openpgp, clientName: '' };
  const prepared = kind === 'digest' ? prepareSignature({ ...openpgp, issuerFingerprint: keyFingerprint(key), ...(isRsaKey(key) && { publicKeyAlgorithm: RSA_ALGORITHM }) }, data) : preparedOpenPgp(shape, key);
  const res = await client.sign({ keyName, kind, data: kind === 'digest' ? prepared.digest : data, openpgp, claims }, o.waitMs, o.onStatus);
  if (Buffer.compare(Buffer.from(res.message), Buffer.from(prepared.digest)) !== 0)
    throw new QsignError('SIGNING_FAILED', 'the cluster signed a different OpenPGP digest than this client computed');
  const packet = await assembleSignature(key, prepared, res.signature);
  if (!verifyDocumentSignature(packet, data, key)) throw new QsignError('SIGNING_FAILED', 'the assembled OpenPGP signature does not verify');
  return packet;
}

/** A detached signature, armored ("PGP SIGNATURE") or binary. */
export async function detachedSignature(client: QsignClient, keyName: string, data: Uint8Array, o: OpenPgpSignOptions & { armor?: boolean } = {}): Promise<Uint8Array | string> {
  const packet = await signOpenPgp(client, keyName, data, o);
  return o.armor ? armor('SIGNATURE', packet) : packet;
}

/** A cleartext-signed message (RFC 4880 §7) of UTF-8 text. */
export async function clearsign(client: QsignClient, keyName: string, text: string, o: Omit<OpenPgpSignOptions, 'kind' | 'signatureType'> = {}): Promise<string> {
  const hashAlgorithm = o.hashAlgorithm ?? 'sha256';
  const packet = await signOpenPgp(client, keyName, cleartextSigningInput(text), { ...o, hashAlgorithm, signatureType: 0x01 });
  return cleartextSignedMessage(text, packet, hashAlgorithm) + '\n';
}

/**
 * Has the cluster self-certify the key's user ID (a threshold signature over
 * its own public-key packet, RFC 4880 §5.2.4; Ed25519 or RSA), builds the certificate, checks
 * it, and stores it on the nodes (each verifies it again). Returns the binary
 * certificate. With `expiresUnixSeconds` the key expires then, and the cluster renews it ahead (docs/windows.md).
 */
export async function certifyKey(client: QsignClient, keyName: string, o: { expiresUnixSeconds?: number } = {}): Promise<Uint8Array> {
  const info = await client.key(keyName);
  const key = keyContext(info);
  const uid = new TextEncoder().encode(info.userId);
  const openpgp = { signatureType: 0x13, hashAlgorithm: 'sha256' as const, createdUnixSeconds: info.createdUnixSeconds, ...(o.expiresUnixSeconds !== undefined && { keyExpiresUnixSeconds: o.expiresUnixSeconds }) };
  const prepared = preparedOpenPgp({ requestId: 'x', keyName, createdAtMs: 0, kind: 'certification', data: uid, openpgp, clientName: '' }, key);
  const res = await client.sign({ keyName, kind: 'certification', data: uid, openpgp });
  // The digest is this client's own (key packet ‖ user ID), so a signature that verifies on it certifies the user ID.
  const sig = await assembleSignature(key, prepared, res.signature);
  const pk = encodePacket(PacketTag.PublicKey, keyPacketBody(key));
  const cert = new Uint8Array(Buffer.concat([pk, encodePacket(PacketTag.UserId, uid), sig]));
  await client.putCertificate(keyName, cert);
  return cert;
}

/**
 * The key's stored certificate (binary), checked against the pinned key
 * (KEY_MISMATCH if it is not the pinned key's); CONFIG error if the cluster has none yet.
 */
export async function keyCertificate(client: QsignClient, keyName: string): Promise<Uint8Array> {
  const cert = await client.certificate(keyName);
  if (!cert) throw new QsignError('CONFIG', `key ${keyName} has no OpenPGP certificate yet: run '${QSIGN_HINT} certify --key ${keyName}'`);
  return cert;
}

/**
 * The key's stored certificate checked against the pinned key, or — for a
 * key that has none yet (e.g. just made by `qsign keygen` or copr-keygen's
 * /gen_key) — a new one made with {@link certifyKey}. `sign -p` and `qsign
 * certificate` use this.
 */
export async function ensureCertificate(client: QsignClient, keyName: string): Promise<Uint8Array> {
  return (await client.certificate(keyName)) ?? certifyKey(client, keyName);
}

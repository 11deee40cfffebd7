/**
 * Encrypted share files (format qsign-share/v2): one or more version-1 share
 * records for ONE node, encrypted to that node's enrollment key. The header
 * (node identifier, recipient key, and each key's name and group key) is in
 * the clear so files can be sorted and checked against the public package,
 * and it is the envelope's associated data, so it cannot be changed either.
 * One file per key from `ceremony split`; many keys per file for bulk import.
 */
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { QsignError, decodeShareFile, encodeShareFile, type ShareFile } from '@qsign/protocol';
import { canonicalJson } from '@qsign/audit';
import { envelopeFromJson, envelopeToJson, openEnvelope, sealEnvelope, enrollmentPublicKey } from './envelope.js';

/** Format tag of encrypted share files. */
export const ENCRYPTED_SHARE_FORMAT = 'qsign-share/v2';

/** The clear header of an encrypted share file. */
export interface EncryptedShareHeader {
  format: typeof ENCRYPTED_SHARE_FORMAT;
  /** The node (FROST identifier) the shares belong to. */
  identifier: number;
  /** Hex X25519 enrollment public key the file is encrypted to. */
  recipient: string;
  /** Each key in the file: name and hex group public key. */
  keys: Array<{ keyName: string; groupPublicKey: string }>;
}

function aad(h: EncryptedShareHeader): Uint8Array {
  return utf8ToBytes(canonicalJson({ format: h.format, identifier: h.identifier, recipient: h.recipient, keys: h.keys }));
}

/** Encrypts share records (all for the same node) to its enrollment key; returns the file text. */
export function encryptShareFiles(shares: ShareFile[], recipientPublicKey: Uint8Array): string {
  if (shares.length === 0) throw new QsignError('INVALID_ARGUMENT', 'no shares to encrypt');
  const id = shares[0]!.identifier;
  if (shares.some((s) => s.identifier !== id)) throw new QsignError('INVALID_ARGUMENT', 'an encrypted share file holds shares of one node only');
  const header: EncryptedShareHeader = {
    format: ENCRYPTED_SHARE_FORMAT,
    identifier: id,
    recipient: bytesToHex(recipientPublicKey),
    keys: shares.map((s) => ({ keyName: s.keyName, groupPublicKey: bytesToHex(s.groupPublicKey) })),
  };
  const plain = utf8ToBytes('[' + shares.map((s) => encodeShareFile(s)).join(',') + ']');
  const env = sealEnvelope(recipientPublicKey, plain, aad(header));
  plain.fill(0);
  return JSON.stringify({ ...header, ...envelopeToJson(env) }) + '\n';
}

/** True if `text` looks like an encrypted (v2) share file rather than a plain v1 one. */
export function isEncryptedShareFile(text: string): boolean {
  return text.includes(`"${ENCRYPTED_SHARE_FORMAT}"`);
}

/** Reads the clear header of an encrypted share file; throws INVALID_ARGUMENT naming the problem. */
export function readShareFileHeader(text: string, source = 'share file'): EncryptedShareHeader {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text);
  } catch {
    throw new QsignError('INVALID_ARGUMENT', `${source}: not valid JSON (truncated or corrupted?)`);
  }
  const bad = (why: string): never => {
    throw new QsignError('INVALID_ARGUMENT', `${source}: ${why}`);
  };
  if (typeof o !== 'object' || o === null || o.format !== ENCRYPTED_SHARE_FORMAT) bad(`format must be ${ENCRYPTED_SHARE_FORMAT}`);
  if (typeof o.identifier !== 'number' || !Number.isInteger(o.identifier) || o.identifier < 1 || o.identifier > 0xffff) bad('identifier must be 1..65535');
  if (typeof o.recipient !== 'string' || !/^[0-9a-f]{64}$/.test(o.recipient)) bad('recipient must be a 32-byte hex key');
  if (!Array.isArray(o.keys) || o.keys.length === 0) bad('keys must be a non-empty list');
  const keys = (o.keys as Array<Record<string, unknown>>).map((k, i) => {
    if (typeof k?.keyName !== 'string' || typeof k.groupPublicKey !== 'string' || !/^[0-9a-f]{64}$/.test(k.groupPublicKey)) bad(`keys[${i}] must be {keyName, groupPublicKey}`);
    return { keyName: k.keyName as string, groupPublicKey: k.groupPublicKey as string };
  });
  return { format: ENCRYPTED_SHARE_FORMAT, identifier: o.identifier as number, recipient: o.recipient as string, keys };
}

/**
 * Decrypts an encrypted share file with the node's enrollment secret key and
 * checks that the records inside match the authenticated header.
 */
export function decryptShareFile(text: string, enrollmentSecretKey: Uint8Array, source = 'share file'): ShareFile[] {
  const header = readShareFileHeader(text, source);
  const mine = bytesToHex(enrollmentPublicKey(enrollmentSecretKey));
  if (header.recipient !== mine)
    throw new QsignError('INVALID_ARGUMENT', `${source}: encrypted to enrollment key ${header.recipient.slice(0, 16)}…, this node's is ${mine.slice(0, 16)}… (wrong node or wrong enrollment key)`);
  const env = envelopeFromJson(JSON.parse(text), source);
  let plain: Uint8Array;
  try {
    plain = openEnvelope(enrollmentSecretKey, env, aad(header));
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `${source}: ${(e as Error).message}`);
  }
  const text2 = new TextDecoder().decode(plain);
  plain.fill(0);
  const list = JSON.parse(text2) as unknown[];
  const shares = list.map((x, i) => decodeShareFile(JSON.stringify(x), `${source} record ${i}`));
  if (shares.length !== header.keys.length) throw new QsignError('INVALID_ARGUMENT', `${source}: header lists ${header.keys.length} keys, the file holds ${shares.length}`);
  shares.forEach((s, i) => {
    const h = header.keys[i]!;
    if (s.identifier !== header.identifier || s.keyName !== h.keyName || bytesToHex(s.groupPublicKey) !== h.groupPublicKey)
      throw new QsignError('INVALID_ARGUMENT', `${source}: record ${i} does not match the file header`);
  });
  return shares;
}

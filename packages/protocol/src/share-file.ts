/**
 * The share file a ceremony writes for one node (`qsign ceremony split`) and
 * the node imports. Plain JSON for now; encryption to the node's enrollment
 * key replaces the `share` field in a later format version.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { QsignError } from './errors.js';
import { isValidKeyName } from './request.js';
import { parseRsaGroupPublicKey } from './scheme-rsa-key.js';

/** Format tag of version-1 share files. */
export const SHARE_FILE_FORMAT = 'qsign-share/v1';

/** A node's share of one key plus the key's public package. */
export interface ShareFile {
  keyName: string;
  identifier: number;
  /** Secret signing share (32-byte scalar). */
  share: Uint8Array;
  minSigners: number;
  maxSigners: number;
  groupPublicKey: Uint8Array;
  verifyingShares: Map<number, Uint8Array>;
  vssCommitment: Uint8Array[];
  createdUnixSeconds: number;
  userId: string;
  /** Threshold scheme; absent means `frost-ed25519`. For `rsa-shoup`: share is s_i (big-endian), groupPublicKey MPI(n) ‖ MPI(e), verifyingShares Shoup's v_i (safe-prime keys only), no VSS commitment. */
  scheme?: 'frost-ed25519' | 'rsa-shoup';
  /** RSA safe-prime keys: Shoup's verification base v. */
  verificationBase?: Uint8Array;
  /** RSA: the key's OpenPGP certificate (an imported key keeps its own user IDs and self-signatures). */
  certificate?: Uint8Array;
}

/** Serialises a share file (JSON text). */
export function encodeShareFile(f: ShareFile): string {
  return JSON.stringify(
    {
      format: SHARE_FILE_FORMAT,
      keyName: f.keyName,
      identifier: f.identifier,
      share: bytesToHex(f.share),
      minSigners: f.minSigners,
      maxSigners: f.maxSigners,
      groupPublicKey: bytesToHex(f.groupPublicKey),
      verifyingShares: Object.fromEntries([...f.verifyingShares].map(([k, v]) => [String(k), bytesToHex(v)])),
      vssCommitment: f.vssCommitment.map(bytesToHex),
      createdUnixSeconds: f.createdUnixSeconds,
      userId: f.userId,
      ...(f.scheme === 'rsa-shoup' && {
        scheme: f.scheme,
        ...(f.verificationBase && { verificationBase: bytesToHex(f.verificationBase) }),
        ...(f.certificate && { certificate: bytesToHex(f.certificate) }),
      }),
    },
    null,
    2,
  );
}

/** Parses and shape-checks a share file; throws INVALID_ARGUMENT naming the field. */
export function decodeShareFile(text: string, source = 'share file'): ShareFile {
  const bad = (why: string): never => {
    throw new QsignError('INVALID_ARGUMENT', `${source}: ${why}`);
  };
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text);
  } catch {
    return bad('not valid JSON (truncated or corrupted?)');
  }
  if (typeof o !== 'object' || o === null) bad('not a JSON object');
  if (o.format !== SHARE_FILE_FORMAT) bad(`format is ${JSON.stringify(o.format)}, expected ${SHARE_FILE_FORMAT}`);
  const hex = (v: unknown, field: string, len?: number): Uint8Array => {
    if (typeof v !== 'string' || !/^([0-9a-f]{2})*$/.test(v)) bad(`${field} must be lowercase hex`);
    const b = hexToBytes(v as string);
    if (len !== undefined && b.length !== len) bad(`${field} must be ${len} bytes`);
    return b;
  };
  const int = (v: unknown, field: string, lo: number, hi: number): number =>
    typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? v : bad(`${field} must be an integer ${lo}..${hi}`);
  if (typeof o.keyName !== 'string' || !isValidKeyName(o.keyName)) bad('keyName is not a valid key name');
  if (o.scheme !== undefined && o.scheme !== 'frost-ed25519' && o.scheme !== 'rsa-shoup') bad(`scheme ${JSON.stringify(o.scheme)} is not frost-ed25519 or rsa-shoup`);
  const rsa = o.scheme === 'rsa-shoup';
  const maxSigners = int(o.maxSigners, 'maxSigners', 2, 0xffff);
  const minSigners = int(o.minSigners, 'minSigners', 2, maxSigners);
  const vs = o.verifyingShares;
  if (typeof vs !== 'object' || vs === null) bad('verifyingShares must be an object');
  const verifyingShares = new Map<number, Uint8Array>(
    Object.entries(vs as Record<string, unknown>).map(([k, v]) => [int(Number(k), `verifyingShares key ${k}`, 1, 0xffff), hex(v, `verifyingShares[${k}]`, rsa ? undefined : 32)]),
  );
  if (!Array.isArray(o.vssCommitment)) bad('vssCommitment must be a list');
  const identifier = int(o.identifier, 'identifier', 1, 0xffff);
  if (rsa) return { ...rsaShareFields(o, hex, bad), keyName: o.keyName as string, identifier, minSigners, maxSigners, verifyingShares, vssCommitment: [], createdUnixSeconds: int(o.createdUnixSeconds, 'createdUnixSeconds', 0, 2 ** 40), userId: typeof o.userId === 'string' ? o.userId : bad('userId must be a string') };
  if (!verifyingShares.has(identifier)) bad(`verifyingShares has no entry for this share's identifier ${identifier}`);
  return {
    keyName: o.keyName as string,
    identifier,
    share: hex(o.share, 'share', 32),
    minSigners,
    maxSigners,
    groupPublicKey: hex(o.groupPublicKey, 'groupPublicKey', 32),
    verifyingShares,
    vssCommitment: (o.vssCommitment as unknown[]).map((c, i) => hex(c, `vssCommitment[${i}]`, 32)),
    createdUnixSeconds: int(o.createdUnixSeconds, 'createdUnixSeconds', 0, 2 ** 40),
    userId: typeof o.userId === 'string' ? o.userId : bad('userId must be a string'),
  };
}

/** The RSA-specific fields of a share file: share, MPI(n) ‖ MPI(e), and the optional verification base and certificate. */
function rsaShareFields(o: Record<string, unknown>, hex: (v: unknown, field: string) => Uint8Array, bad: (why: string) => never): Pick<ShareFile, 'scheme' | 'share' | 'groupPublicKey' | 'verificationBase' | 'certificate'> {
  const groupPublicKey = hex(o.groupPublicKey, 'groupPublicKey');
  try {
    parseRsaGroupPublicKey(groupPublicKey);
  } catch (e) {
    bad(`groupPublicKey: ${(e as Error).message}`);
  }
  const share = hex(o.share, 'share');
  if (share.length === 0 || share.length > 1024) bad('share must be 1..1024 bytes');
  return {
    scheme: 'rsa-shoup',
    share,
    groupPublicKey,
    ...(o.verificationBase !== undefined && { verificationBase: hex(o.verificationBase, 'verificationBase') }),
    ...(o.certificate !== undefined && { certificate: hex(o.certificate, 'certificate') }),
  };
}

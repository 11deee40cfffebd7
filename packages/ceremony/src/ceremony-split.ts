/**
 * A real key ceremony on an offline machine (`qsign ceremony split`):
 * generate a key or import one (unencrypted OpenPGP Ed25519 secret key, or a
 * raw 32-byte seed), split it N-of-M with a trusted dealer (RFC 9591 App. C),
 * encrypt each share to its node's enrollment key, self-certify the OpenPGP
 * certificate with the secret before it is wiped, optionally split the seed
 * into a paper recovery kit, and write a transcript hashing every output.
 * Output is all-or-nothing: a temporary directory renamed into place.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { split as shamirSplit } from 'shamir-secret-sharing';
import * as frost from '@qsign/frost';
import { armor, buildCertificate, ed25519Fingerprint, parseSecretKey } from '@qsign/openpgp';
import { QsignError, encodeShareFile, errorMessage } from '@qsign/protocol';
import { encryptShareFiles, parseEnrollmentPublicKey } from '@qsign/storage';
import { defaultUserId, splitKey, validateSplitParams, wipeShares } from './ceremony.js';
import { writeDirAtomic } from './atomic-dir.js';
import { readGpgRsaKey, splitRsaKey, type RsaDealerKey } from './ceremony-rsa.js';
import type { ShareFile } from '@qsign/protocol';

/** Where the key comes from. */
export type KeySource = { kind: 'generate' } | { kind: 'gpg'; file: string } | { kind: 'seed'; file: string };

/** Options of {@link ceremonySplit}. */
export interface CeremonyOptions {
  out: string;
  keyName: string;
  threshold: number;
  /** Number of shares; with `nodes` it must equal their count (default: their count). */
  shares?: number;
  /** Node enrollment keys: share i is encrypted to node i's key. Absent: plain v1 files (development only). */
  nodes?: Array<{ id: number; enrollmentKey: string }>;
  source: KeySource;
  /** OpenPGP user id (ignored for a gpg import, which keeps the original). */
  userId?: string;
  createdUnixSeconds?: number;
  recoveryKit?: { threshold: number; shares: number };
  now?: () => Date;
}

/** What a ceremony produced. */
export interface CeremonyResult {
  dir: string;
  files: string[];
  groupPublicKey: string;
  fingerprint: string;
  userId: string;
  createdUnixSeconds: number;
}

/** Parses `--node ID=HEX` values and a nodes file (lines "ID=HEX" or "ID HEX", # comments). */
export function parseNodeList(values: string[], file?: string): Array<{ id: number; enrollmentKey: string }> {
  const lines = [...values];
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new QsignError('INVALID_ARGUMENT', `cannot read nodes file ${file}: ${errorMessage(e)}`);
    }
    lines.push(...text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean));
  }
  const seen = new Set<number>();
  return lines.map((l) => {
    const m = /^(\d+)\s*[= ]\s*(\S+)$/.exec(l.trim());
    if (!m) throw new QsignError('INVALID_ARGUMENT', `node entry must be ID=ENROLLMENT_PUBLIC_KEY, got ${JSON.stringify(l)}`);
    const id = Number(m[1]);
    if (id < 1 || id > 0xffff) throw new QsignError('INVALID_ARGUMENT', `node id ${id} must be 1..65535`);
    if (seen.has(id)) throw new QsignError('INVALID_ARGUMENT', `duplicate node id ${id}: each node gets exactly one share`);
    seen.add(id);
    const key = parseEnrollmentPublicKey(m[2]!, `enrollment key of node ${id}`);
    return { id, enrollmentKey: bytesToHex(key) };
  });
}

/** Reads the 32-byte Ed25519 seed and key facts of the source (undefined facts for a new key). */
function loadSeed(source: KeySource): { seed: Uint8Array; userId?: string; createdUnixSeconds?: number } {
  if (source.kind === 'generate') return { seed: new Uint8Array(randomBytes(32)) };
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(source.file));
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `cannot read ${source.file}: ${errorMessage(e)}`);
  }
  if (source.kind === 'seed') {
    if (bytes.length !== 32) throw new QsignError('INVALID_ARGUMENT', `${source.file}: a raw seed is exactly 32 bytes, got ${bytes.length}`);
    return { seed: bytes };
  }
  try {
    const k = parseSecretKey(bytes);
    bytes.fill(0);
    if (k.userIds.length === 0) throw new QsignError('INVALID_ARGUMENT', `${source.file}: the secret key has no user id`);
    return { seed: k.seed32, userId: k.userIds[0], createdUnixSeconds: k.createdUnixSeconds };
  } catch (e) {
    if (e instanceof QsignError) throw e;
    throw new QsignError('INVALID_ARGUMENT', `${source.file}: not an importable OpenPGP Ed25519 secret key: ${errorMessage(e)}`);
  }
}

/** Runs a ceremony; see the module comment. Secrets are wiped before it returns. */
export async function ceremonySplit(o: CeremonyOptions): Promise<CeremonyResult> {
  const nodes = o.nodes ?? [];
  const shares = o.shares ?? nodes.length;
  validateSplitParams({ keyName: o.keyName, threshold: o.threshold, shares, userId: '' });
  if (nodes.length) {
    if (nodes.length !== shares) throw new QsignError('INVALID_ARGUMENT', `--shares ${shares} but ${nodes.length} nodes were given; give one enrollment key per share`);
    const ids = nodes.map((n) => n.id).sort((a, b) => a - b);
    if (ids.some((id, i) => id !== i + 1)) throw new QsignError('INVALID_ARGUMENT', `node ids must be 1..${shares} (they are the FROST identifiers), got ${ids.join(', ')}`);
  }
  if (existsSync(o.out) && readdirSync(o.out).length > 0) throw new QsignError('INVALID_ARGUMENT', `output directory ${o.out} is not empty; refusing to overwrite a ceremony`);

  const rsa = o.source.kind === 'gpg' ? readGpgRsaKey(o.source.file) : undefined;
  if (rsa) return ceremonySplitRsa(o, shares, nodes, rsa);
  const { seed, userId: importedUid, createdUnixSeconds: importedCreated } = loadSeed(o.source);
  const scalar = frost.seedToScalar(seed);
  const userId = importedUid ?? o.userId ?? defaultUserId(o.keyName);
  const created = importedCreated ?? o.createdUnixSeconds ?? Math.floor((o.now?.() ?? new Date()).getTime() / 1000);
  let split: ReturnType<typeof splitKey> | undefined;
  try {
    split = splitKey({ keyName: o.keyName, threshold: o.threshold, shares, userId, createdUnixSeconds: created, secretScalar: scalar });
    const pub = split.publicKeyPackage.groupPublicKey;
    if (bytesToHex(pub) !== bytesToHex(ed25519.getPublicKey(seed))) throw new QsignError('INTERNAL', 'split group key differs from the seed public key');
    // Self-certify with the secret while it still exists (deterministic Ed25519).
    const cert = await buildCertificate({ publicKey: pub, createdUnixSeconds: created, userId, sign: async (d) => ed25519.sign(d, seed) });
    const fingerprint = bytesToHex(ed25519Fingerprint(pub, created));
    const kit = o.recoveryKit ? await shamirSplit(seed, o.recoveryKit.shares, o.recoveryKit.threshold) : [];

    const written: Record<string, Uint8Array | string> = {};
    const byId = new Map(nodes.map((n) => [n.id, n.enrollmentKey]));
    for (const f of split.files) {
      const enc = byId.get(f.identifier);
      written[`node-${f.identifier}.share.json`] = enc ? encryptShareFiles([f], parseEnrollmentPublicKey(enc)) : encodeShareFile(f) + '\n';
    }
    written['public-key.json'] = JSON.stringify({ keyName: o.keyName, userId, createdUnixSeconds: created, fingerprint, ...frost.encodePublicKeyPackage(split.publicKeyPackage) }, null, 2) + '\n';
    written['certificate.asc'] = armor('PUBLIC KEY BLOCK', cert);
    kit.forEach((k, i) => {
      written[`recovery-kit/custodian-${i + 1}.txt`] =
        `qsign recovery kit share ${i + 1} of ${kit.length} (${o.recoveryKit!.threshold} needed)\nkey: ${o.keyName}\nfingerprint: ${fingerprint}\ncreated: ${created}\nshare: ${bytesToHex(k)}\n`;
      k.fill(0);
    });
    const transcript = {
      format: 'qsign-ceremony-transcript/v1',
      keyName: o.keyName,
      source: o.source.kind === 'generate' ? 'generated' : o.source.kind === 'gpg' ? 'imported OpenPGP secret key' : 'imported raw seed',
      threshold: o.threshold,
      shares,
      nodes: split.files.map((f) => ({ id: f.identifier, enrollmentKey: byId.get(f.identifier) ?? null, encrypted: byId.has(f.identifier) })),
      groupPublicKey: bytesToHex(pub),
      fingerprint,
      userId,
      createdUnixSeconds: created,
      recoveryKit: o.recoveryKit ? `${o.recoveryKit.threshold}-of-${o.recoveryKit.shares} (shamir-secret-sharing over the Ed25519 seed)` : null,
      time: (o.now?.() ?? new Date()).toISOString(),
      sha256: Object.fromEntries(Object.entries(written).map(([n, d]) => [n, bytesToHex(sha256(typeof d === 'string' ? Buffer.from(d) : d))])),
    };
    const files = writeDirAtomic(o.out, { ...written, 'transcript.json': JSON.stringify(transcript, null, 2) + '\n' });
    return { dir: o.out, files, groupPublicKey: bytesToHex(pub), fingerprint, userId, createdUnixSeconds: created };
  } finally {
    seed.fill(0);
    scalar.fill(0);
    if (split) wipeShares(split.files);
  }
}

/**
 * The RSA branch of {@link ceremonySplit}: an imported gpg RSA key dealt k-of-l (Shoup), its
 * original certificate kept (fingerprint, user IDs, expiry, self-signatures). No recovery kit:
 * the gpg export the ceremony read is the key's backup (docs/threshold-rsa.md).
 */
async function ceremonySplitRsa(o: CeremonyOptions, shares: number, nodes: Array<{ id: number; enrollmentKey: string }>, rsa: RsaDealerKey): Promise<CeremonyResult> {
  if (o.recoveryKit) throw new QsignError('INVALID_ARGUMENT', 'a recovery kit splits an Ed25519 seed; for an imported RSA key keep the gpg export itself offline as its backup');
  let files: ShareFile[] = [];
  try {
    files = splitRsaKey(o.keyName, o.threshold, shares, rsa);
    rsa.key.p = rsa.key.q = 0n;
    const byId = new Map(nodes.map((n) => [n.id, n.enrollmentKey]));
    const written: Record<string, Uint8Array | string> = {};
    for (const f of files) {
      const enc = byId.get(f.identifier);
      written[`node-${f.identifier}.share.json`] = enc ? encryptShareFiles([f], parseEnrollmentPublicKey(enc)) : encodeShareFile(f) + '\n';
    }
    const groupPublicKey = bytesToHex(files[0]!.groupPublicKey);
    written['public-key.json'] = JSON.stringify({ keyName: o.keyName, scheme: 'rsa-shoup', userId: rsa.userId, createdUnixSeconds: rsa.createdUnixSeconds, fingerprint: rsa.fingerprint, groupPublicKey, minSigners: o.threshold, maxSigners: shares }, null, 2) + '\n';
    written['certificate.asc'] = armor('PUBLIC KEY BLOCK', rsa.certificate);
    const transcript = {
      format: 'qsign-ceremony-transcript/v1',
      keyName: o.keyName,
      scheme: 'rsa-shoup',
      source: 'imported OpenPGP RSA secret key',
      threshold: o.threshold,
      shares,
      nodes: files.map((f) => ({ id: f.identifier, enrollmentKey: byId.get(f.identifier) ?? null, encrypted: byId.has(f.identifier) })),
      groupPublicKey,
      fingerprint: rsa.fingerprint,
      userId: rsa.userId,
      createdUnixSeconds: rsa.createdUnixSeconds,
      recoveryKit: null,
      time: (o.now?.() ?? new Date()).toISOString(),
      sha256: Object.fromEntries(Object.entries(written).map(([n, d]) => [n, bytesToHex(sha256(typeof d === 'string' ? Buffer.from(d) : d))])),
    };
    const paths = writeDirAtomic(o.out, { ...written, 'transcript.json': JSON.stringify(transcript, null, 2) + '\n' });
    return { dir: o.out, files: paths, groupPublicKey, fingerprint: rsa.fingerprint, userId: rsa.userId, createdUnixSeconds: rsa.createdUnixSeconds };
  } finally {
    wipeShares(files);
  }
}

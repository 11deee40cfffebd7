/**
 * Recovery (`qsign ceremony recover`): rebuilds a key's secret on an offline
 * machine, either from K paper recovery-kit shares (the Ed25519 seed, split
 * with shamir-secret-sharing at the ceremony) or from N plain node share
 * files (the FROST secret scalar, RFC 9591 App. C.1). This is the ONLY place
 * outside @qsign/frost that may combine shares into a secret; the import
 * check (scripts/check-imports.mjs) enforces it.
 */
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { combine } from 'shamir-secret-sharing';
import { combineShares } from '@qsign/frost/recovery';
import * as frost from '@qsign/frost';
import { ed25519Fingerprint } from '@qsign/openpgp';
import { QsignError, decodeShareFile, errorMessage } from '@qsign/protocol';
import { assertAbsent, writeFileAtomic } from './atomic-dir.js';

/** One recovery-kit file as `ceremony split` writes it (bare hex shares carry only `share`). */
interface KitShare {
  file: string;
  share: Uint8Array;
  /** "share I of L (K needed)". */
  index?: number;
  of?: number;
  needed?: number;
  key?: string;
  fingerprint?: string;
  created?: number;
}

/** Parses one recovery-kit file (or a file holding only the hex share). */
export function parseKitShare(file: string, text: string): KitShare {
  const m = /share:\s*([0-9a-f]+)/.exec(text) ?? /^\s*([0-9a-f]+)\s*$/.exec(text);
  if (!m || m[1]!.length !== 66) throw new QsignError('INVALID_ARGUMENT', `${file}: not a recovery kit share (truncated?)`);
  const head = /recovery kit share (\d+) of (\d+) \((\d+) needed\)/.exec(text);
  const line = (name: string) => new RegExp(`^${name}:[ \\t]*(\\S+)[ \\t]*$`, 'm').exec(text)?.[1];
  const created = line('created');
  return {
    file,
    share: hexToBytes(m[1]!),
    ...(head ? { index: Number(head[1]), of: Number(head[2]), needed: Number(head[3]) } : {}),
    key: line('key'),
    fingerprint: line('fingerprint')?.toLowerCase(),
    created: created === undefined ? undefined : Number(created),
  };
}

/** The one value every kit file gives for `field` (undefined if none gives it); refuses files that disagree. */
function agreed<F extends 'of' | 'needed' | 'key' | 'fingerprint' | 'created'>(kit: KitShare[], field: F, what: string): KitShare[F] | undefined {
  const given = kit.filter((k) => k[field] !== undefined);
  const first = given[0];
  const other = given.find((k) => k[field] !== first?.[field]);
  if (first && other) throw new QsignError('INVALID_ARGUMENT', `${first.file} and ${other.file} are from different recovery kits (${what} ${String(first[field])} vs ${String(other[field])})`);
  return first?.[field];
}

/**
 * Checks recovery-kit shares before combining them: the files agree on key,
 * fingerprint and K-of-L, name distinct shares, and number at least K (fewer
 * would combine into a wrong seed without any error). Returns what the
 * combined seed must match.
 */
export function checkKit(kit: KitShare[]): { needed?: number; fingerprint?: string; created?: number } {
  agreed(kit, 'key', 'key');
  agreed(kit, 'of', 'share count');
  const needed = agreed(kit, 'needed', 'threshold');
  const fingerprint = agreed(kit, 'fingerprint', 'fingerprint');
  const created = agreed(kit, 'created', 'creation time');
  const seen = new Map<string, string>();
  for (const k of kit) {
    const id = k.index !== undefined ? `share ${k.index}` : `share x=${k.share[k.share.length - 1]}`;
    if (seen.has(id)) throw new QsignError('INVALID_ARGUMENT', `${seen.get(id)} and ${k.file} hold the same ${id}; give ${needed ?? 'K'} different shares`);
    seen.set(id, k.file);
  }
  if (needed !== undefined && kit.length < needed) throw new QsignError('INVALID_ARGUMENT', `${kit.length} recovery kit share${kit.length === 1 ? '' : 's'} given, ${needed} needed (as each kit file says); fewer would rebuild a wrong key`);
  return { needed, fingerprint, created };
}

/**
 * Reads recovery-kit files (or bare hex shares) and returns the 32-byte seed,
 * checked against the kit's fingerprint (RFC 9580 §5.5.4.2 v4, from the kit's
 * creation time or `createdUnixSeconds`) and `expectPublicKey` when given. A
 * recovery that cannot be checked against anything is refused.
 */
export async function recoverFromKit(files: string[], expectPublicKey?: string, createdUnixSeconds?: number): Promise<{ kind: 'seed'; secret: Uint8Array; publicKey: string }> {
  const kit = files.map((f) => {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      throw new QsignError('INVALID_ARGUMENT', `cannot read ${f}: ${errorMessage(e)}`);
    }
    return parseKitShare(f, text);
  });
  const want = checkKit(kit);
  const created = want.created ?? createdUnixSeconds;
  if (!expectPublicKey && (want.fingerprint === undefined || created === undefined))
    throw new QsignError('INVALID_ARGUMENT', want.fingerprint === undefined
      ? 'these shares name no fingerprint to check the recovered key against; give --expect GROUP_PUBLIC_KEY_HEX'
      : `the kit files name fingerprint ${want.fingerprint.toUpperCase()} but not the key's creation time; give --created UNIX_SECONDS (public-key.json createdUnixSeconds) or --expect GROUP_PUBLIC_KEY_HEX`);
  let seed: Uint8Array;
  try {
    seed = await combine(kit.map((k) => k.share));
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `recovery kit shares do not combine: ${errorMessage(e)}`);
  }
  const pub = ed25519.getPublicKey(seed);
  const publicKey = bytesToHex(pub);
  const wrong =
    expectPublicKey && publicKey !== expectPublicKey.toLowerCase() ? `public key ${publicKey}, not --expect ${expectPublicKey}`
    : want.fingerprint !== undefined && created !== undefined && bytesToHex(ed25519Fingerprint(pub, created)) !== want.fingerprint ? `fingerprint ${bytesToHex(ed25519Fingerprint(pub, created)).toUpperCase()}, not the kit's ${want.fingerprint.toUpperCase()}`
    : undefined;
  if (wrong) {
    seed.fill(0);
    throw new QsignError('INVALID_ARGUMENT', `the recovery kit shares rebuild a wrong key (${wrong}): a share is damaged or from another kit`);
  }
  return { kind: 'seed', secret: seed, publicKey };
}

/** Combines plain (v1) node share files into the group secret scalar, checked against their group key. */
export function recoverFromShares(files: string[]): { kind: 'scalar'; secret: Uint8Array; publicKey: string } {
  const decoded = files.map((f) => decodeShareFile(readFileSync(f, 'utf8'), f));
  const first = decoded[0]!;
  const pkp: frost.PublicKeyPackage = {
    minSigners: first.minSigners,
    maxSigners: first.maxSigners,
    groupPublicKey: first.groupPublicKey,
    verifyingShares: first.verifyingShares,
    vssCommitment: first.vssCommitment,
  };
  try {
    const secret = combineShares(decoded.map((d) => ({ identifier: d.identifier, share: d.share })), pkp);
    return { kind: 'scalar', secret, publicKey: bytesToHex(ed25519.Point.BASE.multiply(BigInt('0x' + bytesToHex(Uint8Array.from(secret).reverse()))).toBytes()) };
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `share files do not combine: ${errorMessage(e)}`);
  } finally {
    for (const d of decoded) d.share.fill(0);
  }
}

/** Where `ceremony recover` takes its shares from. */
export type RecoverySource = { kind: 'kit'; files: string[]; expectPublicKey?: string; createdUnixSeconds?: number } | { kind: 'shares'; files: string[]; expectPublicKey?: string };

/**
 * Rebuilds the secret from `source` and writes it to the new file `out`
 * (mode 0600, all-or-nothing, never over an existing file:
 * {@link writeFileAtomic}); the secret is wiped from memory in every case.
 * Returns what was recovered, without the secret.
 */
export async function recoverTo(out: string, source: RecoverySource): Promise<{ kind: 'seed' | 'scalar'; publicKey: string }> {
  assertAbsent(out); // before any share is read
  const r = source.kind === 'kit' ? await recoverFromKit(source.files, source.expectPublicKey, source.createdUnixSeconds) : recoverFromShares(source.files);
  try {
    if (source.expectPublicKey && r.publicKey !== source.expectPublicKey.toLowerCase()) throw new QsignError('INVALID_ARGUMENT', `the recovered ${r.kind} has public key ${r.publicKey}, not --expect ${source.expectPublicKey}`);
    writeFileAtomic(out, r.secret);
  } finally {
    r.secret.fill(0);
  }
  return { kind: r.kind, publicKey: r.publicKey };
}

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
import { QsignError, decodeShareFile, errorMessage } from '@qsign/protocol';

/** Reads recovery-kit files (or bare hex shares) and returns the 32-byte seed; checks it against `expectPublicKey` if given. */
export async function recoverFromKit(files: string[], expectPublicKey?: string): Promise<{ kind: 'seed'; secret: Uint8Array; publicKey: string }> {
  const shares = files.map((f) => {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      throw new QsignError('INVALID_ARGUMENT', `cannot read ${f}: ${errorMessage(e)}`);
    }
    const m = /share:\s*([0-9a-f]+)/.exec(text) ?? /^\s*([0-9a-f]+)\s*$/.exec(text);
    if (!m || m[1]!.length !== 66) throw new QsignError('INVALID_ARGUMENT', `${f}: not a recovery kit share (truncated?)`);
    return hexToBytes(m[1]!);
  });
  let seed: Uint8Array;
  try {
    seed = await combine(shares);
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `recovery kit shares do not combine: ${errorMessage(e)}`);
  }
  const publicKey = bytesToHex(ed25519.getPublicKey(seed));
  if (expectPublicKey && publicKey !== expectPublicKey) {
    seed.fill(0);
    throw new QsignError('INVALID_ARGUMENT', 'recovery kit shares do not reconstruct the expected key (wrong or too few shares)');
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

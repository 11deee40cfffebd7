/**
 * Ed25519 checkpoint cosignatures v1 (c2sp.org/tlog-cosignature): signature
 * type 0x04, message `cosignature/v1\ntime <T>\n` || checkpoint body, note
 * signature bytes keyID(4) || u64be timestamp || Ed25519 signature(64).
 *
 * @module
 */
import { ed25519Backend } from './ed25519-backend.js';
import { AuditError, check } from './errors.js';
import { base64DecodeStrict, concat, isBytes, u64be } from './encoding.js';
import { parseCheckpoint } from './checkpoint.js';
import {
  SIG_TYPE_COSIGNATURE_V1,
  type VerifierKey,
  cosignatureMessage,
  isValidKeyName,
  keyId,
  openNote,
  signatureLine,
} from './note.js';

/**
 * Cosigns a checkpoint body at POSIX time `time` (seconds) and returns the
 * signature line `— <name> base64(keyID || u64be(time) || sig)\n`, to append
 * after a signed checkpoint's existing signature lines.
 *
 * @param secretKey - 32-byte Ed25519 secret key; use a key dedicated to this cosigner name.
 * @example `const witnessed = signedCheckpoint + cosign(body, 'witness.example/w1', sk, Math.floor(Date.now() / 1000));`
 */
export function cosign(checkpointBody: string, name: string, secretKey: Uint8Array, time: number): string {
  parseCheckpoint(checkpointBody);
  check(isValidKeyName(name), 'invalid-argument', 'invalid key name');
  check(isBytes(secretKey, 32), 'invalid-argument', 'Ed25519 secret key must be 32 bytes');
  check(Number.isSafeInteger(time) && time >= 0, 'invalid-argument', 'time must be non-negative POSIX seconds');
  const publicKey = ed25519Backend().publicKey(secretKey);
  const sig = ed25519Backend().sign(cosignatureMessage(checkpointBody, time), secretKey);
  return signatureLine(name, keyId(name, SIG_TYPE_COSIGNATURE_V1, publicKey), concat(u64be(time), sig));
}

/**
 * Verifies one cosignature line over a checkpoint body with a type-0x04
 * verifier key and returns its timestamp (POSIX seconds).
 *
 * @throws AuditError `malformed-cosignature` (line or key malformed, or not for this key)
 *   or `bad-signature`.
 */
export function verifyCosignature(checkpointBody: string, line: string, verifier: VerifierKey): { timestamp: number } {
  parseCheckpoint(checkpointBody);
  if (typeof verifier !== 'object' || verifier === null || verifier.type !== SIG_TYPE_COSIGNATURE_V1) {
    throw new AuditError('malformed-cosignature', 'verifier must be a cosignature (type 0x04) key');
  }
  if (typeof line !== 'string') throw new AuditError('malformed-cosignature', 'line must be a string');
  const l = line.endsWith('\n') ? line : `${line}\n`;
  const raw = base64DecodeStrict(l.slice(l.lastIndexOf(' ') + 1, -1));
  if (raw === undefined || raw.length !== 4 + 8 + 64) throw new AuditError('malformed-cosignature', 'cosignature must be 76 bytes');
  try {
    const opened = openNote(`${checkpointBody}\n${l}`, [verifier]);
    return { timestamp: opened.signatures[0]!.timestamp! };
  } catch (e) {
    if (e instanceof AuditError && e.code === 'bad-signature') throw e;
    throw new AuditError('malformed-cosignature', 'cosignature line is malformed or not from this key', { cause: e });
  }
}

/**
 * Key rotation through the cluster, client side (docs/rotation.md, `qsign key rotate`):
 * the successor `K+r2` by an officer-signed DKG (pinned as the nodes attest it) and
 * self-certified; the OLD key's quorum certifies the successor's user ID (0x10; each node
 * checks it is K's successor, node rotation-keys.ts) and signs the canonical transition
 * statement; the result is checked with the pure {@link verifyKeyTransition} before it is
 * returned. Ed25519 keys only: an RSA successor needs the RSA dealer path.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { publicKeyPacketBody, SignatureType } from '@qsign/openpgp';
import {
  QsignError,
  encodeKeyTransition,
  encodeSuccessorCertification,
  isQsignError,
  keyFingerprint,
  parseSubkeyName,
  successorKeyName,
  verifyKeyTransition,
  type KeyTransition,
  type TransitionReason,
} from '@qsign/protocol';
import type { QsignClient } from './client.js';
import { ensureCertificate, keyContext, signOpenPgp } from './openpgp-sign.js';
import { generatePinnedKey, keySignature, type WindowedKeygenPort } from './windowed.js';

/** Options of {@link rotateKey}. */
export interface RotateOptions {
  keyName: string;
  reason: TransitionReason;
  /** Officer key that signs the successor's keygen request. */
  officerSecretKey: Uint8Array;
  /** The successor's signers needed (0: the coordinator's default). */
  threshold?: number;
  /** The successor already exists from an interrupted run: certify and sign again, no DKG. */
  resume?: boolean;
  /** Date of the statement (default now). */
  now?: number;
  say?: (m: string) => void;
}

/** What a rotation hands out: the statement, its signature by the old key, both certificates. */
export interface Rotation {
  transition: KeyTransition;
  /** The canonical statement text. */
  statement: string;
  /** Binary detached signature of the statement by the old key. */
  signature: Uint8Array;
  /** The old key's certificate as the cluster stores it (binary). */
  oldCertificate: Uint8Array;
  /** The successor's certificate with the old primary's certification after its self-certification (binary). */
  newCertificate: Uint8Array;
}

/** True when the cluster has a key `name` (pinned or not). */
async function keyExists(client: QsignClient, name: string): Promise<boolean> {
  try {
    await client.pinned(name);
    return true;
  } catch (e) {
    if (isQsignError(e, 'UNKNOWN_KEY')) return false;
    if (isQsignError(e, 'UNTRUSTED_KEY')) return true;
    throw e;
  }
}

const inProgress = (key: string, successor: string) =>
  new QsignError('ROTATION_IN_PROGRESS', `key ${key} is already being rotated: its successor ${successor} exists. Rotate ${successor} next (once clients follow), or finish this rotation with --resume`);

/**
 * Rotates `o.keyName` to its successor (see the module comment).
 *
 * @throws QsignError ROTATION_IN_PROGRESS when the successor exists (and not `resume`),
 *   INVALID_ARGUMENT for an RSA key or a window subkey, BAD_TRANSITION if the result does not check.
 */
export async function rotateKey(client: QsignClient, keys: WindowedKeygenPort, o: RotateOptions): Promise<Rotation & { successor: string }> {
  const say = o.say ?? (() => undefined);
  const old = await client.key(o.keyName);
  if (old.scheme === 'rsa-shoup')
    throw new QsignError('INVALID_ARGUMENT', `key ${o.keyName} is an RSA key: its successor must be made by the RSA dealer path (qsign ceremony split), which qsign key rotate does not drive yet; only Ed25519 keys rotate here`);
  if (parseSubkeyName(o.keyName)) throw new QsignError('INVALID_ARGUMENT', `key ${o.keyName} is a window subkey: rotate its primary`);
  const successor = successorKeyName(o.keyName);
  const exists = await keyExists(client, successor);
  if (exists && !o.resume) throw inProgress(o.keyName, successor);
  if (!exists && o.resume) throw new QsignError('INVALID_ARGUMENT', `key ${o.keyName} has no successor ${successor} to resume; run without --resume`);
  if (!exists) {
    say(`DKG of the successor ${successor} (requested by the officer)`);
    try {
      await generatePinnedKey(client, keys, { keyName: successor, userId: old.userId, threshold: o.threshold ?? 0, officerSecretKey: o.officerSecretKey });
    } catch (e) {
      if (isQsignError(e, 'KEY_EXISTS')) throw inProgress(o.keyName, successor); // another rotate won the race
      throw e;
    }
  } else await client.pinned(successor).catch(() => client.trust(successor));
  const neu = await client.key(successor);
  const selfCertified = await ensureCertificate(client, successor);
  const oldCertificate = await ensureCertificate(client, o.keyName);
  const now = o.now ?? Math.floor(Date.now() / 1000);

  say(`certification of ${successor}'s user ID by ${o.keyName}'s quorum`);
  const newBody = publicKeyPacketBody(neu.groupPublicKey, neu.createdUnixSeconds);
  const certification = await keySignature(client, o.keyName, SignatureType.GenericCertification, encodeSuccessorCertification(newBody, neu.userId), now);
  const newCertificate = new Uint8Array(Buffer.concat([selfCertified, certification]));

  const hexFpr = (k: typeof old) => bytesToHex(keyFingerprint(keyContext(k))).toUpperCase();
  const transition: KeyTransition = { oldKey: o.keyName, oldFingerprint: hexFpr(old), newKey: successor, newFingerprint: hexFpr(neu), newUserId: neu.userId, date: now, reason: o.reason };
  const statement = encodeKeyTransition(transition);
  say(`transition statement signed by ${o.keyName}'s quorum`);
  const data = new TextEncoder().encode(statement);
  const signature = await signOpenPgp(client, o.keyName, data, { createdUnixSeconds: now, claims: { fileName: `${o.keyName}-transition.txt`, size: data.length, sha256: sha256(data) } });
  verifyKeyTransition({ statement, signature, oldCertificate, newCertificate });
  return { successor, transition, statement, signature, oldCertificate, newCertificate };
}

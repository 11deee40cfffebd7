/** Building and reading transferable public keys (RFC 9580 §10.1). */
import { ed25519 } from '@noble/curves/ed25519.js';
import { concat, expectBytes, expectTime, fromUtf8, Reader } from './bytes.js';
import { check, OpenPgpError } from './errors.js';
import { expectHashAlgorithm, type HashAlgorithm } from './hash.js';
import { fingerprint, keyId, publicKeyPacketBody, readEd25519PublicFields } from './key.js';
import { encodePacket, PacketTag, parsePackets } from './packet.js';
import { toBinary } from './armor.js';
import {
  finishSignature,
  prepareCertification,
  QSIGN_KEY_PREFERENCES,
  SignatureType,
  userIdBytes,
  type KeyPreferences,
  type PreparedSignature,
  type SignatureParams,
} from './signature.js';

/** An Ed25519 signer: returns the 64-byte signature of `message` (the cluster, or a ceremony dealer). */
export type Ed25519Signer = (message: Uint8Array) => Promise<Uint8Array>;

/** Inputs of {@link buildCertificate}. */
export interface CertificateOptions {
  /** 32-byte Ed25519 public key (the FROST group key). */
  publicKey: Uint8Array;
  /** Key creation time; part of the fingerprint. */
  createdUnixSeconds: number;
  /** User ID, e.g. "Copr project <copr@example.org>". */
  userId: string;
  /** Signs the self-signature digest. */
  sign: Ed25519Signer;
  /** Self-signature hash (default 'sha256'). */
  hashAlgorithm?: HashAlgorithm;
  /** Self-signature creation time (default: the key creation time, so the certificate is deterministic). */
  signatureCreatedUnixSeconds?: number;
  /** Key flags and preferences (default {@link QSIGN_KEY_PREFERENCES}). */
  keyPreferences?: KeyPreferences;
}

/**
 * Builds a transferable public key (RFC 9580 §10.1.1): public-key packet, user ID
 * packet and a positive certification (0x13) self-signature, which is verified
 * before it is returned.
 *
 * @throws OpenPgpError SIGNER_FAILED if `sign` rejects, BAD_SIGNATURE if its result does not verify.
 * @example const cert = await buildCertificate({ publicKey, createdUnixSeconds, userId, sign: (d) => cluster.sign(d) });
 */
export async function buildCertificate(opts: CertificateOptions): Promise<Uint8Array> {
  check(typeof opts === 'object' && opts !== null, 'INVALID_ARGUMENT', 'options must be an object');
  const { publicKey, createdUnixSeconds, userId, sign } = opts;
  const hashAlgorithm = opts.hashAlgorithm ?? 'sha256';
  const sigTime = opts.signatureCreatedUnixSeconds ?? createdUnixSeconds;
  expectBytes(publicKey, 32, 'publicKey');
  expectTime(createdUnixSeconds, 'createdUnixSeconds');
  expectTime(sigTime, 'signatureCreatedUnixSeconds');
  check(sigTime >= createdUnixSeconds, 'INVALID_ARGUMENT', 'the self-signature cannot predate the key');
  expectHashAlgorithm(hashAlgorithm);
  check(typeof sign === 'function', 'INVALID_ARGUMENT', 'sign must be a function');
  const uid = userIdBytes(userId);
  const body = publicKeyPacketBody(publicKey, createdUnixSeconds);
  const { prepared, signature: sig } = await selfCertify(body, userId, { hashAlgorithm, createdUnixSeconds: sigTime, keyPreferences: opts.keyPreferences }, sign);
  expectBytes(sig, 64, 'signer result');
  let ok = false;
  try {
    ok = ed25519.verify(sig, prepared.digest, publicKey, { zip215: false });
  } catch {
    ok = false;
  }
  check(ok, 'BAD_SIGNATURE', 'the self-signature from the signer does not verify under publicKey');
  return concat(encodePacket(PacketTag.PublicKey, body), encodePacket(PacketTag.UserId, uid), finishSignature(prepared, sig));
}

/** What {@link selfCertify} writes besides the key and user ID. */
export interface SelfCertificationParams {
  hashAlgorithm: HashAlgorithm;
  /** Self-signature creation time. */
  createdUnixSeconds: number;
  /** Default {@link QSIGN_KEY_PREFERENCES}. */
  keyPreferences?: KeyPreferences | undefined;
  /** Public-key algorithm of the key (default 22, EdDSALegacy). */
  publicKeyAlgorithm?: SignatureParams['publicKeyAlgorithm'];
}

/**
 * Prepares the positive certification (0x13) of `userId` by the key whose packet body is
 * `body` (RFC 4880 §5.2.4) and asks `sign` for the signature of its digest.
 *
 * @throws OpenPgpError SIGNER_FAILED if `sign` rejects.
 */
export async function selfCertify(
  body: Uint8Array,
  userId: string,
  params: SelfCertificationParams,
  sign: (digest: Uint8Array) => Promise<Uint8Array>,
): Promise<{ prepared: PreparedSignature; signature: Uint8Array }> {
  const prepared = prepareCertification(
    {
      signatureType: SignatureType.PositiveCertification,
      hashAlgorithm: params.hashAlgorithm,
      createdUnixSeconds: params.createdUnixSeconds,
      issuerFingerprint: fingerprint(body),
      keyPreferences: params.keyPreferences ?? QSIGN_KEY_PREFERENCES,
      ...(params.publicKeyAlgorithm !== undefined && { publicKeyAlgorithm: params.publicKeyAlgorithm }),
    },
    body,
    userId,
  );
  try {
    return { prepared, signature: await sign(prepared.digest.slice()) };
  } catch (e) {
    throw new OpenPgpError('SIGNER_FAILED', 'the signer callback failed', { cause: e });
  }
}

/** The public facts of an Ed25519 certificate or key. */
export interface KeyInfo {
  /** 32-byte Ed25519 public key. */
  publicKey32: Uint8Array;
  /** Key creation time. */
  createdUnixSeconds: number;
  /** v4 fingerprint (RFC 9580 §5.5.4.2). */
  fingerprint: Uint8Array;
  /** v4 key ID. */
  keyId: Uint8Array;
  /** User IDs in packet order (UTF-8, lenient). Self-signatures are not checked here. */
  userIds: string[];
  /** The public-key packet body. */
  publicKeyBody: Uint8Array;
}

/**
 * Reads the primary key and user IDs of a transferable public key (RFC 9580 §10.1),
 * binary or armored. The primary key must be v4 EdDSALegacy on Ed25519.
 */
export function parseCertificate(input: Uint8Array | string): KeyInfo {
  const packets = parsePackets(toBinary(input, 'PUBLIC KEY BLOCK'));
  const first = packets[0]!;
  check(first.tag === PacketTag.PublicKey, 'MALFORMED', `a certificate starts with a public-key packet (6), got tag ${first.tag}`);
  const r = new Reader(first.body, 'public-key packet');
  const pub = readEd25519PublicFields(r);
  check(r.remaining === 0, 'MALFORMED', 'trailing bytes in the public-key packet');
  return keyInfo(pub.publicKey32, pub.createdUnixSeconds, pub.publicBody, packets.filter((p) => p.tag === PacketTag.UserId).map((p) => fromUtf8(p.body)));
}

/** Assembles a {@link KeyInfo}. */
export function keyInfo(publicKey32: Uint8Array, createdUnixSeconds: number, publicKeyBody: Uint8Array, userIds: string[]): KeyInfo {
  const fpr = fingerprint(publicKeyBody);
  return { publicKey32, createdUnixSeconds, fingerprint: fpr, keyId: keyId(fpr), userIds, publicKeyBody };
}

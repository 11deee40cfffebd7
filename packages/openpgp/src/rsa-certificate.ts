/** RSA transferable public keys (RFC 9580 §10.1): building with a signer, reading, keeping gpg's self-signatures. */
import { byteLength, type RsaHash } from '@qsign/threshold-rsa';
import { concat, expectTime, fromUtf8, readU32, Reader } from './bytes.js';
import { check } from './errors.js';
import { expectHashAlgorithm, type HashAlgorithm } from './hash.js';
import { fingerprint, keyId } from './key.js';
import { encodePacket, PacketTag, parsePackets, type Packet } from './packet.js';
import { toBinary } from './armor.js';
import { parseRsaSignatureBody, rsaHashOf, finishRsaSignature, verifyRsaCertification } from './rsa-signature.js';
import { readRsaPublicFields, rsaPublicKeyPacketBody, RSA_ALGORITHM, type RsaPublicKeyFields } from './rsa-key.js';
import { userIdBytes, type KeyPreferences } from './signature.js';
import { selfCertify } from './certificate.js';

/** An RSA signer: the k-octet RSASSA-PKCS1-v1_5 signature of `digest` (the cluster combining shares, or a ceremony). */
export type RsaSigner = (hash: RsaHash, digest: Uint8Array) => Promise<Uint8Array>;

/** Key expiration time subpacket (RFC 9580 §5.2.3.13): seconds after key creation. */
const KEY_EXPIRATION = 9;

/** The public facts of an RSA certificate or key. */
export interface RsaKeyInfo {
  /** RSA modulus. */
  n: bigint;
  /** RSA public exponent. */
  e: bigint;
  /** Key creation time. */
  createdUnixSeconds: number;
  /** Expiry from the newest valid self-certification (subpacket 9), if it sets one. */
  expiresUnixSeconds?: number;
  /** v4 fingerprint (RFC 9580 §5.5.4.2). */
  fingerprint: Uint8Array;
  /** v4 key ID. */
  keyId: Uint8Array;
  /** User IDs in packet order. */
  userIds: string[];
  /** The public-key packet body. */
  publicKeyBody: Uint8Array;
  /** The transferable public key (binary): what `gpg --export` gives, self-signatures kept. */
  certificate: Uint8Array;
}

/** Inputs of {@link buildRsaCertificate}. */
export interface RsaCertificateOptions {
  /** RSA modulus and public exponent. */
  n: bigint;
  e: bigint;
  /** Key creation time; part of the fingerprint. */
  createdUnixSeconds: number;
  /** User ID, e.g. "Copr project <copr@example.org>". */
  userId: string;
  /** Makes the self-signature. */
  sign: RsaSigner;
  /** Self-signature hash (default 'sha256'). */
  hashAlgorithm?: HashAlgorithm;
  /** Self-signature creation time (default: the key creation time). */
  signatureCreatedUnixSeconds?: number;
  /** Key flags and preferences (default {@link QSIGN_KEY_PREFERENCES}). */
  keyPreferences?: KeyPreferences;
}

/**
 * Builds a v4 RSA transferable public key: public-key packet, user ID and a positive
 * certification (0x13) made by `sign`, verified before it is returned. Default key flags and
 * preferences are {@link QSIGN_KEY_PREFERENCES}.
 *
 * @throws OpenPgpError SIGNER_FAILED if `sign` rejects, BAD_SIGNATURE if its result does not verify.
 */
export async function buildRsaCertificate(opts: RsaCertificateOptions): Promise<Uint8Array> {
  check(typeof opts === 'object' && opts !== null, 'INVALID_ARGUMENT', 'options must be an object');
  const hashAlgorithm = opts.hashAlgorithm ?? 'sha256';
  expectHashAlgorithm(hashAlgorithm);
  const hash = rsaHashOf(hashAlgorithm);
  const sigTime = opts.signatureCreatedUnixSeconds ?? opts.createdUnixSeconds;
  expectTime(sigTime, 'signatureCreatedUnixSeconds');
  check(sigTime >= opts.createdUnixSeconds, 'INVALID_ARGUMENT', 'the self-signature cannot predate the key');
  check(typeof opts.sign === 'function', 'INVALID_ARGUMENT', 'sign must be a function');
  const body = rsaPublicKeyPacketBody(opts.n, opts.e, opts.createdUnixSeconds);
  const uid = userIdBytes(opts.userId);
  const { prepared, signature: sig } = await selfCertify(
    body,
    opts.userId,
    { hashAlgorithm, createdUnixSeconds: sigTime, keyPreferences: opts.keyPreferences, publicKeyAlgorithm: RSA_ALGORITHM },
    (digest) => opts.sign(hash, digest),
  );
  check(sig instanceof Uint8Array && sig.length === byteLength(opts.n), 'BAD_SIGNATURE', `the signer must return a ${byteLength(opts.n)}-byte RSA signature`);
  const packet = finishRsaSignature(prepared, sig);
  const ok = verifyRsaCertification(parseRsaSignatureBody(parsePackets(packet)[0]!.body), body, uid, opts.n, opts.e);
  check(ok, 'BAD_SIGNATURE', 'the self-signature from the signer does not verify under (n, e)');
  return concat(encodePacket(PacketTag.PublicKey, body), encodePacket(PacketTag.UserId, uid), packet);
}

/**
 * Collects user IDs and the newest valid self-certification's expiry, and rewrites the packet
 * sequence as a transferable public key (RFC 9580 §10.1): `primary` becomes a public-key packet,
 * RSA secret subkeys become public subkeys, trust packets and non-RSA secret subkeys (with
 * their binding signatures) are dropped. Signatures are kept byte for byte.
 */
export function transferableRsaKey(primary: RsaPublicKeyFields, rest: readonly Packet[]): RsaKeyInfo {
  const out: Uint8Array[] = [encodePacket(PacketTag.PublicKey, primary.publicBody)];
  const userIds: string[] = [];
  let uid: Uint8Array | undefined;
  let skipping = false;
  let newest = -1;
  let expiresUnixSeconds: number | undefined;
  for (const p of rest) {
    if (p.tag === PacketTag.Trust) continue;
    if (p.tag === PacketTag.SecretSubkey || p.tag === PacketTag.PublicSubkey) {
      uid = undefined;
      let sub: RsaPublicKeyFields | undefined;
      try {
        sub = readRsaPublicFields(new Reader(p.body, 'subkey packet'));
      } catch {
        sub = undefined;
      }
      skipping = sub === undefined;
      if (sub !== undefined) out.push(encodePacket(PacketTag.PublicSubkey, sub.publicBody));
      continue;
    }
    if (skipping) continue;
    if (p.tag === PacketTag.UserId) {
      uid = p.body;
      userIds.push(fromUtf8(p.body));
    } else if (p.tag === PacketTag.Signature && uid !== undefined) {
      let sig;
      try {
        sig = parseRsaSignatureBody(p.body);
      } catch {
        sig = undefined; // not an RSA signature by this key: kept, not interpreted
      }
      if (sig && sig.signatureType >= 0x10 && sig.signatureType <= 0x13 && sig.createdUnixSeconds > newest && verifyRsaCertification(sig, primary.publicBody, uid, primary.n, primary.e)) {
        newest = sig.createdUnixSeconds;
        const ex = sig.hashedSubpackets.find((s) => s.type === KEY_EXPIRATION && s.body.length === 4);
        const secs = ex ? readU32(ex.body, 0) : 0;
        expiresUnixSeconds = secs === 0 ? undefined : primary.createdUnixSeconds + secs;
      }
    }
    out.push(encodePacket(p.tag, p.body));
  }
  const fpr = fingerprint(primary.publicBody);
  const info: RsaKeyInfo = {
    n: primary.n,
    e: primary.e,
    createdUnixSeconds: primary.createdUnixSeconds,
    fingerprint: fpr,
    keyId: keyId(fpr),
    userIds,
    publicKeyBody: primary.publicBody,
    certificate: concat(...out),
  };
  if (expiresUnixSeconds !== undefined) info.expiresUnixSeconds = expiresUnixSeconds;
  return info;
}

/** Reads an RSA transferable public key (binary or armored, RFC 9580 §10.1). */
export function parseRsaCertificate(input: Uint8Array | string): RsaKeyInfo {
  const packets = parsePackets(toBinary(input, 'PUBLIC KEY BLOCK'));
  const first = packets[0]!;
  check(first.tag === PacketTag.PublicKey, 'MALFORMED', `a certificate starts with a public-key packet (6), got tag ${first.tag}`);
  const r = new Reader(first.body, 'public-key packet');
  const pub = readRsaPublicFields(r);
  check(r.remaining === 0, 'MALFORMED', 'trailing bytes in the public-key packet');
  return transferableRsaKey(pub, packets.slice(1));
}

/** Importing an unprotected v4 RSA secret key as `gpg --export-secret-keys` writes it (RFC 4880 §5.5.3). */
import { bitLength, fromBytes } from '@qsign/threshold-rsa';
import { Reader } from './bytes.js';
import { check, OpenPgpError } from './errors.js';
import { toBinary } from './armor.js';
import { readMpi } from './mpi.js';
import { PacketTag, parsePackets } from './packet.js';
import { transferableRsaKey, type RsaKeyInfo } from './rsa-certificate.js';
import { readRsaPublicFields } from './rsa-key.js';

/** An imported RSA secret key. The primes are the whole key: never let them leave the ceremony host. */
export interface SecretRsaKeyMaterial extends RsaKeyInfo {
  /** Private exponent as gpg stored it. */
  d: bigint;
  /** The primes, p < q as OpenPGP stores them. */
  p: bigint;
  q: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

/**
 * Parses `gpg --export-secret-keys` output (binary or armored) for an RSA key without a
 * passphrase: a v4 secret-key packet, algorithm 1, S2K usage 0, MPIs d, p, q, u and the
 * two-octet checksum (RFC 4880 §5.5.3). n must equal p·q and e·d ≡ 1 mod lcm(p − 1, q − 1).
 * The returned certificate keeps the fingerprint, user IDs, expiry and gpg's self-signatures.
 *
 * @throws OpenPgpError ENCRYPTED_KEY for passphrase-protected or stub keys, BAD_CHECKSUM,
 *   KEY_MISMATCH, UNSUPPORTED_ALGORITHM (not RSA), MALFORMED, TRUNCATED.
 */
export function parseRsaSecretKey(input: Uint8Array | string): SecretRsaKeyMaterial {
  const packets = parsePackets(toBinary(input, 'PRIVATE KEY BLOCK'));
  const first = packets[0]!;
  if (first.tag === PacketTag.PublicKey) throw new OpenPgpError('INVALID_ARGUMENT', 'this is a public key, not a secret key');
  check(first.tag === PacketTag.SecretKey, 'MALFORMED', `a secret key starts with a secret-key packet (5), got tag ${first.tag}`);
  const r = new Reader(first.body, 'secret-key packet');
  const pub = readRsaPublicFields(r);
  const usage = r.u8();
  if (usage !== 0) {
    throw new OpenPgpError(
      'ENCRYPTED_KEY',
      `the secret key is protected (S2K usage ${usage}); remove the passphrase first (gpg --passwd, empty passphrase) or it is a card/stub key`,
    );
  }
  const secretStart = r.pos;
  const [d, p, q] = [readMpi(r), readMpi(r), readMpi(r)].map(fromBytes) as [bigint, bigint, bigint];
  readMpi(r); // u = p⁻¹ mod q, recomputed where needed
  let sum = 0;
  for (let i = secretStart; i < r.pos; i++) sum = (sum + first.body[i]!) & 0xffff;
  const checksum = r.u16();
  check(r.remaining === 0, 'MALFORMED', 'trailing bytes in the secret-key packet');
  check(sum === checksum, 'BAD_CHECKSUM', 'secret-key checksum mismatch');
  check(p > 1n && q > 1n && p * q === pub.n, 'KEY_MISMATCH', 'the secret primes do not multiply to the public modulus');
  const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
  check(d > 0n && bitLength(d) <= bitLength(pub.n) && (pub.e * d) % lambda === 1n, 'KEY_MISMATCH', 'the secret exponent does not match the public exponent');
  return { ...transferableRsaKey(pub, packets.slice(1)), d, p, q };
}

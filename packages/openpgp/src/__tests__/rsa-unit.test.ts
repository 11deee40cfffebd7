// RSA key packets, signatures and secret keys: malformed input gets a typed error.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { concat } from '../bytes.js';
import {
  encodeMpi,
  encodePacket,
  finishRsaSignature,
  finishSignature,
  parseRsaCertificate,
  parseRsaSecretKey,
  parseRsaSignature,
  prepareSignature,
  PacketTag,
  RSA_ALGORITHM,
  rsaPublicKeyPacketBody,
  SignatureType,
} from '../index.js';
import { errorCode } from './helpers.js';

const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const big = (s: string): bigint => BigInt(`0x${Buffer.from(s, 'base64url').toString('hex')}`);
const bytes = (x: bigint): Uint8Array => Uint8Array.from(Buffer.from(x.toString(16).padStart(Math.ceil(x.toString(16).length / 2) * 2, '0'), 'hex'));
const n = big(jwk.n!);
const e = big(jwk.e!);
const T = 1_700_000_000;
const keyBody = (nn: Uint8Array, ee: Uint8Array, alg = RSA_ALGORITHM): Uint8Array => concat(Uint8Array.of(4, 0x65, 0x53, 0xf1, 0x00, alg), encodeMpi(nn), encodeMpi(ee));

describe('RSA key packets', () => {
  it('round-trips n, e and creation time', () => {
    const info = parseRsaCertificate(encodePacket(PacketTag.PublicKey, rsaPublicKeyPacketBody(n, e, T)));
    expect([info.n, info.e, info.createdUnixSeconds]).toEqual([n, e, T]);
  });
  it('refuses an even modulus, a short modulus, an oversized or even exponent, and a non-RSA algorithm', () => {
    const cert = (b: Uint8Array) => encodePacket(PacketTag.PublicKey, b);
    expect(errorCode(() => parseRsaCertificate(cert(keyBody(bytes(n - 1n), bytes(e)))))).toBe('MALFORMED');
    expect(errorCode(() => parseRsaCertificate(cert(keyBody(bytes(n >> 1100n), bytes(e)))))).toBe('MALFORMED');
    expect(errorCode(() => parseRsaCertificate(cert(keyBody(bytes(n), bytes((1n << 65n) + 1n)))))).toBe('MALFORMED');
    expect(errorCode(() => parseRsaCertificate(cert(keyBody(bytes(n), bytes(65536n)))))).toBe('MALFORMED');
    expect(errorCode(() => parseRsaCertificate(cert(keyBody(bytes(n), bytes(e), 22))))).toBe('UNSUPPORTED_ALGORITHM');
  });
  it('refuses a truncated modulus MPI', () => {
    const body = keyBody(bytes(n), bytes(e));
    expect(errorCode(() => parseRsaCertificate(encodePacket(PacketTag.PublicKey, body.slice(0, 100))))).toBe('TRUNCATED');
  });
});

describe('RSA signatures', () => {
  const prepared = prepareSignature(
    { signatureType: SignatureType.Binary, hashAlgorithm: 'sha256', createdUnixSeconds: T, issuerFingerprint: new Uint8Array(20).fill(7), publicKeyAlgorithm: RSA_ALGORITHM },
    'data',
  );
  it('writes one MPI and parses it back', () => {
    const s = new Uint8Array(256).fill(0x5a);
    s[0] = 0; // a leading zero octet: stripped in the MPI (RFC 9580 §3.2)
    const sig = parseRsaSignature(finishRsaSignature(prepared, s));
    expect(sig.signature).toEqual(s.subarray(1));
    expect(sig.minimalMpi).toBe(true);
  });
  it('will not finish an RSA-prepared signature as Ed25519, or the reverse', () => {
    expect(errorCode(() => finishSignature(prepared, new Uint8Array(64)))).toBe('INVALID_ARGUMENT');
    const ed = prepareSignature({ signatureType: SignatureType.Binary, hashAlgorithm: 'sha256', createdUnixSeconds: T, issuerFingerprint: new Uint8Array(20) }, 'data');
    expect(errorCode(() => finishRsaSignature(ed, new Uint8Array(256)))).toBe('INVALID_ARGUMENT');
  });
});

describe('RSA secret keys', () => {
  const secretBody = (d: bigint, p: bigint, q: bigint, usage = 0): Uint8Array => {
    const secret = concat(encodeMpi(bytes(d)), encodeMpi(bytes(p)), encodeMpi(bytes(q)), encodeMpi(bytes(1n)));
    let sum = 0;
    for (const b of secret) sum = (sum + b) & 0xffff;
    return concat(rsaPublicKeyPacketBody(n, e, T), Uint8Array.of(usage), secret, Uint8Array.of(sum >> 8, sum & 0xff));
  };
  const [d, p, q] = [big(jwk.d!), big(jwk.p!), big(jwk.q!)];
  it('imports an unprotected key', () => {
    const k = parseRsaSecretKey(encodePacket(PacketTag.SecretKey, secretBody(d, p, q)));
    expect([k.n, k.p * k.q]).toEqual([n, n]);
  });
  it('refuses primes that do not match n and a d that does not match e', () => {
    expect(errorCode(() => parseRsaSecretKey(encodePacket(PacketTag.SecretKey, secretBody(d, p + 2n, q))))).toBe('KEY_MISMATCH');
    expect(errorCode(() => parseRsaSecretKey(encodePacket(PacketTag.SecretKey, secretBody(d + 2n, p, q))))).toBe('KEY_MISMATCH');
  });
  it('refuses a bad checksum and a protected key', () => {
    const b = secretBody(d, p, q);
    b[b.length - 1] ^= 1;
    expect(errorCode(() => parseRsaSecretKey(encodePacket(PacketTag.SecretKey, b)))).toBe('BAD_CHECKSUM');
    expect(errorCode(() => parseRsaSecretKey(encodePacket(PacketTag.SecretKey, secretBody(d, p, q, 254))))).toBe('ENCRYPTED_KEY');
  });
});

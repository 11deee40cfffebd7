// Fuzz-style robustness of the RSA parsers: mutated key exports, certificates and signature
// packets. The only acceptable failure is an OpenPgpError (never a RangeError, a
// ThresholdRsaError or a hang).
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { concat } from '../bytes.js';
import {
  encodeMpi,
  encodePacket,
  finishRsaSignature,
  OpenPgpError,
  PacketTag,
  parseRsaCertificate,
  parseRsaSecretKey,
  parseRsaSignature,
  prepareSignature,
  RSA_ALGORITHM,
  rsaPublicKeyPacketBody,
  SignatureType,
  verifyRsaSignaturePacket,
} from '../index.js';
import { mutate, prng } from './helpers.js';

const T = 1_700_000_000;
const ITERATIONS = 1500;
const SEED = Number(process.env.FUZZ_SEED ?? 0x75a);
const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const int = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'base64url'));
const big = (s: string): bigint => BigInt(`0x${Buffer.from(s, 'base64url').toString('hex')}`);
const [n, e] = [big(jwk.n!), big(jwk.e!)];

function secretExport(): Uint8Array {
  const secret = concat(encodeMpi(int(jwk.d!)), encodeMpi(int(jwk.p!)), encodeMpi(int(jwk.q!)), encodeMpi(int(jwk.qi!)));
  let sum = 0;
  for (const b of secret) sum = (sum + b) & 0xffff;
  const body = concat(rsaPublicKeyPacketBody(n, e, T), Uint8Array.of(0), secret, Uint8Array.of(sum >> 8, sum & 0xff));
  return concat(encodePacket(PacketTag.SecretKey, body), encodePacket(PacketTag.UserId, new TextEncoder().encode('Fuzz <f@example.org>')));
}

function onlyOpenPgpErrors(input: Uint8Array, f: (b: Uint8Array) => unknown): void {
  const r = prng(SEED);
  for (let i = 0; i < ITERATIONS; i++) {
    const m = mutate(r, input);
    try {
      f(m);
    } catch (err) {
      if (!(err instanceof OpenPgpError)) throw new Error(`iteration ${i} (seed ${SEED}): ${String(err)}`);
    }
  }
}

describe('RSA parsers under mutation', () => {
  it('parseRsaSecretKey throws only OpenPgpError', () => {
    const exp = secretExport();
    expect(parseRsaSecretKey(exp).n).toBe(n);
    onlyOpenPgpErrors(exp, parseRsaSecretKey);
  });
  it('parseRsaCertificate throws only OpenPgpError', () => {
    onlyOpenPgpErrors(encodePacket(PacketTag.PublicKey, rsaPublicKeyPacketBody(n, e, T)), parseRsaCertificate);
  });
  it('parseRsaSignature and verifyRsaSignaturePacket throw only OpenPgpError', () => {
    const prepared = prepareSignature({ signatureType: SignatureType.Binary, hashAlgorithm: 'sha256', createdUnixSeconds: T, issuerFingerprint: new Uint8Array(20), publicKeyAlgorithm: RSA_ALGORITHM }, 'x');
    const sig = finishRsaSignature(prepared, new Uint8Array(256).fill(0x42));
    onlyOpenPgpErrors(sig, parseRsaSignature);
    onlyOpenPgpErrors(sig, (b) => verifyRsaSignaturePacket(b, 'x', n, e));
  });
});

/**
 * Threshold signatures against OpenSSL (node:crypto): PKCS#1 v1.5 is deterministic, so a
 * combined signature must be byte-identical to sign() with the undivided key (issue 11,
 * acceptance 2), with the OpenSSL modexp backend and with the pure one.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, randomInt, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendName, combine, dealShares, pureBackend, setModexpBackend, signShare, type RsaHash, type SecretRsaKey } from '@qsign/threshold-rsa';
import { installNativeModexp, nodeSafePrime, opensslDhBackend, selfTest } from '../index.js';
import { KNOWN_ANSWERS, SELF_TEST_MODULUS } from '../self-test.js';
import { generateSafePrimeKey } from '@qsign/threshold-rsa';

const big = (s: string): bigint => BigInt(`0x${Buffer.from(s, 'base64url').toString('hex')}`);
const b64 = (x: bigint): string => {
  const h = x.toString(16);
  return Buffer.from(h.length % 2 ? `0${h}` : h, 'hex').toString('base64url');
};

/** A fresh OpenSSL RSA key and its parts. */
function opensslKey(bits: number): { key: KeyObject; parts: SecretRsaKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const j = privateKey.export({ format: 'jwk' });
  return { key: privateKey, parts: { n: big(j.n!), e: big(j.e!), p: big(j.p!), q: big(j.q!) } };
}

/** A node:crypto key object for parts made elsewhere (e.g. safe primes). */
function keyObjectOf({ n, e, p, q }: SecretRsaKey): KeyObject {
  const inv = (a: bigint, m: bigint): bigint => {
    let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
    while (r1 !== 0n) {
      const t = r0 / r1;
      [r0, r1, s0, s1] = [r1, r0 - t * r1, s1, s0 - t * s1];
    }
    return ((s0 % m) + m) % m;
  };
  const d = inv(e, (p - 1n) * (q - 1n));
  const jwk = { kty: 'RSA', n: b64(n), e: b64(e), d: b64(d), p: b64(p), q: b64(q), dp: b64(d % (p - 1n)), dq: b64(d % (q - 1n)), qi: b64(inv(q, p)) };
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

/** A random 3-subset of 1..5, in random order. */
function randomSubset(): number[] {
  const all = [1, 2, 3, 4, 5];
  for (let i = all.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, 3);
}

function thresholdSign(parts: SecretRsaKey, dealt: ReturnType<typeof dealShares>, hash: RsaHash, data: Uint8Array, signers: number[]): Buffer {
  const digest = createHash(hash).update(data).digest();
  const shares = signers.map((i) => signShare(dealt.publicKey, dealt.shares[i - 1]!, hash, digest));
  const { signature, excluded } = combine(dealt.publicKey, hash, digest, shares);
  expect(excluded).toEqual([]);
  void parts;
  return Buffer.from(signature);
}

describe('OpenSSL modexp backend', () => {
  beforeAll(() => {
    expect(installNativeModexp({ log: () => {} })).toBe('openssl-dh');
  });
  afterAll(() => setModexpBackend(pureBackend));

  it('passes its self-test and agrees with the pure backend on random values', () => {
    const be = opensslDhBackend();
    selfTest(be);
    const { parts } = opensslKey(2048);
    for (let i = 0; i < 20; i++) {
      const b = BigInt(`0x${randomBytes(256).toString('hex')}`) % parts.n;
      const e = BigInt(`0x${randomBytes(260).toString('hex')}`);
      expect(be.modPowSecret(b, e, parts.n)).toBe(pureBackend.modPowSecret(b, e, parts.n));
    }
    expect(be.modPowSecret(1n, 12345n, parts.n)).toBe(1n); // OpenSSL refuses these; the fallback answers
    expect(be.modPowSecret(parts.n - 1n, 3n, parts.n)).toBe(parts.n - 1n);
  });

  it("the self-test's known answers are what the pure backend and a plain square-and-multiply compute, and a wrong backend fails it", () => {
    const squareAndMultiply = (b: bigint, e: bigint, m: bigint) => {
      let r = 1n;
      for (b %= m; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
      return r;
    };
    for (const [b, e, want] of KNOWN_ANSWERS) {
      expect(pureBackend.modPowSecret(b, e, SELF_TEST_MODULUS)).toBe(want);
      expect(squareAndMultiply(b, e, SELF_TEST_MODULUS)).toBe(want);
    }
    const offByOne = { name: 'off-by-one', modPowSecret: (b: bigint, e: bigint, m: bigint) => (pureBackend.modPowSecret(b, e, m) + (e > 1n << 1000n ? 1n : 0n)) % m };
    expect(() => selfTest(offByOne)).toThrow(/off-by-one modexp self-test failed/);
  });

  it('1,000 random 3-of-5 RSA-2048 signatures over random signer subsets equal node:crypto sign(sha256), byte for byte', () => {
    const { key, parts } = opensslKey(2048);
    const dealt = dealShares(parts, { parties: 5, threshold: 3 });
    expect(dealt.publicKey.verification).toBeUndefined(); // an ordinary (imported-style) key
    for (let i = 0; i < 1000; i++) {
      const data = randomBytes(1 + randomInt(200));
      const got = thresholdSign(parts, dealt, 'sha256', data, randomSubset());
      expect(got.equals(sign('sha256', data, key)), `signature ${i}`).toBe(true);
    }
  }, 600_000);

  for (const bits of [3072, 4096]) {
    it(`RSA-${bits} 3-of-5 signatures with SHA-256 and SHA-512 equal node:crypto sign()`, () => {
      const { key, parts } = opensslKey(bits);
      const dealt = dealShares(parts, { parties: 5, threshold: 3 });
      for (let i = 0; i < 10; i++) {
        const hash: RsaHash = i % 2 === 0 ? 'sha256' : 'sha512';
        const data = randomBytes(64);
        expect(thresholdSign(parts, dealt, hash, data, randomSubset()).equals(sign(hash, data, key))).toBe(true);
      }
    }, 600_000);
  }

  it('a new safe-prime RSA-2048 key signs with proofs, equal to node:crypto, and names a corrupted share by proof', () => {
    const parts = generateSafePrimeKey({ bits: 2048, safePrime: nodeSafePrime });
    const key = keyObjectOf(parts);
    const dealt = dealShares(parts, { parties: 5, threshold: 3, proofs: 'require' });
    for (let i = 0; i < 20; i++) {
      const data = randomBytes(32);
      expect(thresholdSign(parts, dealt, 'sha256', data, randomSubset()).equals(sign('sha256', data, key))).toBe(true);
    }
    const data = randomBytes(32);
    const digest = createHash('sha256').update(data).digest();
    const shares = dealt.shares.map((s) => signShare(dealt.publicKey, s, 'sha256', digest));
    shares[3] = { ...shares[3]!, value: (shares[3]!.value * 7n) % parts.n };
    const { signature, excluded } = combine(dealt.publicKey, 'sha256', digest, shares);
    expect(excluded).toEqual([4]);
    expect(Buffer.from(signature).equals(sign('sha256', data, key))).toBe(true);
  }, 600_000);

  it('finds a corrupted share by combination for an imported key and still equals node:crypto', () => {
    const { key, parts } = opensslKey(2048);
    const dealt = dealShares(parts, { parties: 5, threshold: 3 });
    const data = randomBytes(32);
    const digest = createHash('sha256').update(data).digest();
    const shares = dealt.shares.map((s) => signShare(dealt.publicKey, s, 'sha256', digest));
    shares[1] = { ...shares[1]!, value: (shares[1]!.value + 1n) % parts.n };
    const { signature, excluded } = combine(dealt.publicKey, 'sha256', digest, shares);
    expect(excluded).toEqual([2]);
    expect(Buffer.from(signature).equals(sign('sha256', data, key))).toBe(true);
  }, 600_000);
});

describe('pure BigInt fallback', () => {
  it('is byte-identical to the OpenSSL backend and to node:crypto', () => {
    setModexpBackend(pureBackend);
    expect(backendName()).toBe('bigint');
    const { key, parts } = opensslKey(2048);
    const dealt = dealShares(parts, { parties: 5, threshold: 3 });
    const data = randomBytes(48);
    const pure = thresholdSign(parts, dealt, 'sha256', data, [5, 1, 3]);
    installNativeModexp({ log: () => {} });
    expect(backendName()).toBe('openssl-dh');
    const native = thresholdSign(parts, dealt, 'sha256', data, [5, 1, 3]);
    setModexpBackend(pureBackend);
    expect(pure.equals(native)).toBe(true);
    expect(pure.equals(sign('sha256', data, key))).toBe(true);
  }, 600_000);

  it('QSIGN_RSA_BACKEND=bigint keeps the pure backend and says so', () => {
    const lines: string[] = [];
    expect(installNativeModexp({ env: { QSIGN_RSA_BACKEND: 'bigint' }, log: (m) => lines.push(m) })).toBe('bigint');
    expect(lines).toEqual(['threshold-rsa modexp backend: bigint (QSIGN_RSA_BACKEND=bigint)']);
  });
});

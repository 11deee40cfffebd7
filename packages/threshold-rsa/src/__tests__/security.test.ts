/** Blame, refusals and input validation of @qsign/threshold-rsa (pure backend). */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  combine,
  dealShares,
  decodePublicKey,
  emsaPkcs1v15Encode,
  encodePublicKey,
  generateSafePrimeKey,
  safePrimeKey,
  modPowSecret,
  parseEmsaPkcs1v15,
  pureBackend,
  signShare,
  ThresholdRsaError,
  verifyShare,
  type RsaSignatureShare,
  type ThresholdRsaErrorCode,
} from '../index.js';
import { MESSAGE, vector } from './helpers.js';

const sha256 = (m: Uint8Array): Uint8Array => Uint8Array.from(createHash('sha256').update(m).digest());
const digest = sha256(MESSAGE);
const corrupt = (s: RsaSignatureShare, n: bigint): RsaSignatureShare => ({ ...s, value: (s.value * 3n) % n });

function codeOf(f: () => unknown): ThresholdRsaErrorCode | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof ThresholdRsaError) return e.code;
    throw e;
  }
  return undefined;
}

function errorOf(f: () => unknown): ThresholdRsaError {
  try {
    f();
  } catch (e) {
    if (e instanceof ThresholdRsaError) return e;
    throw e;
  }
  throw new Error('expected a ThresholdRsaError');
}

describe('blame', () => {
  const safe = vector('safe-prime-2048-sha256');
  const imported = vector('imported-2048-sha256');

  it('names a corrupted share by its failing proof (safe-prime key) and still signs', () => {
    const shares = safe.signatureShares.map((s) => (s.index === 2 ? corrupt(s, safe.publicKey.n) : s));
    expect(verifyShare(safe.publicKey, 'sha256', digest, shares[1]!)).toBe(false);
    const { signature, excluded } = combine(safe.publicKey, 'sha256', digest, shares);
    expect(excluded).toEqual([2]);
    expect(signature).toEqual(safe.signature);
  });

  it('refuses a correct share value carrying another share\'s proof', () => {
    const s1 = safe.signatureShares[0]!;
    const forged = { ...s1, proof: safe.signatureShares[1]!.proof! };
    expect(verifyShare(safe.publicKey, 'sha256', digest, forged)).toBe(false);
  });

  it('refuses a proof made for another message', () => {
    const other = sha256(new TextEncoder().encode('another message'));
    const s = signShare(safe.publicKey, safe.secretShares[0]!, 'sha256', other);
    expect(verifyShare(safe.publicKey, 'sha256', digest, s)).toBe(false);
  });

  it('finds a corrupted share by combination (imported key without proofs) and still signs', () => {
    const shares = imported.signatureShares.map((s) => (s.index === 1 ? corrupt(s, imported.publicKey.n) : s));
    const { signature, excluded } = combine(imported.publicKey, 'sha256', digest, shares);
    expect(excluded).toEqual([1]);
    expect(signature).toEqual(imported.signature);
  });

  it('finds two independently corrupted shares among five by combination', () => {
    const shares = imported.signatureShares.map((s) => (s.index === 1 ? corrupt(s, imported.publicKey.n) : s.index === 4 ? { ...s, value: (s.value * 5n) % imported.publicKey.n } : s));
    const { signature, excluded } = combine(imported.publicKey, 'sha256', digest, shares);
    expect(excluded).toEqual([1, 4]);
    expect(signature).toEqual(imported.signature);
  });

  it('never blames an honest share when two bad shares are crafted to cancel in one subset', () => {
    // λ_1 + λ_4 = 0 for S = {1, 4, 5}: multiplying x_1 and x_4 by the same factor cancels there.
    const shares = imported.signatureShares.map((s) => (s.index === 1 || s.index === 4 ? corrupt(s, imported.publicKey.n) : s));
    const { signature, excluded } = combine(imported.publicKey, 'sha256', digest, shares);
    expect(signature).toEqual(imported.signature);
    for (const honest of [2, 3, 5]) expect(excluded).not.toContain(honest);
  });

  it('never blames an honest share when a cancelling pair is among fewer than 2k − 1 shares', () => {
    // Shares 1 and 4 cancel in {1, 4, 5}; with share 2 also given, 2 lies in no verifying
    // subset, yet it is honest: with 4 < 2k − 1 shares membership proves nothing.
    const shares = imported.signatureShares.filter((s) => s.index !== 3).map((s) => (s.index === 1 || s.index === 4 ? corrupt(s, imported.publicKey.n) : s));
    const { signature, excluded } = combine(imported.publicKey, 'sha256', digest, shares);
    expect(signature).toEqual(imported.signature);
    expect(excluded).not.toContain(2);
    expect(excluded).not.toContain(5);
  });

  it('refuses to sign when fewer than k shares have valid proofs, naming the bad ones', () => {
    const shares = safe.signatureShares.slice(0, 3).map((s) => (s.index === 3 ? corrupt(s, safe.publicKey.n) : s));
    const e = errorOf(() => combine(safe.publicKey, 'sha256', digest, shares));
    expect(e.code).toBe('NOT_ENOUGH_SHARES');
    expect(e.culprits).toEqual([3]);
  });

  it('says a bad share among exactly k cannot be named without proofs', () => {
    const shares = imported.signatureShares.slice(0, 3).map((s) => (s.index === 3 ? corrupt(s, imported.publicKey.n) : s));
    const e = errorOf(() => combine(imported.publicKey, 'sha256', digest, shares));
    expect(e.code).toBe('NOT_ENOUGH_SHARES');
    expect(e.culprits).toBeUndefined();
    expect(e.message).toMatch(/cannot be named/);
  });

  it('names an out-of-range share value without arithmetic', () => {
    const shares = imported.signatureShares.map((s) => (s.index === 5 ? { ...s, value: imported.publicKey.n } : s));
    expect(combine(imported.publicKey, 'sha256', digest, shares).excluded).toEqual([5]);
  });

  it('refuses two shares for the same index', () => {
    const s = imported.signatureShares;
    expect(codeOf(() => combine(imported.publicKey, 'sha256', digest, [s[0]!, s[1]!, s[1]!]))).toBe('INVALID_PARAMETERS');
  });
});

describe('input validation', () => {
  const c = vector('imported-2048-sha256');

  it('refuses a wrong-size modulus when dealing and decoding', () => {
    const small = { ...c.key, n: c.key.n >> 8n };
    expect(codeOf(() => dealShares(small, { parties: 5, threshold: 3 }))).toBe('WRONG_MODULUS_SIZE');
    expect(codeOf(() => decodePublicKey({ ...encodePublicKey(c.publicKey), n: (c.publicKey.n >> 1n).toString(16) }))).toBe('WRONG_MODULUS_SIZE');
  });

  it('refuses 1024-, 1536- and 8192-bit moduli: RSA-2048, 3072 and 4096 only', () => {
    for (const bits of [1024, 1536, 8192]) {
      const n = (1n << BigInt(bits - 1)) | 1n | (c.key.n & ((1n << 512n) - 1n));
      const err = errorOf(() => decodePublicKey({ ...encodePublicKey(c.publicKey), n: n.toString(16) }));
      expect(err.code).toBe('WRONG_MODULUS_SIZE');
      expect(err.message).toBe(`modulus is ${bits} bits; RSA-2048, 3072 and 4096 are supported`);
      expect(codeOf(() => safePrimeKey(bits, c.key.p, c.key.q))).toBe('WRONG_MODULUS_SIZE');
    }
  });

  it('safePrimeKey re-checks the primes it is handed: a non-safe prime is BACKEND_FAILED, a pair making a short n is skipped', () => {
    expect(codeOf(() => safePrimeKey(2048, c.key.p, c.key.q))).toBe('BACKEND_FAILED');
    const safe = vector('safe-prime-2048-sha256').key;
    expect(safePrimeKey(2048, safe.p, safe.q)).toEqual({ n: safe.n, e: 65537n, p: safe.p, q: safe.q });
    expect(safePrimeKey(2048, safe.p, safe.p)).toBeUndefined();
  });

  it('refuses a key whose n is not p·q', () => {
    expect(codeOf(() => dealShares({ ...c.key, p: c.key.p + 2n }, { parties: 5, threshold: 3 }))).toBe('INVALID_KEY');
  });

  it('refuses oversized or even public exponents and share exponents not below n', () => {
    expect(codeOf(() => decodePublicKey({ ...encodePublicKey(c.publicKey), e: (2n ** 64n + 1n).toString(16) }))).toBe('OVERSIZED_EXPONENT');
    expect(codeOf(() => decodePublicKey({ ...encodePublicKey(c.publicKey), e: '10000' }))).toBe('OVERSIZED_EXPONENT');
    expect(codeOf(() => signShare(c.publicKey, { index: 1, secret: c.publicKey.n }, 'sha256', digest))).toBe('OVERSIZED_EXPONENT');
  });

  it('refuses an encoded message that is not EMSA-PKCS1-v1_5', () => {
    const em = emsaPkcs1v15Encode('sha256', digest, 256);
    expect(parseEmsaPkcs1v15(em)).toEqual({ hash: 'sha256', digest });
    for (const bad of [Uint8Array.from(em).fill(0x7f, 0, 1), Uint8Array.from(em).fill(0xfe, 10, 11), em.slice(1), new Uint8Array(256)]) {
      expect(codeOf(() => parseEmsaPkcs1v15(bad))).toBe('NOT_PKCS1');
    }
  });

  it('refuses a digest of the wrong length or an unknown hash', () => {
    expect(codeOf(() => signShare(c.publicKey, c.secretShares[0]!, 'sha256', new Uint8Array(31)))).toBe('INVALID_DIGEST');
    expect(codeOf(() => signShare(c.publicKey, c.secretShares[0]!, 'sha1' as 'sha256', new Uint8Array(20)))).toBe('INVALID_DIGEST');
  });

  it('refuses proofs for a key without safe primes', () => {
    expect(codeOf(() => dealShares(c.key, { parties: 5, threshold: 3, proofs: 'require' }))).toBe('INVALID_KEY');
  });

  it('refuses a prime source that returns a prime that is not safe', () => {
    expect(codeOf(() => generateSafePrimeKey({ bits: 2048, safePrime: () => c.key.p }))).toBe('BACKEND_FAILED');
    expect(codeOf(() => generateSafePrimeKey({ bits: 1024, safePrime: () => c.key.p }))).toBe('WRONG_MODULUS_SIZE');
  });
});

describe('pure backend', () => {
  it('agrees with square-and-multiply on random values', () => {
    const n = vector('imported-2048-sha256').key.n;
    for (let i = 1n; i < 20n; i++) {
      const b = (i * 0x9e3779b97f4a7c15n) ** 30n % n;
      const e = (i * 0x123456789abcdefn) ** 15n;
      let r = 1n;
      for (let x = b, y = e; y > 0n; y >>= 1n, x = (x * x) % n) if (y & 1n) r = (r * x) % n;
      expect(pureBackend.modPowSecret(b, e, n)).toBe(r);
      expect(modPowSecret(b, e, n)).toBe(r);
    }
  });
});

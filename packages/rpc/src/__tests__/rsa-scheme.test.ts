/**
 * Threshold RSA through the signature-scheme seam (shoupRsaScheme): what nodes make and the
 * coordinator combines is byte-identical to OpenSSL's PKCS#1 v1.5 signature with the
 * original key, OpenSSL accepts it, and a corrupted share is named — by its proof for a
 * safe-prime key, by combination (given every node's share) for an imported key.
 */
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodePublicKey, decodeSecretShare, toBytes, type ThresholdRsaPublicKeyJSON } from '@qsign/threshold-rsa';
import { rsaSchemeKey, shoupRsaScheme, type SchemeShare } from '@qsign/protocol';
import { opensslRsaVerify } from '../openssl-rsa.js';

interface RawCase {
  name: string;
  hash: 'sha256' | 'sha512';
  key: Record<'n' | 'e' | 'p' | 'q', string>;
  publicKey: ThresholdRsaPublicKeyJSON;
  secretShares: Array<{ index: number; secret: string }>;
}
const raw = JSON.parse(readFileSync(new URL('../../../threshold-rsa/src/__tests__/vectors/shoup-vectors.json', import.meta.url), 'utf8')) as { cases: RawCase[] };
const scheme = shoupRsaScheme(opensslRsaVerify);
const data = new TextEncoder().encode('qsign threshold RSA through the seam');

/** The original key as node:crypto sees it (JWK with CRT parameters). */
function privateKeyOf(c: RawCase) {
  const [n, e, p, q] = (['n', 'e', 'p', 'q'] as const).map((f) => BigInt(`0x${c.key[f]}`)) as [bigint, bigint, bigint, bigint];
  const inv = (a: bigint, m: bigint): bigint => {
    let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
    while (r1 !== 0n) [r0, r1, s0, s1] = [r1, r0 % r1, s1, s0 - (r0 / r1) * s1];
    return ((s0 % m) + m) % m;
  };
  const d = inv(e, (p - 1n) * (q - 1n));
  const b = (x: bigint) => Buffer.from(toBytes(x, Math.ceil(x.toString(16).length / 2))).toString('base64url');
  return createPrivateKey({ key: { kty: 'RSA', n: b(n), e: b(e), d: b(d), p: b(p), q: b(q), dp: b(d % (p - 1n)), dq: b(d % (q - 1n)), qi: b(inv(q, p)) }, format: 'jwk' });
}

function setup(name: string) {
  const c = raw.cases.find((x) => x.name === name)!;
  const key = rsaSchemeKey(decodePublicKey(c.publicKey));
  const digest = createHash(c.hash).update(data).digest();
  const shares = c.secretShares.map(decodeSecretShare).map((s) => scheme.signShare({ identifier: s.index, share: toBytes(s.secret, Math.ceil(s.secret.toString(16).length / 2)) }, key, undefined, [], digest));
  const reference = new Uint8Array(sign(c.hash, data, privateKeyOf(c)));
  return { key, digest, shares, reference };
}

function corrupt(s: SchemeShare): SchemeShare {
  const share = s.share.slice();
  share[10]! ^= 0x01;
  return { identifier: s.identifier, share };
}

const subsets = (ids: number[], k: number): number[][] => (k === 0 ? [[]] : ids.length < k ? [] : [...subsets(ids.slice(1), k - 1).map((s) => [ids[0]!, ...s]), ...subsets(ids.slice(1), k)]);

describe('threshold RSA through the scheme seam', () => {
  for (const name of ['imported-2048-sha256', 'imported-2048-sha512', 'safe-prime-2048-sha256', 'safe-prime-2048-sha512']) {
    it(`every 3-of-5 signer set combines to node:crypto's signature, byte for byte, and OpenSSL verifies it (${name})`, () => {
      const { key, digest, shares, reference } = setup(name);
      for (const set of subsets([1, 2, 3, 4, 5], 3)) {
        const sig = scheme.combine(shares.filter((s) => set.includes(s.identifier)), key, [], digest);
        expect(Buffer.from(sig).toString('hex')).toBe(Buffer.from(reference).toString('hex'));
        expect(scheme.verify(sig, digest, key)).toBe(true);
      }
      expect(scheme.verify(reference.map((b, i) => (i === 5 ? b ^ 1 : b)), digest, key)).toBe(false);
    });
  }

  it('names a corrupted share of a safe-prime key by its proof among only k shares', () => {
    const { key, digest, shares } = setup('safe-prime-2048-sha256');
    const set = [shares[0]!, corrupt(shares[1]!), shares[2]!];
    expect(() => scheme.combine(set, key, [], digest)).toThrow(/valid proof/);
    expect(scheme.blame(set, key, [], digest)).toEqual([2]);
  });

  it('names a corrupted share of an imported key only by combination over all five shares', () => {
    const { key, digest, shares, reference } = setup('imported-2048-sha256');
    const k = [shares[0]!, corrupt(shares[1]!), shares[2]!];
    expect(() => scheme.combine(k, key, [], digest)).toThrow(/combine/);
    // Among k shares a bad one cannot be told apart: nobody is blamed, the coordinator asks all.
    expect(scheme.blame(k, key, [], digest)).toEqual([]);
    const all = shares.map((s) => (s.identifier === 2 ? corrupt(s) : s));
    expect(scheme.blame(all, key, [], digest)).toEqual([2]);
    expect(scheme.combine(all.filter((s) => s.identifier !== 2), key, [], digest)).toEqual(reference);
  });

  it('flags a share of the wrong size or identifier before combining', () => {
    const { key, shares } = setup('imported-2048-sha256');
    expect(scheme.shareProblem(shares[0]!, 1, key)).toBeUndefined();
    expect(scheme.shareProblem({ identifier: 1, share: shares[0]!.share.subarray(1) }, 1, key)).toMatch(/malformed/);
    expect(scheme.shareProblem(shares[0]!, 2, key)).toMatch(/identifier/);
  });

  it('refuses a session list, and a message that is not a SHA-256/SHA-512 digest', () => {
    const { key } = setup('imported-2048-sha256');
    expect(() => scheme.checkSession([{ identifier: 1, hiding: new Uint8Array(32), binding: new Uint8Array(32) }], 1)).toThrow(/no session list/);
    const share = { identifier: 1, share: Uint8Array.of(5) };
    expect(() => scheme.signShare(share, key, undefined, [], new Uint8Array(20))).toThrow(/SHA-256 or SHA-512 digest/);
    expect(() => scheme.signShare(share, key, undefined, [], new Uint8Array(1000))).toThrow(/SHA-256 or SHA-512 digest/);
    expect(scheme.preparesAhead).toBe(false);
    expect(scheme.sharesBoundToSet).toBe(false);
  });
});

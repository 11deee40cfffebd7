// Secret reconstruction (recovery subpath only) and importing an Ed25519 seed.
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import * as main from '../index.js';
import { FrostError, aggregate, commit, seedToScalar, signShare, trustedDealerKeygen } from '../index.js';
import { combineShares } from '../recovery.js';
import { hex, opensslVerify, rand } from './helpers.js';

describe('recovery (@qsign/frost/recovery)', () => {
  it('is not reachable from the main entry point', () => {
    expect(Object.keys(main)).not.toContain('combineShares');
  });

  it('is exported as the @qsign/frost/recovery subpath (built dist)', async () => {
    const sub = (await import('@qsign/frost/recovery')) as { combineShares?: unknown };
    expect(typeof sub.combineShares).toBe('function');
  });

  it('combines any threshold subset of shares into the dealt secret (App. C.1)', () => {
    const secret = rand(32);
    secret[31] = 0; // below L
    const { shares, publicKeyPackage } = trustedDealerKeygen(3, 5, secret);
    for (const idx of [[0, 1, 2], [4, 1, 3], [0, 1, 2, 3, 4]]) expect(hex(combineShares(idx.map((k) => shares[k]!), publicKeyPackage))).toBe(hex(secret));
  });

  it('refuses fewer shares than the threshold, duplicates, and shares of another key', () => {
    const { shares, publicKeyPackage } = trustedDealerKeygen(3, 5);
    const other = trustedDealerKeygen(3, 5).shares;
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof FrostError ? e.code : 'not a FrostError';
      }
      return undefined;
    };
    expect(code(() => combineShares(shares.slice(0, 2), publicKeyPackage))).toBe('INVALID_PARAMETERS');
    expect(code(() => combineShares([shares[0]!, shares[0]!, shares[1]!]))).toBe('DUPLICATE_IDENTIFIER');
    expect(code(() => combineShares([shares[0]!, shares[1]!, other[2]!], publicKeyPackage))).toBe('INVALID_SHARE');
  });
});

describe('splitting an existing Ed25519 seed (RFC 8032 §5.1.5)', () => {
  it('seedToScalar gives the seed’s public key, and threshold signatures verify under it', () => {
    for (let i = 0; i < 5; i++) {
      const seed = rand(32);
      const { shares, publicKeyPackage: pkp } = trustedDealerKeygen(2, 3, seedToScalar(seed));
      expect(hex(pkp.groupPublicKey)).toBe(hex(ed25519.getPublicKey(seed)));
      const msg = rand(33);
      const hedge = rand(32);
      const signers = [shares[0]!, shares[2]!];
      const r = signers.map((s) => commit(s.identifier, hedge));
      const list = r.map((x) => x.commitments);
      const sig = aggregate(signers.map((s, k) => signShare(s, pkp.groupPublicKey, r[k]!.nonces, list, msg)), pkp.groupPublicKey, list, msg, pkp);
      expect(opensslVerify(sig, msg, ed25519.getPublicKey(seed))).toBe(true);
      // the recovered scalar signs like the seed would (same key), though not with RFC 8032's deterministic nonce
      expect(hex(combineShares(signers, pkp))).toBe(hex(seedToScalar(seed)));
    }
  });

  it('refuses a seed that is not 32 bytes', () => {
    expect(() => seedToScalar(new Uint8Array(31))).toThrow(FrostError);
  });
});

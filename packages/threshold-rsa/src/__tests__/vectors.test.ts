/**
 * Data-file vectors (vectors/shoup-vectors.json, made by vectors/generate.mjs): every 3-subset
 * of the dealt signature shares combines to the signature OpenSSL made with the whole key.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { combine, signShare, verifyShare, verifySignature } from '../index.js';
import { CASES, MESSAGE, subsetsOf } from './helpers.js';

const digestOf = (hash: string): Uint8Array => createHash(hash).update(MESSAGE).digest();

describe('Shoup protocol 1 vectors', () => {
  for (const c of CASES) {
    describe(c.name, () => {
      it('recomputes each signature share from its secret share', () => {
        const digest = digestOf(c.hash);
        for (const s of c.secretShares) expect(signShare(c.publicKey, s, c.hash, digest).value).toBe(c.signatureShares[s.index - 1]!.value);
      });
      it('combines every 3-subset to the OpenSSL signature, byte for byte', () => {
        const digest = digestOf(c.hash);
        for (const subset of subsetsOf(c.signatureShares, 3)) {
          const { signature, excluded } = combine(c.publicKey, c.hash, digest, subset);
          expect(Buffer.from(signature).toString('hex')).toBe(Buffer.from(c.signature).toString('hex'));
          expect(excluded).toEqual([]);
        }
        expect(verifySignature(c.publicKey, c.hash, digest, c.signature)).toBe(true);
      });
      if (c.publicKey.verification !== undefined) {
        it('accepts the stored proofs of correctness', () => {
          for (const s of c.signatureShares) expect(verifyShare(c.publicKey, c.hash, digestOf(c.hash), s)).toBe(true);
        });
      }
    });
  }
});

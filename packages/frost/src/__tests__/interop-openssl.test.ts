// 1,000 random 3-of-5 signatures, each aggregate verified by OpenSSL through node:crypto.
import { describe, expect, it } from 'vitest';
import { aggregate, commit, signShare, trustedDealerKeygen, verifySignature } from '../index.js';
import { opensslVerify, rand, randomSubset } from './helpers.js';
import { registerSignatures } from '../../../../test/helpers/r-registry.js';

describe('interoperability with an independent Ed25519 verifier (OpenSSL)', () => {
  it('1,000 random 3-of-5 signatures over random messages and signer subsets all verify', () => {
    const hedge = rand(32);
    let ok = 0;
    const sigs: Uint8Array[] = [];
    for (let key = 0; key < 20; key++) {
      const { shares, publicKeyPackage: pkp } = trustedDealerKeygen(3, 5);
      for (let k = 0; k < 50; k++) {
        const msg = rand(rand(1)[0]!);
        const signers = randomSubset(5, 3 + (rand(1)[0]! % 3)); // 3, 4 or 5 signers
        const rounds = signers.map((id) => commit(id, hedge));
        const list = rounds.map((r) => r.commitments);
        const sigShares = signers.map((id, j) => signShare(shares[id - 1]!, pkp.groupPublicKey, rounds[j]!.nonces, list, msg));
        const sig = aggregate(sigShares, pkp.groupPublicKey, list, msg);
        sigs.push(sig);
        if (opensslVerify(sig, msg, pkp.groupPublicKey) && verifySignature(sig, msg, pkp.groupPublicKey)) ok++;
      }
    }
    expect(ok).toBe(1000);
    registerSignatures(sigs); // suite-wide: no two signatures share an R
  }, 300_000);
});

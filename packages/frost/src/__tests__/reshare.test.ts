// Resharing without reconstructing the secret: threshold/participant changes keep the group key.
import { describe, expect, it } from 'vitest';
import {
  FrostError,
  aggregate,
  commit,
  reshareDeal,
  reshareReceive,
  signShare,
  trustedDealerKeygen,
  validatePublicKeyPackage,
  verifyShare,
  vssVerify,
  type FrostErrorCode,
  type PublicKeyPackage,
  type ReshareParams,
  type SecretSigningShare,
} from '../index.js';
import { combineShares } from '../recovery.js';
import { hex, opensslVerify, rand } from './helpers.js';

function expectFrost(f: () => unknown, code: FrostErrorCode, culprits?: number[]): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FrostError);
    expect((e as FrostError).code).toBe(code);
    if (culprits !== undefined) expect((e as FrostError).culprits).toEqual(culprits);
    return;
  }
  expect.fail(`expected FrostError ${code}`);
}

function sign(shares: SecretSigningShare[], pkp: PublicKeyPackage, msg = rand(40)): Uint8Array {
  const hedge = rand(32);
  const rounds = shares.map((s) => commit(s.identifier, hedge));
  const list = rounds.map((r) => r.commitments);
  const z = shares.map((s, k) => signShare(s, pkp.groupPublicKey, rounds[k]!.nonces, list, msg));
  return aggregate(z, pkp.groupPublicKey, list, msg, pkp);
}

function reshare(old: SecretSigningShare[], params: ReshareParams) {
  const deals = params.dealers.map((d) => reshareDeal(old[d - 1]!, params));
  const commitments = deals.map((d) => d.commitment);
  const inbox = (j: number) => deals.flatMap((d) => d.subShares.filter((s) => s.recipient === j));
  return { deals, commitments, inbox };
}

describe('reshare (dealers share λ_i·s_i; receivers sum sub-shares)', () => {
  const { shares: oldShares, publicKeyPackage: oldPkp } = trustedDealerKeygen(3, 5);
  const params: ReshareParams = { oldPublicKeyPackage: oldPkp, dealers: [1, 2, 4], newMinSigners: 2, newIdentifiers: [2, 5, 7] };

  it('3-of-5 → 2-of-3 incl. a new identifier: group key unchanged, shares verify, signing works', () => {
    const { commitments, inbox } = reshare(oldShares, params);
    const out = params.newIdentifiers.map((j) => reshareReceive(j, params, commitments, inbox(j)));
    const pkp = out[0]!.publicKeyPackage;
    expect(hex(pkp.groupPublicKey)).toBe(hex(oldPkp.groupPublicKey));
    expect([pkp.minSigners, pkp.maxSigners, [...pkp.verifyingShares.keys()]]).toEqual([2, 3, [2, 5, 7]]);
    validatePublicKeyPackage(pkp);
    for (const o of out) {
      expect(hex(o.publicKeyPackage.vssCommitment[0]!)).toBe(hex(pkp.vssCommitment[0]!));
      expect(vssVerify(o.share, pkp.vssCommitment)).toBe(true);
    }
    for (const pair of [[0, 1], [0, 2], [1, 2]]) {
      const msg = rand(60);
      const sig = sign(pair.map((k) => out[k]!.share), pkp, msg);
      expect(opensslVerify(sig, msg, oldPkp.groupPublicKey)).toBe(true);
    }
    // the new shares interpolate to the old secret; nobody computed it during the reshare
    expect(hex(combineShares([out[0]!.share, out[2]!.share], pkp))).toBe(hex(combineShares(oldShares.slice(0, 3), oldPkp)));
  });

  it('old shares mixed with new ones fail', () => {
    const { commitments, inbox } = reshare(oldShares, params);
    const out = params.newIdentifiers.map((j) => reshareReceive(j, params, commitments, inbox(j)));
    const pkp = out[0]!.publicKeyPackage;
    // old share of participant 2 with the new share of 5, checked against the new package
    const mixed = [oldShares[1]!, out[1]!.share];
    const msg = rand(30);
    const hedge = rand(32);
    const rounds = mixed.map((s) => commit(s.identifier, hedge));
    const list = rounds.map((r) => r.commitments);
    const z = mixed.map((s, k) => signShare(s, pkp.groupPublicKey, rounds[k]!.nonces, list, msg));
    expect(verifyShare(z[0]!, pkp.verifyingShares.get(2)!, pkp.groupPublicKey, list, msg)).toBe(false);
    expect(verifyShare(z[1]!, pkp.verifyingShares.get(5)!, pkp.groupPublicKey, list, msg)).toBe(true);
    expectFrost(() => aggregate(z, pkp.groupPublicKey, list, msg, pkp), 'INVALID_SHARE', [2]);
    expect(opensslVerify(aggregate(z, pkp.groupPublicKey, list, msg), msg, pkp.groupPublicKey)).toBe(false);
  });

  it('grows 2-of-3 → 4-of-7 and back', () => {
    const { shares, publicKeyPackage } = trustedDealerKeygen(2, 3);
    const up: ReshareParams = { oldPublicKeyPackage: publicKeyPackage, dealers: [1, 3], newMinSigners: 4, newIdentifiers: [1, 2, 3, 4, 5, 6, 7] };
    const a = reshare(shares, up);
    const big = up.newIdentifiers.map((j) => reshareReceive(j, up, a.commitments, a.inbox(j)));
    const bigPkp = big[0]!.publicKeyPackage;
    expect(hex(bigPkp.groupPublicKey)).toBe(hex(publicKeyPackage.groupPublicKey));
    expect(() => sign([big[0]!, big[2]!, big[4]!].map((o) => o.share), bigPkp)).toThrow(FrostError); // 3 < new threshold 4
    const msg = rand(9);
    expect(opensslVerify(sign([big[1]!, big[2]!, big[3]!, big[5]!].map((o) => o.share), bigPkp, msg), msg, bigPkp.groupPublicKey)).toBe(true);
    const down: ReshareParams = { oldPublicKeyPackage: bigPkp, dealers: [2, 3, 4, 6], newMinSigners: 2, newIdentifiers: [8, 9] };
    const bigShares = big.map((o) => o.share);
    const deals = down.dealers.map((d) => reshareDeal(bigShares[d - 1]!, down));
    const small = down.newIdentifiers.map((j) => reshareReceive(j, down, deals.map((d) => d.commitment), deals.flatMap((d) => d.subShares.filter((s) => s.recipient === j))));
    const msg2 = rand(9);
    expect(opensslVerify(sign(small.map((o) => o.share), small[0]!.publicKeyPackage, msg2), msg2, publicKeyPackage.groupPublicKey)).toBe(true);
  });

  it('names the dealer of a sub-share not matching its commitment', () => {
    const { commitments, inbox } = reshare(oldShares, params);
    const forged = inbox(5).map((s) => (s.dealer === 4 ? { ...s, subShare: inbox(7).find((t) => t.dealer === 4)!.subShare } : s));
    expectFrost(() => reshareReceive(5, params, commitments, forged), 'INVALID_SHARE', [4]);
  });

  it('names a dealer whose commitment is not bound to λ_i·PK_i (dealing a different secret)', () => {
    const { commitments } = reshare(oldShares, params);
    // dealer 2 deals with λ for a different dealer set, i.e. the wrong constant term
    const wrongParams: ReshareParams = { ...params, dealers: [1, 2, 3] };
    const evil = reshareDeal(oldShares[1]!, wrongParams);
    const bad = commitments.map((c) => (c.dealer === 2 ? evil.commitment : c));
    expectFrost(() => reshareReceive(5, params, bad, evil.subShares), 'INVALID_COMMITMENT', [2]);
  });

  it('refuses bad parameters: too few dealers, unknown dealer, threshold above the new set, a share not matching its verifying share', () => {
    expectFrost(() => reshareDeal(oldShares[0]!, { ...params, dealers: [1, 2] }), 'INVALID_PARAMETERS');
    expectFrost(() => reshareDeal(oldShares[0]!, { ...params, dealers: [1, 2, 9] }), 'INVALID_PARAMETERS');
    expectFrost(() => reshareDeal(oldShares[0]!, { ...params, newMinSigners: 4 }), 'INVALID_PARAMETERS');
    expectFrost(() => reshareDeal({ identifier: 1, share: oldShares[1]!.share }, params), 'INVALID_SHARE');
    expectFrost(() => reshareDeal(oldShares[0]!, { ...params, newIdentifiers: [5, 2, 7] }), 'INVALID_PARAMETERS');
  });
});

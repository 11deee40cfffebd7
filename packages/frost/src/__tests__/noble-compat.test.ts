// Byte-for-byte comparison with @noble/curves' ed25519_FROST (the reference implementation).
import { ed25519_FROST } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  aggregate,
  commit,
  deriveGroupInfo,
  signShare,
  trustedDealerKeygen,
  verifyShare,
  vssVerify,
  type PublicKeyPackage,
  type SigningCommitments,
} from '../index.js';
import { hex, rand, randomSubset, seededRng } from './helpers.js';

const nid = (i: number): string => ed25519_FROST.Identifier.fromNumber(i);

function toNoblePublic(pkp: PublicKeyPackage) {
  const verifyingShares: Record<string, Uint8Array> = {};
  for (const [id, vs] of pkp.verifyingShares) verifyingShares[nid(id)] = vs;
  return { signers: { min: pkp.minSigners, max: pkp.maxSigners }, commitments: pkp.vssCommitment, verifyingShares };
}

describe('byte-identical with noble ed25519_FROST', () => {
  it('identifiers serialize like noble Identifier.fromNumber', () => {
    for (const i of [1, 2, 255, 256, 65535]) {
      const b = new Uint8Array(32);
      b[0] = i & 0xff;
      b[1] = i >> 8;
      expect(nid(i)).toBe(hex(b));
    }
  });

  for (let round = 0; round < 8; round++) {
    const [min, max] = ([[2, 3], [3, 5], [4, 7], [2, 2]] as const)[round % 4]!;
    it(`same nonces, commitments, shares and aggregate (${min}-of-${max}, case ${round})`, () => {
      const { shares, publicKeyPackage: pkp } = trustedDealerKeygen(min, max);
      const pub = toNoblePublic(pkp);
      const signers = randomSubset(max, min + (round % 2 === 1 && max > min ? 1 : 0));
      const msg = rand(1 + (round * 37) % 200);
      const ours: { nonces: { hiding: Uint8Array; binding: Uint8Array }; commitments: SigningCommitments }[] = [];
      const theirs: ReturnType<typeof ed25519_FROST.commit>[] = [];
      for (const id of signers) {
        const sk = shares[id - 1]!;
        // hedge = the signing share, as RFC 9591 §4.1 and noble do
        ours.push(commit(id, sk.share, seededRng(1000 * round + id)));
        theirs.push(ed25519_FROST.commit({ identifier: nid(id), signingShare: sk.share }, seededRng(1000 * round + id)));
      }
      ours.forEach((o, k) => {
        expect(hex(o.nonces.hiding)).toBe(hex(theirs[k]!.nonces.hiding));
        expect(hex(o.nonces.binding)).toBe(hex(theirs[k]!.nonces.binding));
        expect(hex(o.commitments.hiding)).toBe(hex(theirs[k]!.commitments.hiding));
        expect(hex(o.commitments.binding)).toBe(hex(theirs[k]!.commitments.binding));
      });
      const list = ours.map((o) => o.commitments);
      const nList = theirs.map((t) => t.commitments);
      const nobleShares: Record<string, Uint8Array> = {};
      const ourShares = signers.map((id, k) => {
        const sk = shares[id - 1]!;
        const z = signShare(sk, pkp.groupPublicKey, ours[k]!.nonces, list, msg);
        const zn = ed25519_FROST.signShare({ identifier: nid(id), signingShare: sk.share }, pub, theirs[k]!.nonces, nList, msg);
        expect(hex(z.share)).toBe(hex(zn));
        nobleShares[nid(id)] = zn;
        expect(ed25519_FROST.verifyShare(pub, nList, msg, nid(id), z.share)).toBe(true);
        expect(verifyShare(z, pkp.verifyingShares.get(id)!, pkp.groupPublicKey, list, msg)).toBe(true);
        return z;
      });
      const sig = aggregate(ourShares, pkp.groupPublicKey, list, msg, pkp);
      expect(hex(sig)).toBe(hex(ed25519_FROST.aggregate(pub, nList, msg, nobleShares)));
      expect(ed25519_FROST.verify(sig, msg, pkp.groupPublicKey)).toBe(true);
    });
  }

  it("accepts noble's trusted-dealer output (vss_verify, derive_group_info)", () => {
    const deal = ed25519_FROST.trustedDealer({ min: 3, max: 5 });
    const { groupPublicKey, verifyingShares } = deriveGroupInfo(5, deal.public.commitments);
    expect(hex(groupPublicKey)).toBe(hex(deal.public.commitments[0]!));
    for (let i = 1; i <= 5; i++) {
      expect(hex(verifyingShares.get(i)!)).toBe(hex(deal.public.verifyingShares[nid(i)]!));
      expect(vssVerify({ identifier: i, share: deal.secretShares[nid(i)]!.signingShare }, deal.public.commitments)).toBe(true);
    }
  });
});

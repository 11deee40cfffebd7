// Pedersen DKG with proofs of knowledge: interop with noble ed25519_FROST.DKG and culprit naming.
import { ed25519_FROST } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  FrostError,
  aggregate,
  commit,
  dkgFinalize,
  dkgRound1,
  dkgRound2,
  encodePublicKeyPackage,
  signShare,
  validatePublicKeyPackage,
  vssVerify,
  type DkgRound1Package,
  type DkgRound2Package,
  type FrostErrorCode,
  type PublicKeyPackage,
  type SecretSigningShare,
} from '../index.js';
import { hex, opensslVerify, rand } from './helpers.js';

const nid = (i: number): string => ed25519_FROST.Identifier.fromNumber(i);
const num = (h: string): number => Number.parseInt(h.slice(2, 4) + h.slice(0, 2), 16);

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

function runDkg(min: number, ids: number[]) {
  const r1 = ids.map((id) => dkgRound1(id, min, ids.length));
  const pk1 = r1.map((r) => r.package);
  const r2 = r1.map((r) => dkgRound2(r.secret, pk1));
  const inbox = (id: number): DkgRound2Package[] => r2.flatMap((r) => r.packages.filter((p) => p.recipient === id));
  return { r1, pk1, r2, inbox };
}

function signWith(shares: SecretSigningShare[], pkp: PublicKeyPackage): void {
  const msg = rand(50);
  const hedge = rand(32);
  const rounds = shares.map((s) => commit(s.identifier, hedge));
  const list = rounds.map((r) => r.commitments);
  const z = shares.map((s, k) => signShare(s, pkp.groupPublicKey, rounds[k]!.nonces, list, msg));
  const sig = aggregate(z, pkp.groupPublicKey, list, msg, pkp);
  expect(opensslVerify(sig, msg, pkp.groupPublicKey)).toBe(true);
}

describe('DKG (frost-rs dkg::part1..3 rounds)', () => {
  it('3-of-5: all participants agree on the key, shares verify and sign', () => {
    const ids = [1, 2, 3, 4, 5];
    const { pk1, r2, inbox } = runDkg(3, ids);
    const out = ids.map((id, k) => dkgFinalize(r2[k]!.secret, pk1, inbox(id)));
    const first = encodePublicKeyPackage(out[0]!.publicKeyPackage);
    for (const o of out) {
      expect(encodePublicKeyPackage(o.publicKeyPackage)).toEqual(first);
      expect(vssVerify(o.share, o.publicKeyPackage.vssCommitment)).toBe(true);
    }
    validatePublicKeyPackage(out[0]!.publicKeyPackage);
    signWith([out[0]!.share, out[2]!.share, out[4]!.share], out[0]!.publicKeyPackage);
    signWith([out[1]!.share, out[3]!.share, out[4]!.share], out[0]!.publicKeyPackage);
  });

  it('mixes participants with noble ed25519_FROST.DKG (2-of-3 and 3-of-5)', () => {
    for (const [min, ours, theirs] of [
      [2, [1, 3], [2]],
      [3, [1, 3, 5], [2, 4]],
    ] as const) {
      const max = ours.length + theirs.length;
      const mine = new Map(ours.map((id) => [id, dkgRound1(id, min, max)]));
      const nob = new Map(theirs.map((id) => [id, ed25519_FROST.DKG.round1(nid(id), { min, max })]));
      const pk1: DkgRound1Package[] = [
        ...[...mine.values()].map((r) => r.package),
        ...[...nob.entries()].map(([id, r]) => ({ identifier: id, commitment: r.public.commitment, proofOfKnowledge: r.public.proofOfKnowledge })),
      ];
      const toNoble = (p: DkgRound1Package) => ({ identifier: nid(p.identifier), commitment: p.commitment, proofOfKnowledge: p.proofOfKnowledge });
      // round 2
      const myR2 = new Map([...mine].map(([id, r]) => [id, dkgRound2(r.secret, pk1)]));
      const nobR2 = new Map([...nob].map(([id, r]) => [id, ed25519_FROST.DKG.round2(r.secret, pk1.filter((p) => p.identifier !== id).map(toNoble))]));
      const inbox = (id: number): DkgRound2Package[] => [
        ...[...myR2.values()].flatMap((r) => r.packages.filter((p) => p.recipient === id)),
        ...[...nobR2.entries()].filter(([from]) => from !== id).map(([from, r]) => ({ identifier: from, recipient: id, signingShare: r[nid(id)]!.signingShare })),
      ];
      // round 3
      const results = new Map<number, { share: SecretSigningShare; publicKeyPackage: PublicKeyPackage }>();
      for (const [id, r] of myR2) results.set(id, dkgFinalize(r.secret, pk1, inbox(id)));
      for (const [id, r] of nob) {
        const got = inbox(id).map((p) => ({ identifier: nid(p.identifier), signingShare: p.signingShare }));
        const key = ed25519_FROST.DKG.round3(r.secret, pk1.filter((p) => p.identifier !== id).map(toNoble), got);
        const mineView = results.get(ours[0]!)!.publicKeyPackage;
        expect(key.public.commitments.map(hex)).toEqual(mineView.vssCommitment.map(hex));
        for (const [k, v] of Object.entries(key.public.verifyingShares)) expect(hex(v)).toBe(hex(mineView.verifyingShares.get(num(k))!));
        results.set(id, { share: { identifier: id, share: key.secret.signingShare }, publicKeyPackage: mineView });
      }
      const pkp = results.get(ours[0]!)!.publicKeyPackage;
      for (const r of results.values()) expect(encodePublicKeyPackage(r.publicKeyPackage)).toEqual(encodePublicKeyPackage(pkp));
      // a threshold of shares from both implementations signs
      const signers = [...results.keys()].sort((a, b) => a - b).slice(-min);
      signWith(signers.map((id) => results.get(id)!.share), pkp);
    }
  });

  it('names the sender of a bad proof of knowledge', () => {
    const { r1, pk1 } = runDkg(2, [1, 2, 3]);
    const bad = pk1.map((p) => ({ ...p }));
    const pok = bad[1]!.proofOfKnowledge.slice();
    pok[40] = pok[40]! ^ 1;
    bad[1] = { ...bad[1]!, proofOfKnowledge: pok };
    const fresh = dkgRound1(1, 2, 3);
    expectFrost(() => dkgRound2(fresh.secret, [fresh.package, bad[1]!, bad[2]!]), 'INVALID_PROOF_OF_KNOWLEDGE', [2]);
    void r1;
  });

  it('names a participant replaying another participant’s round-1 package under its own identifier', () => {
    const a = dkgRound1(1, 2, 3);
    const b = dkgRound1(2, 2, 3);
    const stolen = { ...b.package, identifier: 3 };
    expectFrost(() => dkgRound2(a.secret, [a.package, b.package, stolen]), 'INVALID_PROOF_OF_KNOWLEDGE', [3]);
  });

  it('refuses a round-1 package impersonating this participant', () => {
    const a = dkgRound1(1, 2, 3);
    const b = dkgRound1(2, 2, 3);
    const c = dkgRound1(3, 2, 3);
    const fake = dkgRound1(1, 2, 3).package;
    expectFrost(() => dkgRound2(a.secret, [fake, b.package, c.package]), 'DUPLICATE_IDENTIFIER');
    dkgRound2(a.secret, [a.package, b.package, c.package]);
  });

  it('names the sender of a commitment with the wrong length or an identity point', () => {
    const a = dkgRound1(1, 3, 3);
    const b = dkgRound1(2, 3, 3);
    const c = dkgRound1(3, 3, 3);
    expectFrost(() => dkgRound2(a.secret, [b.package, { ...c.package, commitment: c.package.commitment.slice(0, 2) }]), 'INVALID_COMMITMENT', [3]);
    const id0 = new Uint8Array(32);
    id0[0] = 1;
    expectFrost(() => dkgRound2(a.secret, [{ ...b.package, commitment: [b.package.commitment[0]!, id0, b.package.commitment[2]!] }, c.package]), 'INVALID_COMMITMENT', [2]);
  });

  it('names the sender of a round-2 share not matching its commitment', () => {
    const { pk1, r2, inbox } = runDkg(3, [1, 2, 3, 4]);
    const got = inbox(1).map((p) => (p.identifier === 4 ? { ...p, signingShare: inbox(2).find((q) => q.identifier === 4)!.signingShare } : p));
    expectFrost(() => dkgFinalize(r2[0]!.secret, pk1, got), 'INVALID_SHARE', [4]);
  });

  it('refuses to reuse round secrets and a changed round-1 transcript', () => {
    const { r1, pk1, r2, inbox } = runDkg(2, [1, 2, 3]);
    expectFrost(() => dkgRound2(r1[0]!.secret, pk1), 'INVALID_STATE');
    expect(r1[0]!.secret.coefficients).toEqual([]);
    const other = dkgRound1(2, 2, 3).package;
    expectFrost(() => dkgFinalize(r2[0]!.secret, [pk1[0]!, other, pk1[2]!], inbox(1)), 'INVALID_PARAMETERS');
    dkgFinalize(r2[0]!.secret, pk1, inbox(1));
    expectFrost(() => dkgFinalize(r2[0]!.secret, pk1, inbox(1)), 'INVALID_STATE');
  });

  it('refuses missing, duplicate or misaddressed round-2 packages', () => {
    const { pk1, r2, inbox } = runDkg(2, [1, 2, 3]);
    expectFrost(() => dkgFinalize(r2[0]!.secret, pk1, inbox(1).slice(1)), 'INVALID_PARAMETERS');
    expectFrost(() => dkgFinalize(r2[0]!.secret, pk1, [inbox(1)[0]!, inbox(1)[0]!]), 'DUPLICATE_IDENTIFIER');
    expectFrost(() => dkgFinalize(r2[0]!.secret, pk1, inbox(2)), 'INVALID_PARAMETERS');
  });
});

// The libsodium backend against the noble default: the same accept/reject decision on crafted
// and random encodings, byte-identical commitments, shares and aggregates on the RFC 9591
// vectors and on random 3-of-5 runs, and 1,000 signatures verified by OpenSSL.
import { readFileSync } from 'node:fs';
import { createPublicKey, randomBytes, verify as nodeVerify } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import * as frost from '@qsign/frost';
import { FrostError, nobleBackend, pointBackend, setPointBackend, setSha512, type PointBackend, type SigningCommitments } from '@qsign/frost';
import { KNOWN_ANSWERS, SMALL_ORDER_POINTS, edgeCasePoints, installNativeBackend, loadSodiumBackend, opensslSha512, selfTest, sodiumBackend, type SodiumEd25519 } from '../index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const native = loadSodiumBackend();

function seededRng(seed: number): (n: number) => Uint8Array {
  let state = seed >>> 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      out[i] = state >>> 24;
    }
    return out;
  };
}

function opensslVerify(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(pk)]);
  return nodeVerify(null, msg, createPublicKey({ key: der, format: 'der', type: 'spki' }), sig);
}

function withBackend<T>(b: PointBackend, f: () => T): T {
  setPointBackend(b); // also drops the point and signing caches, so nothing is reused across backends
  try {
    return f();
  } finally {
    setPointBackend(nobleBackend);
  }
}

const codeOf = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof FrostError) return e.code;
    throw e;
  }
};

afterAll(() => setPointBackend(nobleBackend));

describe('installNativeBackend', () => {
  it('installs libsodium after its self-test and logs one line', () => {
    const lines: string[] = [];
    expect(installNativeBackend({ log: (m) => lines.push(m), env: {} })).toBe('libsodium');
    expect(pointBackend().name).toBe('libsodium');
    expect(lines).toEqual(['frost point backend: libsodium (sodium-native), SHA-512: OpenSSL']);
    setPointBackend(nobleBackend);
  });

  it('installs a SHA-512 only if it reproduces the reference digests', () => {
    expect(() => setSha512((m) => opensslSha512(m).map((b, i) => (i === 63 ? b ^ 1 : b)))).toThrow(/disagrees with the reference/);
    expect(() => setSha512((m) => opensslSha512(m).subarray(0, 32))).toThrow(/disagrees/);
    expect(() => setSha512(opensslSha512)).not.toThrow();
    setSha512(undefined);
  });

  it('keeps noble when told to by QSIGN_FROST_BACKEND=noble', () => {
    const lines: string[] = [];
    expect(installNativeBackend({ log: (m) => lines.push(m), env: { QSIGN_FROST_BACKEND: 'noble' } })).toBe('noble');
    expect(pointBackend().name).toBe('noble');
    expect(lines[0]).toMatch(/noble/);
  });

  it('the self-test refuses a backend more lenient than RFC 9591 §6.5 (accepts torsion)', () => {
    const lenient = { ...native, name: 'lenient', isValidElement: (b: Uint8Array) => native.isValidElement(b) || hex(b) === hex(edgeCasePoints()[6]!.bytes) };
    expect(edgeCasePoints()[6]!.label).toBe('B + small-order point #1');
    expect(() => selfTest(lenient)).toThrow(/B \+ small-order point #1 is accepted by lenient/);
    const wrongMath = { ...native, name: 'wrong', mulBaseSecret: (s: Uint8Array) => native.add(native.mulBaseSecret(s), native.mulBaseSecret(s)) };
    expect(() => selfTest(wrongMath)).toThrow(/differs from noble/);
  });

  it('refuses an addon that is broken or refuses known-answer calls (noble would answer them)', () => {
    expect(() => selfTest(sodiumBackend({} as SodiumEd25519))).toThrow(); // what installNativeBackend catches before switching
    const refusing = sodiumBackend({
      crypto_core_ed25519_is_valid_point: (p) => (native as unknown as { isValidElement(b: Uint8Array): boolean }).isValidElement(p),
      crypto_scalarmult_ed25519_base_noclamp: () => {
        throw new Error('status: -1');
      },
      crypto_scalarmult_ed25519_noclamp: () => undefined,
      crypto_core_ed25519_add: () => undefined,
    });
    expect(() => selfTest(refusing)).toThrow(/refused|differs/);
  });

  it("the self-test's known answers are noble's", () => {
    const K = KNOWN_ANSWERS;
    const le32 = (n: bigint): Uint8Array => unhex(n.toString(16).padStart(64, '0')).reverse();
    expect(hex(nobleBackend.mulBaseSecret(le32(1n)))).toBe(K.B);
    expect(hex(nobleBackend.mulBaseSecret(le32(0x1234567890abcdefn)))).toBe(K.G);
    SMALL_ORDER_POINTS.forEach((t, i) => {
      expect(hex(nobleBackend.add(unhex(K.B), unhex(t)))).toBe(K.BplusT[i]);
      expect(hex(nobleBackend.add(unhex(K.G), unhex(t)))).toBe(K.GplusT[i]);
    });
    expect(K.scalars.map((k) => hex(nobleBackend.mulBaseSecret(le32(k))))).toEqual(K.kB);
    expect(hex(nobleBackend.multiScalarMulPublic(K.kB.map(unhex), K.msmScalars))).toBe(K.msm);
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    expect(hex(nobleBackend.multiScalarMulPublic([unhex(K.B)], [L - 3n]))).toBe(K.msmB);
    expect(hex(nobleBackend.add(unhex(K.kB[1]), unhex(K.kB[3])))).toBe(K.add);
    // the 8 small-order points are exactly E[8]: [8]T = O, distinct
    expect(new Set(SMALL_ORDER_POINTS).size).toBe(8);
    for (const t of SMALL_ORDER_POINTS) expect(hex(nobleBackend.multiScalarMulPublic([unhex(t)], [8n]))).toBe(hex(frost.IDENTITY_ENCODING));
  });
});

describe('validation: libsodium accepts exactly what noble accepts (RFC 9591 §6.5)', () => {
  const randomValid = Array.from({ length: 16 }, () => nobleBackend.mulBaseSecret(frost.encodeIdentifier(1 + (rand(2)[0]! | (rand(1)[0]! << 8)))));

  it('crafted edge cases: identity, the 8 small-order points, torsion components, y ≥ p, negative zero', () => {
    const cases = edgeCasePoints(randomValid);
    expect(cases.length).toBeGreaterThan(200);
    for (const c of cases) {
      expect({ label: c.label, noble: nobleBackend.isValidElement(c.bytes) }).toEqual({ label: c.label, noble: c.valid });
      expect({ label: c.label, native: native.isValidElement(c.bytes) }).toEqual({ label: c.label, native: c.valid });
    }
  });

  it('frost refuses every invalid edge case with the same error code under both backends', () => {
    for (const c of edgeCasePoints()) {
      const commitments: SigningCommitments = { identifier: 1, hiding: c.bytes, binding: frost.deriveVerifyingShare({ identifier: 1, share: frost.encodeIdentifier(7) }) };
      const noble = withBackend(nobleBackend, () => codeOf(() => frost.validateSigningCommitments(commitments)));
      const sodium = withBackend(native, () => codeOf(() => frost.validateSigningCommitments(commitments)));
      expect({ label: c.label, sodium }).toEqual({ label: c.label, sodium: noble });
      expect(noble === 'ok').toBe(c.valid);
    }
  });

  it('2,000 random 32-byte strings (about 1,000 on the curve) get the same decision', () => {
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const b = rand(32);
      const want = nobleBackend.isValidElement(b);
      expect({ b: hex(b), native: native.isValidElement(b) }).toEqual({ b: hex(b), native: want });
      if (want) accepted++;
    }
    expect(accepted).toBeGreaterThan(50); // ≈ 1/16 of random strings are prime-order points
  }, 120_000);

  it('refuses wrong lengths', () => {
    expect(native.isValidElement(new Uint8Array(31))).toBe(false);
    expect(native.isValidElement(new Uint8Array(33))).toBe(false);
  });
});

interface Run {
  commitments: string[];
  shares: string[];
  sig: string;
  verified: string;
  shareChecks: boolean[];
  badCulprits: number[];
}

// One deterministic 3-of-5 signing session (dealer, commit, sign, aggregate, verify, blame).
function session(seed: number): Run {
  const rng = seededRng(seed);
  const { shares, publicKeyPackage: pkp } = frost.trustedDealerKeygen(3, 5, undefined, rng);
  const ids = [1, 2, 3, 4, 5].sort((a, b) => ((a * seed) % 7) - ((b * seed) % 7)).slice(0, 3).sort((a, b) => a - b);
  const msg = rng(1 + (seed % 200));
  const hedge = rng(32);
  const rounds = ids.map((id) => frost.commit(id, hedge, rng));
  const list = rounds.map((r) => r.commitments);
  const z = ids.map((id, j) => frost.signShare(shares[id - 1]!, pkp.groupPublicKey, rounds[j]!.nonces, list, msg));
  const sig = frost.aggregate(z, pkp.groupPublicKey, list, msg);
  const verified = frost.aggregate(z, pkp.groupPublicKey, list, msg, pkp);
  const shareChecks = z.map((s) => frost.verifyShare(s, pkp.verifyingShares.get(s.identifier)!, pkp.groupPublicKey, list, msg));
  const bad = z.map((s) => ({ ...s, share: s.share.slice() }));
  bad[1]!.share[0]! ^= 1;
  let badCulprits: number[] = [];
  try {
    frost.aggregate(bad, pkp.groupPublicKey, list, msg, pkp);
  } catch (e) {
    badCulprits = (e as FrostError).culprits ?? [];
  }
  return { commitments: list.flatMap((c) => [hex(c.hiding), hex(c.binding)]), shares: z.map((s) => hex(s.share)), sig: hex(sig), verified: hex(verified), shareChecks, badCulprits };
}

describe('byte-identical results', () => {
  it('RFC 9591 App. E vectors (FROST(Ed25519, SHA-512)) under libsodium', () => {
    const v = JSON.parse(readFileSync(new URL('../../../frost/src/__tests__/vectors/frost-ed25519-sha512.json', import.meta.url), 'utf8'));
    const gpk = unhex(v.inputs.group_public_key);
    const msg = unhex(v.inputs.message);
    const shares = new Map<number, string>(v.inputs.participant_shares.map((s: { identifier: number; participant_share: string }) => [s.identifier, s.participant_share]));
    const r1 = v.round_one_outputs.outputs as { identifier: number; hiding_nonce: string; binding_nonce: string; hiding_nonce_commitment: string; binding_nonce_commitment: string; binding_factor: string }[];
    const list = r1.map((o) => ({ identifier: o.identifier, hiding: unhex(o.hiding_nonce_commitment), binding: unhex(o.binding_nonce_commitment) }));
    withBackend(native, () => {
      expect(pointBackend().name).toBe('libsodium');
      for (const o of r1) {
        expect(hex(native.mulBaseSecret(unhex(o.hiding_nonce)))).toBe(o.hiding_nonce_commitment);
        expect(hex(native.mulBaseSecret(unhex(o.binding_nonce)))).toBe(o.binding_nonce_commitment);
      }
      const rho = frost.computeBindingFactors(gpk, list, msg);
      for (const o of r1) expect(hex(rho.get(o.identifier)!)).toBe(o.binding_factor);
      const z = r1.map((o) =>
        frost.signShare({ identifier: o.identifier, share: unhex(shares.get(o.identifier)!) }, gpk, { hiding: unhex(o.hiding_nonce), binding: unhex(o.binding_nonce) }, list, msg),
      );
      expect(z.map((s) => hex(s.share))).toEqual(v.round_two_outputs.outputs.map((o: { sig_share: string }) => o.sig_share));
      expect(hex(frost.aggregate(z, gpk, list, msg))).toBe(v.final_output.sig);
    });
  });

  it('20 random 3-of-5 sessions: same commitments, shares, aggregates and blame as noble', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const a = withBackend(nobleBackend, () => session(seed));
      const b = withBackend(native, () => session(seed));
      expect(b).toEqual(a);
      expect(a.shareChecks).toEqual([true, true, true]);
      expect(a.badCulprits.length).toBe(1);
    }
    expect(native.fallbacks).toBe(0); // libsodium answered every call itself
  }, 120_000);

  it('never writes into its inputs, even Buffer views into one pool (as gRPC decodes them)', () => {
    const pool = Buffer.alloc(4096);
    let off = 0;
    const view = (b: Uint8Array): Buffer => {
      pool.set(b, off);
      off += b.length;
      return pool.subarray(off - b.length, off);
    };
    for (const b of [nobleBackend, native] as PointBackend[]) {
      off = 0;
      pool.fill(0);
      const rng = seededRng(99);
      const { shares, publicKeyPackage: pkp } = frost.trustedDealerKeygen(3, 5, undefined, rng);
      const msg = rng(64);
      const rounds = [1, 2, 5].map((id) => frost.commit(id, rng(32), rng));
      const list = rounds.map((r) => ({ identifier: r.commitments.identifier, hiding: view(r.commitments.hiding), binding: view(r.commitments.binding) }));
      const gpk = view(pkp.groupPublicKey);
      const vs = new Map([...pkp.verifyingShares].map(([id, v]) => [id, view(v)]));
      const before = Buffer.from(pool);
      withBackend(b, () => {
        const z = [1, 2, 5].map((id, j) => frost.signShare(shares[id - 1]!, gpk, rounds[j]!.nonces, list, msg));
        z[1]!.share[0]! ^= 1;
        expect(() => frost.aggregate(z, gpk, list, msg, { ...pkp, groupPublicKey: gpk, verifyingShares: vs })).toThrow(expect.objectContaining({ code: 'INVALID_SHARE', culprits: [2] }));
        expect(z.map((s) => frost.verifyShare(s, vs.get(s.identifier)!, gpk, list, msg))).toEqual([true, false, true]);
      });
      expect(Buffer.compare(pool, before)).toBe(0);
    }
  });

  it('MSM edge cases: zero scalars, scalar 1, the base point, cancelling and empty sums', () => {
    const P = [1n, 2n, 3n].map((k) => nobleBackend.mulBaseSecret(frost.encodeIdentifier(Number(k) * 1000 + 7)));
    const B = nobleBackend.mulBaseSecret(frost.encodeIdentifier(1));
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const cases: [Uint8Array[], bigint[]][] = [
      [P, [0n, 0n, 0n]],
      [P, [1n, 1n, 1n]],
      [P, [2n, 1n, 3n]],
      [[B, ...P], [L - 1n, 5n, 0n, 1n]],
      [[P[0]!, P[0]!], [1n, L - 1n]],
      [[], []],
      [[B], [0n]],
    ];
    for (const [pts, ks] of cases) expect(hex(native.multiScalarMulPublic(pts, ks))).toBe(hex(nobleBackend.multiScalarMulPublic(pts, ks)));
    expect(hex(native.add(P[0]!, frost.IDENTITY_ENCODING))).toBe(hex(P[0]!));
    expect(native.fallbacks).toBe(0);
  });
});

describe('interoperability under libsodium', () => {
  it('1,000 random 3-of-5 signatures verify with node:crypto (OpenSSL)', () => {
    withBackend(native, () => {
      const hedge = rand(32);
      let ok = 0;
      for (let key = 0; key < 20; key++) {
        const { shares, publicKeyPackage: pkp } = frost.trustedDealerKeygen(3, 5);
        for (let k = 0; k < 50; k++) {
          const msg = rand(rand(1)[0]!);
          const ids = [1, 2, 3, 4, 5].filter(() => rand(1)[0]! < 200).slice(0, 5);
          const signers = ids.length >= 3 ? ids : [1, 3, 5];
          const rounds = signers.map((id) => frost.commit(id, hedge));
          const list = rounds.map((r) => r.commitments);
          const z = signers.map((id, j) => frost.signShare(shares[id - 1]!, pkp.groupPublicKey, rounds[j]!.nonces, list, msg));
          if (opensslVerify(frost.aggregate(z, pkp.groupPublicKey, list, msg), msg, pkp.groupPublicKey)) ok++;
        }
      }
      expect(ok).toBe(1000);
    });
    expect(native.fallbacks).toBe(0);
  }, 300_000);
});

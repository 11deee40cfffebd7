// Negative tests: every security property of signing, named after the property.
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FrostError,
  aggregate,
  commit,
  decodePublicKeyPackage,
  encodePublicKeyPackage,
  signShare,
  trustedDealerKeygen,
  validateSigningCommitments,
  verifyShare,
  verifySignature,
  vssVerify,
  type FrostErrorCode,
  type PublicKeyPackage,
  type SecretSigningNonces,
  type SecretSigningShare,
  type SignatureShare,
  type SigningCommitments,
} from '../index.js';
import { L, encodeScalar } from '../scalar.js';
import { hex, opensslVerify, rand, unhex } from './helpers.js';

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

const msg = new TextEncoder().encode('rpm header');
let shares: SecretSigningShare[];
let pkp: PublicKeyPackage;
let gpk: Uint8Array;
const hedge = rand(32);

interface Session {
  ids: number[];
  nonces: SecretSigningNonces[];
  list: SigningCommitments[];
}
function session(ids = [1, 3, 5]): Session {
  const r = ids.map((id) => commit(id, hedge));
  return { ids, nonces: r.map((x) => x.nonces), list: r.map((x) => x.commitments) };
}
const sign = (s: Session, k: number): SignatureShare => signShare(shares[s.ids[k]! - 1]!, gpk, s.nonces[k]!, s.list, msg);

beforeAll(() => {
  ({ shares, publicKeyPackage: pkp } = trustedDealerKeygen(3, 5));
  gpk = pkp.groupPublicKey;
});

describe('signShare checks first (RFC 9591 §5.2, frost-rs round2::sign)', () => {
  it('refuses a commitment list without its own commitment', () => {
    const s = session();
    const other = commit(2, hedge).commitments;
    const list = [s.list[0]!, other, s.list[2]!].sort((a, b) => a.identifier - b.identifier);
    expectFrost(() => signShare(shares[2]!, gpk, s.nonces[1]!, list, msg), 'MISSING_COMMITMENT');
    expect(s.nonces[1]!.hiding.some((b) => b !== 0)).toBe(true); // refused before use: nonces intact
  });

  it('refuses an altered own commitment', () => {
    const s = session();
    const list = s.list.map((c) => ({ ...c }));
    list[1] = { ...list[1]!, binding: commit(3, hedge).commitments.binding };
    expectFrost(() => signShare(shares[2]!, gpk, s.nonces[1]!, list, msg), 'COMMITMENT_MISMATCH');
    list[1] = { ...s.list[1]!, hiding: s.list[1]!.binding, binding: s.list[1]!.hiding };
    expectFrost(() => signShare(shares[2]!, gpk, s.nonces[1]!, list, msg), 'COMMITMENT_MISMATCH');
  });

  it('refuses an identity commitment and names its sender', () => {
    const s = session();
    const list = s.list.map((c) => ({ ...c }));
    list[0] = { ...list[0]!, hiding: unhex(ED25519_TORSION_SUBGROUP[0]!) };
    expectFrost(() => signShare(shares[2]!, gpk, s.nonces[1]!, list, msg), 'IDENTITY_POINT', [1]);
    expectFrost(() => aggregate([], gpk, list, msg), 'IDENTITY_POINT', [1]);
  });

  it('blames the uploader of an invalid commitment before any session (validateSigningCommitments)', () => {
    const c = commit(4, hedge).commitments;
    validateSigningCommitments(c);
    expectFrost(() => validateSigningCommitments({ ...c, binding: unhex(ED25519_TORSION_SUBGROUP[0]!) }), 'IDENTITY_POINT', [4]);
    expectFrost(() => validateSigningCommitments({ ...c, hiding: unhex(ED25519_TORSION_SUBGROUP[3]!) }), 'INVALID_POINT', [4]);
    expectFrost(() => validateSigningCommitments({ ...c, identifier: 0 }), 'INVALID_IDENTIFIER');
  });

  it('refuses a commitment with a small-order component', () => {
    const s = session();
    const P = ed25519.Point.fromBytes(s.list[2]!.binding).add(ed25519.Point.fromHex(ED25519_TORSION_SUBGROUP[1]!));
    const list = s.list.map((c) => ({ ...c }));
    list[2] = { ...list[2]!, binding: P.toBytes() };
    expectFrost(() => signShare(shares[2]!, gpk, s.nonces[1]!, list, msg), 'INVALID_POINT', [5]);
    for (const t of ED25519_TORSION_SUBGROUP.slice(1)) {
      list[2] = { ...s.list[2]!, hiding: unhex(t) };
      expectFrost(() => signShare(shares[2]!, gpk, s.nonces[1]!, list, msg), 'INVALID_POINT', [5]);
    }
  });

  it('refuses a non-canonical point encoding', () => {
    const s = session();
    const list = s.list.map((c) => ({ ...c }));
    // y = p + 1 is the non-canonical encoding of the identity's y; y = 2^255 - 1 is not even < p
    const big = new Uint8Array(32).fill(0xff);
    big[31] = 0x7f;
    const pPlus1 = unhex('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    for (const bad of [big, pPlus1, new Uint8Array(31)]) {
      list[0] = { ...s.list[0]!, hiding: bad };
      expect(() => signShare(shares[2]!, gpk, s.nonces[1]!, list, msg)).toThrow(FrostError);
    }
    list[0] = { ...s.list[0]!, hiding: pPlus1 };
    expectFrost(() => signShare(shares[2]!, gpk, s.nonces[1]!, list, msg), 'INVALID_POINT', [1]);
  });

  it('refuses a reused (zeroed) nonce', () => {
    const s = session();
    sign(s, 1);
    expect(hex(s.nonces[1]!.hiding)).toBe('00'.repeat(32));
    expect(hex(s.nonces[1]!.binding)).toBe('00'.repeat(32));
    expectFrost(() => sign(s, 1), 'NONCE_REUSED');
  });

  it('refuses all-zero nonces that were never generated', () => {
    const s = session();
    s.nonces[0] = { hiding: new Uint8Array(32), binding: new Uint8Array(32) };
    expectFrost(() => sign(s, 0), 'NONCE_REUSED');
  });

  it('refuses a non-canonical nonce or share scalar', () => {
    const s = session();
    const bad = encodeScalar(L - 1n);
    bad[0] = bad[0]! + 1; // = L
    expectFrost(() => signShare(shares[0]!, gpk, { hiding: bad, binding: s.nonces[0]!.binding }, s.list, msg), 'INVALID_SCALAR');
    expectFrost(() => signShare({ identifier: 1, share: bad }, gpk, s.nonces[0]!, s.list, msg), 'INVALID_SCALAR');
    expectFrost(() => signShare({ identifier: 1, share: new Uint8Array(32) }, gpk, s.nonces[0]!, s.list, msg), 'INVALID_SCALAR');
  });

  it('refuses an unsorted commitment list', () => {
    const s = session();
    expectFrost(() => signShare(shares[0]!, gpk, s.nonces[0]!, [...s.list].reverse(), msg), 'UNSORTED_COMMITMENTS');
  });

  it('refuses a duplicate identifier', () => {
    const s = session();
    expectFrost(() => signShare(shares[0]!, gpk, s.nonces[0]!, [s.list[0]!, s.list[0]!, s.list[1]!], msg), 'DUPLICATE_IDENTIFIER');
  });

  it('refuses invalid identifiers', () => {
    for (const id of [0, -1, 1.5, 65536, NaN]) expectFrost(() => commit(id, hedge), 'INVALID_IDENTIFIER');
  });

  it('refuses fewer signers than the threshold when told the threshold', () => {
    const s = session([1, 2]);
    expectFrost(() => signShare(shares[0]!, gpk, s.nonces[0]!, s.list, msg, { minSigners: 3 }), 'INVALID_PARAMETERS');
    expectFrost(() => aggregate([], gpk, s.list, msg, pkp), 'INVALID_PARAMETERS');
  });

  it('refuses an invalid group public key', () => {
    const s = session();
    expectFrost(() => signShare(shares[0]!, unhex(ED25519_TORSION_SUBGROUP[0]!), s.nonces[0]!, s.list, msg), 'IDENTITY_POINT');
    const dirty = ed25519.Point.fromBytes(gpk).add(ed25519.Point.fromHex(ED25519_TORSION_SUBGROUP[2]!)).toBytes();
    expectFrost(() => signShare(shares[0]!, dirty, s.nonces[0]!, s.list, msg), 'INVALID_POINT');
    expect(s.nonces[0]!.hiding.some((b) => b !== 0)).toBe(true);
  });
});

describe('coordinator: identifiable abort (RFC 9591 §5.4)', () => {
  it('names the signer of a corrupted share', () => {
    const s = session();
    const z = s.ids.map((_, k) => sign(s, k));
    const bad = z[1]!.share.slice();
    bad[0] = bad[0]! ^ 1;
    const zs = [z[0]!, { identifier: 3, share: bad }, z[2]!];
    expect(verifyShare(zs[1]!, pkp.verifyingShares.get(3)!, gpk, s.list, msg)).toBe(false);
    expect(verifyShare(zs[0]!, pkp.verifyingShares.get(1)!, gpk, s.list, msg)).toBe(true);
    expectFrost(() => aggregate(zs, gpk, s.list, msg, pkp), 'INVALID_SHARE', [3]);
    // unverified aggregation succeeds, but the result fails an independent verifier
    const sig = aggregate(zs, gpk, s.list, msg);
    expect(verifySignature(sig, msg, gpk)).toBe(false);
    expect(opensslVerify(sig, msg, gpk)).toBe(false);
  });

  it('names every signer whose share is wrong, including a share for another message', () => {
    const s = session();
    const z = s.ids.map((_, k) => sign(s, k));
    const s2 = session();
    const other = signShare(shares[4]!, gpk, s2.nonces[2]!, s2.list, msg);
    const swapped = [{ identifier: 1, share: z[2]!.share }, z[1]!, { identifier: 5, share: other.share }];
    expectFrost(() => aggregate(swapped, gpk, s.list, msg, pkp), 'INVALID_SHARE', [1, 5]);
  });

  it('names the signer of a non-canonical share', () => {
    const s = session();
    const z = s.ids.map((_, k) => sign(s, k));
    const nc = encodeScalar(L - 1n);
    nc[0] = nc[0]! + 1;
    expect(verifyShare({ identifier: 5, share: nc }, pkp.verifyingShares.get(5)!, gpk, s.list, msg)).toBe(false);
    expectFrost(() => aggregate([z[0]!, z[1]!, { identifier: 5, share: nc }], gpk, s.list, msg), 'INVALID_SHARE', [5]);
  });

  it('refuses a share from a signer outside the commitment list, and missing or duplicate shares', () => {
    const s = session();
    const z = s.ids.map((_, k) => sign(s, k));
    expectFrost(() => aggregate([z[0]!, z[1]!, { identifier: 2, share: z[2]!.share }], gpk, s.list, msg), 'MISSING_COMMITMENT', [2]);
    expectFrost(() => aggregate([z[0]!, z[1]!], gpk, s.list, msg), 'INVALID_PARAMETERS');
    expectFrost(() => aggregate([z[0]!, z[1]!, z[1]!], gpk, s.list, msg), 'DUPLICATE_IDENTIFIER', [3]);
  });

  it('refuses a share whose commitment is missing from the list (verifyShare)', () => {
    const s = session();
    const z = sign(s, 0);
    expectFrost(() => verifyShare(z, pkp.verifyingShares.get(1)!, gpk, s.list.slice(1), msg), 'MISSING_COMMITMENT');
  });
});

describe('verifySignature agrees with OpenSSL (RFC 8032 cofactorless)', () => {
  it('rejects a non-canonical s (s + L)', () => {
    const s = session();
    const sig = aggregate(s.ids.map((_, k) => sign(s, k)), gpk, s.list, msg);
    const big = sig.slice();
    let v = 0n;
    for (let i = 63; i >= 32; i--) v = (v << 8n) | BigInt(big[i]!);
    v += L;
    for (let i = 32; i < 64; i++) {
      big[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    expect(verifySignature(sig, msg, gpk)).toBe(true);
    expect(verifySignature(big, msg, gpk)).toBe(false);
    expect(opensslVerify(big, msg, gpk)).toBe(false);
    expect(verifySignature(sig, rand(3), gpk)).toBe(false);
    expect(verifySignature(sig.subarray(0, 63), msg, gpk)).toBe(false);
  });

  it('matches OpenSSL on weak and non-canonical public keys', () => {
    // A = identity, encoded canonically and as y = p + 1; sig = (R=[s]B, s) verifies for any message
    const s = 12345n;
    const R = ed25519.Point.BASE.multiply(s).toBytes();
    const sig = new Uint8Array([...R, ...encodeScalar(s)]);
    const keys = [
      ED25519_TORSION_SUBGROUP[0]!,
      'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      '0100000000000000000000000000000000000000000000000000000000000080',
      ...ED25519_TORSION_SUBGROUP.slice(1),
    ];
    for (const k of keys) {
      const A = unhex(k);
      expect([k, verifySignature(sig, msg, A)]).toEqual([k, opensslVerify(sig, msg, A)]);
    }
  });
});

describe('keys', () => {
  it('vss_verify accepts the dealt shares and rejects a wrong one (App. C.2)', () => {
    for (const sh of shares) expect(vssVerify(sh, pkp.vssCommitment)).toBe(true);
    expect(vssVerify({ identifier: 1, share: shares[1]!.share }, pkp.vssCommitment)).toBe(false);
  });

  it('refuses degenerate thresholds', () => {
    for (const [t, n] of [[1, 3], [4, 3], [0, 0], [2.5, 3]] as const) expectFrost(() => trustedDealerKeygen(t, n), 'INVALID_PARAMETERS');
  });

  it('round-trips a public key package through JSON and refuses a tampered one', () => {
    const json = JSON.parse(JSON.stringify(encodePublicKeyPackage(pkp)));
    const back = decodePublicKeyPackage(json);
    expect(encodePublicKeyPackage(back)).toEqual(encodePublicKeyPackage(pkp));
    const tampered = { ...json, verifyingShares: { ...json.verifyingShares, '2': json.verifyingShares['3'] } };
    expectFrost(() => decodePublicKeyPackage(tampered), 'INVALID_COMMITMENT');
    expectFrost(() => decodePublicKeyPackage({ ...json, groupPublicKey: ED25519_TORSION_SUBGROUP[0] }), 'IDENTITY_POINT');
    expectFrost(() => decodePublicKeyPackage({ ...json, groupPublicKey: 'zz' }), 'INVALID_ENCODING');
    expectFrost(() => decodePublicKeyPackage({ ...json, minSigners: 1 }), 'INVALID_PARAMETERS');
  });

  it('any threshold subset produces a valid signature', () => {
    for (const ids of [[1, 2, 3], [2, 4, 5], [1, 2, 3, 4, 5]]) {
      const s = session(ids);
      const sig = aggregate(ids.map((_, k) => sign(s, k)), gpk, s.list, msg, pkp);
      expect(opensslVerify(sig, msg, gpk)).toBe(true);
    }
  });
});

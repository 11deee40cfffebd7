import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { keygenKeyType, openKeygenRequest, signKeygenRequest, signLifecycle, signReshareStatement, verifyReshareConfirmations, KEYGEN_REQUEST_CONTEXT } from '../lifecycle-request.js';
import { parseKeyType, rsaBitsOf } from '../key-type.js';
import { signResharePlan } from '../reshare-plan.js';
import { isQsignError } from '../errors.js';

const gpk = bytesToHex(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
const point = () => bytesToHex(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
const ids = [1, 2, 3].map(() => ed25519.utils.randomSecretKey());
const pub = (id: number) => ed25519.getPublicKey(ids[id - 1]!);
const expectPlan = { planId: 'ab'.repeat(16), keyName: 'demo', groupPublicKey: gpk, holders: [1, 2, 3], threshold: 2 };

describe('lifecycle requests and reshare confirmations', () => {
  it('a keygen request verifies only under its own context', () => {
    const k = ed25519.utils.randomSecretKey();
    const s = signKeygenRequest({ keyName: 'x@copr', userId: 'X <x@copr>' }, k);
    expect(openKeygenRequest(s).keyName).toBe('x@copr');
    // The same bytes and signature presented as a reshare plan do not verify (domain separation).
    const asPlan = signResharePlan({} as never, k);
    expect(() => openKeygenRequest({ ...asPlan, plan: s.plan })).toThrow(/signature does not verify/);
    expect(() => openKeygenRequest({ ...s, clientSignature: new Uint8Array(64) })).toThrow(/keygen request signature does not verify/);
  });

  it('a keygen request carries its key type under the signature: absent means ed25519, unknown types are refused', () => {
    const k = ed25519.utils.randomSecretKey();
    const plain = signKeygenRequest({ keyName: 'x@copr', userId: 'X <x@copr>' }, k);
    expect(JSON.parse(new TextDecoder().decode(plain.plan))).not.toHaveProperty('keyType'); // Ed25519 requests are unchanged
    expect(keygenKeyType(openKeygenRequest(plain))).toBe('ed25519');
    const rsa = signKeygenRequest({ keyName: 'x@copr', userId: 'X <x@copr>', keyType: 'rsa4096' }, k);
    expect(keygenKeyType(openKeygenRequest(rsa))).toBe('rsa4096');
    const body = { ...JSON.parse(new TextDecoder().decode(rsa.plan)), keyType: 'rsa1024' };
    expect(() => openKeygenRequest(signLifecycle(KEYGEN_REQUEST_CONTEXT, body, k))).toThrow(/keyType must be ed25519, rsa2048, rsa3072 or rsa4096/);
    // The type cannot be changed by a relay: the signature covers it.
    const swapped = new TextEncoder().encode(new TextDecoder().decode(rsa.plan).replace('rsa4096', 'rsa2048'));
    expect(() => openKeygenRequest({ ...rsa, plan: swapped })).toThrow(/signature does not verify/);
  });

  it('parses key type names and says which exist', () => {
    expect([parseKeyType('ed25519'), rsaBitsOf(parseKeyType('rsa2048')), rsaBitsOf(parseKeyType('rsa3072')), rsaBitsOf(parseKeyType('rsa4096'))]).toEqual(['ed25519', 2048, 3072, 4096]);
    for (const bad of ['rsa1024', 'rsa8192', 'RSA4096', '', 4096]) {
      let err: unknown;
      try {
        parseKeyType(bad, '--type');
      } catch (e) {
        err = e;
      }
      expect(isQsignError(err, 'INVALID_ARGUMENT')).toBe(true);
      expect((err as Error).message).toMatch(/^--type .* is not one of ed25519, rsa2048, rsa3072, rsa4096$/);
    }
  });

  it('accepts one confirmation per new holder on one commitment, and refuses disagreement, gaps and forgeries', () => {
    const commitment = [gpk, point()];
    const confirm = (id: number, c = commitment) => signReshareStatement({ planId: expectPlan.planId, keyName: 'demo', groupPublicKey: gpk, commitment: c, holder: id }, ids[id - 1]!);
    const all = [1, 2, 3].map((i) => confirm(i));
    expect(verifyReshareConfirmations(all, expectPlan, pub)).toEqual(commitment);
    const other = confirm(3, [gpk, point()]);
    expect(() => verifyReshareConfirmations([all[0]!, all[1]!, other], expectPlan, pub)).toThrow(/different merged commitments \(node\(s\) 3 differ from node 1\)/);
    expect(() => verifyReshareConfirmations(all.slice(0, 2), expectPlan, pub)).toThrow(/no confirmation from new holder\(s\) 3/);
    const byWrongKey = signReshareStatement({ planId: expectPlan.planId, keyName: 'demo', groupPublicKey: gpk, commitment, holder: 2 }, ids[0]!);
    expect(() => verifyReshareConfirmations([all[0]!, byWrongKey, all[2]!], expectPlan, pub)).toThrow(/node 2 is not signed by its pinned identity key/);
    expect(() => verifyReshareConfirmations([...all, all[0]!], expectPlan, pub)).toThrow(/two confirmations from node 1/);
    expect(() => verifyReshareConfirmations(all, { ...expectPlan, planId: 'cd'.repeat(16) }, pub)).toThrow(/for another plan/);
    expect(() => verifyReshareConfirmations([1, 2, 3].map((i) => confirm(i, [point(), point()])), expectPlan, pub)).toThrow(/not a 2-point commitment to the group key/);
    let err: unknown;
    try {
      verifyReshareConfirmations(all, expectPlan, (id) => (id === 3 ? undefined : pub(id)));
    } catch (e) {
      err = e;
    }
    expect(isQsignError(err, 'POLICY_REFUSED')).toBe(true);
    expect(String(err)).toMatch(/node 3's identity key is not pinned/);
  });
});

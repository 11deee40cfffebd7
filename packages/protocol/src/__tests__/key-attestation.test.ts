/**
 * Key attestations (docs/pinning.md): a statement verifies only under the
 * node's identity key, for this node, key and challenge; agreement needs
 * enough statements and no dissent.
 */
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ed25519Fingerprint } from '@qsign/openpgp';
import { agreedKey, isQsignError, keyFingerprint, openKeyAttestation, rsaGroupPublicKey, signKeyAttestation, type KeyStatement } from '../index.js';
import { generateKeyPairSync } from 'node:crypto';

const ids = [1, 2, 3].map(() => ed25519.utils.randomSecretKey());
const gpk = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
const challenge = new Uint8Array(32).fill(7);
const statement = (nodeId: number, key = gpk): KeyStatement => ({
  nodeId,
  keyName: 'demo',
  groupPublicKey: bytesToHex(key),
  createdUnixSeconds: 1_700_000_000,
  fingerprint: bytesToHex(ed25519Fingerprint(key, 1_700_000_000)),
  minSigners: 2,
  maxSigners: 3,
  challenge: bytesToHex(challenge),
});
const untrusted = (f: () => unknown, why: RegExp) => {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isQsignError(err, 'UNTRUSTED_KEY')).toBe(true);
  expect(String((err as Error).message)).toMatch(why);
};

describe('key attestations', () => {
  it('attest a threshold RSA key: the statement names the scheme, and the fingerprint must be the RSA key packet\'s', () => {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    const big = (b: string) => BigInt(`0x${Buffer.from(b, 'base64url').toString('hex')}`);
    const rsaKey = rsaGroupPublicKey(big(jwk.n!), big(jwk.e!));
    const rsa: KeyStatement = { ...statement(1), groupPublicKey: bytesToHex(rsaKey), scheme: 'rsa-shoup', fingerprint: bytesToHex(keyFingerprint({ groupPublicKey: rsaKey, createdUnixSeconds: 1_700_000_000, userId: '', scheme: 'rsa-shoup' })) };
    const pub = ed25519.getPublicKey(ids[0]!);
    const ask = { nodeId: 1, keyName: 'demo', challenge };
    expect(openKeyAttestation(signKeyAttestation(rsa, ids[0]!), pub, ask)).toMatchObject({ groupPublicKey: rsa.groupPublicKey, scheme: 'rsa-shoup' });
    // The same RSA key without its scheme, or with an Ed25519 fingerprint, or an unknown scheme: refused.
    untrusted(() => openKeyAttestation(signKeyAttestation({ ...rsa, scheme: undefined }, ids[0]!), pub, ask), /statement fields are malformed/);
    untrusted(() => openKeyAttestation(signKeyAttestation({ ...rsa, fingerprint: statement(1).fingerprint }, ids[0]!), pub, ask), /fingerprint is not the fingerprint of the attested key/);
    untrusted(() => openKeyAttestation(signKeyAttestation({ ...rsa, scheme: 'rsa-other' }, ids[0]!), pub, ask), /statement fields are malformed|unknown scheme/);
    untrusted(() => openKeyAttestation(signKeyAttestation({ ...rsa, groupPublicKey: rsa.groupPublicKey.slice(0, 100) }, ids[0]!), pub, ask), /statement fields are malformed/);
  });

  it('open only under the node identity, for the asked node, key and challenge', () => {
    const a = signKeyAttestation(statement(1), ids[0]!);
    const expect1 = { nodeId: 1, keyName: 'demo', challenge };
    expect(openKeyAttestation(a, ed25519.getPublicKey(ids[0]!), expect1).groupPublicKey).toBe(bytesToHex(gpk));
    untrusted(() => openKeyAttestation(a, ed25519.getPublicKey(ids[1]!), expect1), /does not verify under the node's pinned identity key/);
    untrusted(() => openKeyAttestation({ ...a, statement: a.statement.map((b, i) => (i === 40 ? b ^ 1 : b)) }, ed25519.getPublicKey(ids[0]!), expect1), /does not verify/);
    untrusted(() => openKeyAttestation(a, ed25519.getPublicKey(ids[0]!), { ...expect1, nodeId: 2 }), /names node 1/);
    untrusted(() => openKeyAttestation(a, ed25519.getPublicKey(ids[0]!), { ...expect1, keyName: 'other' }), /about key "demo"/);
    untrusted(() => openKeyAttestation(a, ed25519.getPublicKey(ids[0]!), { ...expect1, challenge: new Uint8Array(32) }), /does not repeat this challenge/);
    const lying = signKeyAttestation({ ...statement(1), fingerprint: '00'.repeat(20) }, ids[0]!);
    untrusted(() => openKeyAttestation(lying, ed25519.getPublicKey(ids[0]!), expect1), /fingerprint is not the fingerprint of the attested key/);
  });

  it('agree only with enough statements (and the key threshold) and no dissent', () => {
    expect(agreedKey([statement(1), statement(2)], 2).attestedBy).toEqual([1, 2]);
    untrusted(() => agreedKey([statement(1)], 2), /1 node attestation, 2 needed/);
    untrusted(() => agreedKey([statement(1), statement(2)], 3), /2 node attestations, 3 needed/);
    untrusted(() => agreedKey([{ ...statement(1), minSigners: 3, maxSigners: 3 }, { ...statement(2), minSigners: 3, maxSigners: 3 }], 2), /3 needed/);
    const other = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
    untrusted(() => agreedKey([statement(1), statement(2), statement(3, other)], 2), /nodes disagree about key demo: nodes 1, 2 attest .*; node 3 attests/);
  });
});

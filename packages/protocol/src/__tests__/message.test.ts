/** The message each payload kind signs, derived identically by client and nodes. */
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519Fingerprint, finishSignature, prepareSignature, verifyCertificationPacket, verifySignaturePacket, publicKeyPacketBody } from '@qsign/openpgp';
import { isQsignError, preparedOpenPgp, signingMessage, type SignRequest } from '../index.js';

const sk = ed25519.utils.randomSecretKey();
const key = { groupPublicKey: ed25519.getPublicKey(sk), createdUnixSeconds: 1_600_000_000, userId: 'Alice <alice@example.org>' };
const base: SignRequest = { requestId: 'r', keyName: 'k', createdAtMs: 1, kind: 'openpgp', data: new TextEncoder().encode('hello'), openpgp: { signatureType: 0, hashAlgorithm: 'sha256', createdUnixSeconds: 1_700_000_000 }, clientName: 'c' };
const errCode = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isQsignError(e) ? e.code : 'OTHER';
  }
  return undefined;
};

describe('signingMessage', () => {
  it('openpgp and rpm-header sign the OpenPGP v4 digest with the key as issuer', () => {
    const want = prepareSignature({ signatureType: 0, hashAlgorithm: 'sha256', createdUnixSeconds: 1_700_000_000, issuerFingerprint: ed25519Fingerprint(key.groupPublicKey, key.createdUnixSeconds) }, base.data).digest;
    expect(signingMessage(base, key)).toEqual(want);
    expect(signingMessage({ ...base, kind: 'rpm-header' }, key)).toEqual(want);
    const prepared = preparedOpenPgp(base, key);
    const packet = finishSignature(prepared, ed25519.sign(prepared.digest, sk));
    expect(verifySignaturePacket(packet, base.data, key.groupPublicKey)).toBe(true);
  });
  it('raw signs the data; digest signs the digest, whose length must match the hash', () => {
    expect(signingMessage({ ...base, kind: 'raw' }, key)).toEqual(base.data);
    expect(signingMessage({ ...base, kind: 'digest', data: new Uint8Array(32) }, key)).toEqual(new Uint8Array(32));
    expect(errCode(() => signingMessage({ ...base, kind: 'digest', data: new Uint8Array(64) }, key))).toBe('MALFORMED_REQUEST');
  });
  it('repomd and container sign the binary OpenPGP digest of the exact bytes; a text signature is refused', () => {
    const want = signingMessage(base, key);
    for (const kind of ['repomd', 'container'] as const) {
      expect(signingMessage({ ...base, kind }, key)).toEqual(want);
      expect(errCode(() => signingMessage({ ...base, kind, openpgp: { ...base.openpgp!, signatureType: 0x01 } }, key))).toBe('MALFORMED_REQUEST');
    }
  });
  it('refuses non-document signature types for data', () => {
    for (const t of [0x02, 0x10, 0x13, 0x18, 0x20]) expect(errCode(() => signingMessage({ ...base, openpgp: { ...base.openpgp!, signatureType: t } }, key))).toBe('MALFORMED_REQUEST');
  });
  it("certification: only the key's own user ID, over its own key packet, never SHA-1", () => {
    const uid = new TextEncoder().encode(key.userId);
    const req: SignRequest = { ...base, kind: 'certification', data: uid, openpgp: undefined };
    const prepared = preparedOpenPgp(req, key);
    const sig = finishSignature(prepared, ed25519.sign(prepared.digest, sk));
    expect(verifyCertificationPacket(sig, publicKeyPacketBody(key.groupPublicKey, key.createdUnixSeconds), key.userId, key.groupPublicKey)).toBe(true);
    expect(errCode(() => signingMessage({ ...req, data: new TextEncoder().encode('Mallory <m@example.org>') }, key))).toBe('MALFORMED_REQUEST');
    expect(errCode(() => signingMessage({ ...req, openpgp: { signatureType: 0x13, hashAlgorithm: 'sha1', createdUnixSeconds: key.createdUnixSeconds } }, key))).toBe('MALFORMED_REQUEST');
    expect(errCode(() => signingMessage({ ...req, openpgp: { signatureType: 0x13, hashAlgorithm: 'sha256', createdUnixSeconds: key.createdUnixSeconds - 1 } }, key))).toBe('MALFORMED_REQUEST');
  });
});

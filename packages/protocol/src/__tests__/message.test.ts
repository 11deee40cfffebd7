/** The message each payload kind signs, derived identically by client and nodes. */
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519Fingerprint, finishSignature, prepareSignature, verifyCertificationPacket, verifySignaturePacket, publicKeyPacketBody } from '@qsign/openpgp';
import { isQsignError, preparedOpenPgp, signingMessage, simpleSigningPayload, validateSignRequest, type SignRequest } from '../index.js';

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
  it('repomd and (atomic) container sign the binary OpenPGP digest of the exact bytes; a text signature is refused', () => {
    const atomic = simpleSigningPayload({ reference: 'registry.example/p/a:1', digest: `sha256:${'1'.repeat(64)}` });
    for (const [kind, data] of [['repomd', base.data], ['container', atomic]] as const) {
      expect(signingMessage({ ...base, kind, data }, key)).toEqual(signingMessage({ ...base, data }, key));
      expect(errCode(() => signingMessage({ ...base, kind, data, openpgp: { ...base.openpgp!, signatureType: 0x01 } }, key))).toBe('MALFORMED_REQUEST');
    }
    expect(errCode(() => signingMessage({ ...base, kind: 'container', data: atomic, openpgp: undefined }, key))).toBe('MALFORMED_REQUEST');
  });
  it('a cosign container payload is signed as its own bytes, without OpenPGP parameters; nothing else is signed raw', () => {
    const cosign = simpleSigningPayload({ format: 'cosign', reference: 'registry.example/p/a:1', digest: `sha256:${'1'.repeat(64)}` });
    const req: SignRequest = { ...base, kind: 'container', data: cosign, openpgp: undefined };
    expect(() => validateSignRequest(req)).not.toThrow();
    expect(signingMessage(req, key)).toEqual(cosign);
    expect(errCode(() => signingMessage({ ...req, openpgp: base.openpgp }, key))).toBe('MALFORMED_REQUEST');
    // Anything but a valid cosign payload is never signed raw: at most an OpenPGP document digest (nodes refuse it before that).
    const junk = new TextEncoder().encode('arbitrary bytes');
    expect(errCode(() => signingMessage({ ...req, data: junk }, key))).toBe('MALFORMED_REQUEST');
    expect(signingMessage({ ...req, data: junk, openpgp: base.openpgp }, key)).toEqual(signingMessage({ ...base, data: junk }, key));
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

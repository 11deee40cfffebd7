/** One-pass signed messages (RFC 9580 §10.3), as containers/image simple signing stores them. */
import { describe, expect, it } from 'vitest';
import { ed25519Fingerprint, finishSignature, keyId, openSignedMessage, parsePackets, prepareSignature, signedMessage, verifySignaturePacket } from '../index.js';
import { errorCode, newKey } from './helpers.js';

describe('signed message', () => {
  const key = newKey();
  const fpr = ed25519Fingerprint(key.publicKey, 1_600_000_000);
  const data = new TextEncoder().encode('{"critical":{}}');
  const packetFor = async (signatureType: 0 | 1) => {
    const p = prepareSignature({ signatureType, hashAlgorithm: 'sha256', createdUnixSeconds: 1_700_000_000, issuerFingerprint: fpr }, data);
    return finishSignature(p, await key.sign(p.digest));
  };
  it('is one-pass (v3, the signature\'s type, hash, algorithm and issuer key ID, last) ‖ literal ‖ signature, and opens to a verifying signature', async () => {
    const sig = await packetFor(0);
    const msg = signedMessage(data, sig);
    const [onePass, literal, last] = parsePackets(msg);
    expect(onePass!.tag).toBe(4);
    expect([...onePass!.body]).toEqual([3, 0x00, 8, 22, ...keyId(fpr), 1]);
    expect(literal!.tag).toBe(11);
    expect(literal!.body[0]).toBe(0x62);
    expect(last!.tag).toBe(2);
    const opened = openSignedMessage(msg);
    expect(opened.data).toEqual(data);
    expect(verifySignaturePacket(opened.signaturePacket, opened.data, key.publicKey)).toBe(true);
  });
  it('refuses a text signature and anything but one signature packet', async () => {
    expect(errorCode(() => signedMessage(data, new Uint8Array(0)))).toBeDefined();
    const text = await packetFor(1);
    expect(() => signedMessage(data, text)).toThrow(/binary \(0x00\)/);
    expect(() => openSignedMessage(text)).toThrow(/one-pass signed message/);
  });
});

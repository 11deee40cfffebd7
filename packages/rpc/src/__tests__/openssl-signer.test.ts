import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { signRequestBody, verifyRequestSignature } from '@qsign/protocol';
import { cosign, ed25519Backend, formatCheckpoint, makeVerifierKey, openCheckpoint, parseVerifierKey, setEd25519Backend, signCheckpoint } from '@qsign/audit';
import { opensslEd25519, opensslSigner, opensslVerify } from '../openssl.js';

describe('OpenSSL Ed25519 signer', () => {
  it('gives the same public key and the byte-identical signature as noble (RFC 8032 is deterministic)', () => {
    for (let i = 0; i < 20; i++) {
      const secret = ed25519.utils.randomSecretKey();
      const message = crypto.getRandomValues(new Uint8Array(i * 37));
      const s = opensslSigner(secret);
      expect(s.publicKey).toEqual(ed25519.getPublicKey(secret));
      expect(s.sign(message)).toEqual(ed25519.sign(message, secret));
    }
  });

  it('signs requests that both verifiers accept, and an altered body is refused', () => {
    const secret = ed25519.utils.randomSecretKey();
    const body = new TextEncoder().encode('a request body');
    const req = signRequestBody(body, secret, opensslSigner(secret));
    expect(req).toEqual(signRequestBody(body, secret));
    verifyRequestSignature(req);
    verifyRequestSignature(req, opensslVerify);
    expect(() => verifyRequestSignature({ ...req, body: new TextEncoder().encode('a request bodY') }, opensslVerify)).toThrow(/signature/i);
  });

  it('as the audit backend: checkpoints signed by OpenSSL are byte-identical to noble\'s, and a forged one is refused', () => {
    const secret = ed25519.utils.randomSecretKey();
    const cp = { origin: 'node-1.qsign.example/audit', size: 7, rootHash: new Uint8Array(32).fill(9), extensions: [] };
    const noble = signCheckpoint(cp, secret);
    setEd25519Backend(opensslEd25519);
    try {
      expect(ed25519Backend()).toBe(opensslEd25519);
      expect(signCheckpoint(cp, secret)).toBe(noble);
      const key = parseVerifierKey(makeVerifierKey(cp.origin, ed25519.getPublicKey(secret)));
      expect(openCheckpoint(noble, [key], { origin: cp.origin }).checkpoint.size).toBe(7);
      const forged = noble.replace('\n7\n', '\n8\n');
      expect(() => openCheckpoint(forged, [key], { origin: cp.origin })).toThrow();
      expect(cosign(formatCheckpoint(cp), 'w', secret, 5)).toBe((setEd25519Backend(undefined), cosign(formatCheckpoint(cp), 'w', secret, 5)));
    } finally {
      setEd25519Backend(undefined);
    }
  });
});

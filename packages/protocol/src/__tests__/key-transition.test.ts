/** Key transition statements (docs/rotation.md): canonical text and the pure check with the old certificate alone. */
import { describe, expect, it } from 'vitest';
import { certifyPrimary, encodePacket, fingerprint, PacketTag, prepareCertification, prepareSignature, signPrepared, SignatureType, toHex, type KeySigner } from '@qsign/openpgp';
import { localEd25519 } from '../../../../test/helpers/local-keys.js';
import { encodeKeyTransition, isQsignError, parseKeyTransition, verifyKeyTransition, type KeyTransition } from '../index.js';

const T = 1_790_000_000;
const UID = 'Copr foo <foo@copr.example>';
const fpr = (k: KeySigner) => toHex(fingerprint(k.publicKeyBody)).toUpperCase();

/** A certificate: primary, user ID, its self-certification, then `extra` signature packets. */
async function cert(k: KeySigner, extra: Uint8Array[] = []): Promise<Uint8Array> {
  const self = await certifyPrimary({ primary: k, userId: UID, createdUnixSeconds: T + 10 });
  return new Uint8Array(Buffer.concat([encodePacket(PacketTag.PublicKey, k.publicKeyBody), encodePacket(PacketTag.UserId, new TextEncoder().encode(UID)), self, ...extra]));
}

async function handover(reason: KeyTransition['reason'] = 'superseded') {
  const oldKey = localEd25519(T);
  const newKey = localEd25519(T + 10);
  const byOld = await signPrepared(oldKey, prepareCertification({ signatureType: SignatureType.GenericCertification, hashAlgorithm: 'sha256', createdUnixSeconds: T + 20, issuerFingerprint: fingerprint(oldKey.publicKeyBody) }, newKey.publicKeyBody, UID));
  const t: KeyTransition = { oldKey: 'foo@copr.example', oldFingerprint: fpr(oldKey), newKey: 'foo@copr.example+r2', newFingerprint: fpr(newKey), newUserId: UID, date: T + 30, reason };
  const statement = encodeKeyTransition(t);
  const sign = (k: KeySigner, at = t.date) => signPrepared(k, prepareSignature({ signatureType: 0, hashAlgorithm: 'sha256', createdUnixSeconds: at, issuerFingerprint: fingerprint(k.publicKeyBody) }, statement));
  return { t, statement, oldKey, newKey, oldCertificate: await cert(oldKey), newCertificate: await cert(newKey, [byOld]), bare: await cert(newKey), signature: await sign(oldKey), sign };
}

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return isQsignError(e) ? e.code : `OTHER ${String(e)}`;
  }
  return undefined;
};

describe('key transition statements', () => {
  it('the canonical text round-trips, and nothing else parses', async () => {
    const h = await handover();
    expect(parseKeyTransition(h.statement)).toEqual(h.t);
    for (const bad of [h.statement.replace('\n', '\r\n'), h.statement + '\n', h.statement.replace('reason: superseded', 'reason: bored'), h.statement.replace('old-key', 'old-name'), h.statement.replace(/date: .*/, 'date: 2026-12-01 10:00')])
      expect(codeOf(() => parseKeyTransition(bad)), JSON.stringify(bad)).toBe('BAD_TRANSITION');
    expect(codeOf(() => encodeKeyTransition({ ...h.t, newFingerprint: h.t.oldFingerprint }))).toBe('BAD_TRANSITION');
  });

  it('verifies with the old certificate alone', async () => {
    const h = await handover();
    expect(verifyKeyTransition({ statement: h.statement, signature: h.signature, oldCertificate: h.oldCertificate, newCertificate: h.newCertificate })).toEqual(h.t);
  });

  it('refuses a statement signed by the new key, or dated other than its signature', async () => {
    const h = await handover();
    const base = { statement: h.statement, oldCertificate: h.oldCertificate, newCertificate: h.newCertificate };
    const byNew = await h.sign(h.newKey);
    expect(() => verifyKeyTransition({ ...base, signature: byNew })).toThrow(/not signed by the old key/);
    const late = await h.sign(h.oldKey, h.t.date + 1);
    expect(() => verifyKeyTransition({ ...base, signature: late })).toThrow(/dated .* but signed at/);
  });

  it('refuses a new certificate the old key did not certify, or another certificate than the statement names', async () => {
    const h = await handover();
    const base = { statement: h.statement, signature: h.signature, oldCertificate: h.oldCertificate };
    expect(() => verifyKeyTransition({ ...base, newCertificate: h.bare })).toThrow(/carries no certification by the old key/);
    const other = await cert(localEd25519(T));
    expect(() => verifyKeyTransition({ ...base, newCertificate: other })).toThrow(/not the statement's new key/);
    expect(() => verifyKeyTransition({ ...base, oldCertificate: other, newCertificate: h.newCertificate })).toThrow(/not the statement's old key/);
  });
});

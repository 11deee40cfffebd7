import { describe, expect, it } from 'vitest';
import { buildRsaCertificate, encodePacket, PacketTag, parsePackets } from '@qsign/openpgp';
import { rsaCertificateProblem, verifiedRsaUserIds } from '../rsa-certificate-check.js';
import { certificateProblem } from '../certificate-check.js';
import { rsaKey, T, UID } from './rsa-fixtures.js';

const a = rsaKey();
const b = rsaKey();
const certOf = (k: ReturnType<typeof rsaKey>, userId = UID) => buildRsaCertificate({ n: k.n, e: k.e, createdUnixSeconds: T, userId, sign: k.sign });

describe('an RSA key\'s certificate as the client checks it against the pin', () => {
  it('accepts the key\'s own certificate and reports its self-certified user ID', async () => {
    const cert = await certOf(a);
    expect(rsaCertificateProblem(cert, a.key)).toBeUndefined();
    expect(verifiedRsaUserIds(cert, a.key)).toEqual([UID]);
  });

  it('refuses another key\'s certificate and a different creation time', async () => {
    expect(rsaCertificateProblem(await certOf(b), a.key)).toMatch(/different public key/);
    expect(rsaCertificateProblem(await certOf(a), { ...a.key, createdUnixSeconds: T + 1 })).toMatch(/creation time/);
  });

  it('refuses a certificate whose self-certification does not verify', async () => {
    const cert = await certOf(a);
    cert[cert.length - 10]! ^= 0x01; // inside the signature MPI
    expect(rsaCertificateProblem(cert, a.key)).toMatch(/no user ID carries a self-certification that verifies/);
  });

  it('does not count a user ID added without a self-certification (a coordinator cannot steer -u EMAIL to this key)', async () => {
    const cert = await certOf(a);
    const planted = new Uint8Array([...cert, ...encodePacket(PacketTag.UserId, new TextEncoder().encode('Victim <victim@copr.invalid>'))]);
    expect(parsePackets(planted).filter((p) => p.tag === PacketTag.UserId)).toHaveLength(2);
    expect(verifiedRsaUserIds(planted, a.key)).toEqual([UID]);
    // Nor one carrying a self-certification copied from the real user ID.
    const sig = parsePackets(cert).at(-1)!;
    const copied = new Uint8Array([...planted, ...encodePacket(PacketTag.Signature, sig.body)]);
    expect(verifiedRsaUserIds(copied, a.key)).toEqual([UID]);
  });
});

describe('a new RSA key\'s certificate as a node checks it before storing it (certificateProblem with scheme rsa-shoup)', () => {
  it('accepts exactly key, user ID and a self-certification of the key\'s own user ID', async () => {
    expect(certificateProblem(await certOf(a), a.key)).toBeUndefined();
  });
  it('refuses another user ID, another key, extra packets and a broken self-signature', async () => {
    expect(certificateProblem(await certOf(a, 'Other <other@copr.invalid>'), a.key)).toMatch(/user ID "Other <other@copr.invalid>" is not the key's/);
    expect(certificateProblem(await certOf(b), a.key)).toMatch(/different public key/);
    const cert = await certOf(a);
    const extra = Uint8Array.from([...cert, ...encodePacket(PacketTag.UserId, new TextEncoder().encode('Extra <x@copr.invalid>'))]);
    expect(certificateProblem(extra, a.key)).toBe('certificate must be exactly a public-key, a user ID and a signature packet');
    const broken = Uint8Array.from(cert);
    broken[broken.length - 10]! ^= 1;
    expect(certificateProblem(broken, a.key)).toMatch(/no user ID carries a self-certification|does not parse/);
  });
});

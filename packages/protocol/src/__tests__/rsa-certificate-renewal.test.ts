import { describe, expect, it } from 'vitest';
import { buildRsaCertificate, encodePacket, finishRsaSignature, PacketTag, parsePackets, primaryExpiry } from '@qsign/openpgp';
import { preparedOpenPgp, type KeyContext } from '../message.js';
import { rsaRenewalProblem, rsaRenewedCertificate } from '../rsa-certificate-renewal.js';
import { rsaKey, T, UID } from './rsa-fixtures.js';

const DAY = 86_400;
const OTHER = 'Copr Second <second@copr.invalid>';
const a = rsaKey();
const b = rsaKey();

/** A positive certification packet of `key.userId` by `k`, dated `created`, expiring at `expires` (as the nodes prepare it). */
async function certification(k: ReturnType<typeof rsaKey>, key: KeyContext, created: number, expires: number): Promise<Uint8Array> {
  const openpgp = { signatureType: 0x13, hashAlgorithm: 'sha256' as const, createdUnixSeconds: created, keyExpiresUnixSeconds: expires };
  const prepared = preparedOpenPgp({ requestId: 'r', keyName: 'k', createdAtMs: 0, kind: 'certification', data: new TextEncoder().encode(key.userId), openpgp, clientName: '' }, key);
  return finishRsaSignature(prepared, await k.sign('sha256', prepared.digest));
}

/**
 * An imported key's certificate as gpg exports it: key, user ID and its self-signature
 * (expiring at T + 2 days), a second user ID with its own, and a subkey packet with a binding.
 */
async function importedCertificate(): Promise<Uint8Array> {
  const own = parsePackets(await buildRsaCertificate({ n: a.n, e: a.e, createdUnixSeconds: T, userId: UID, sign: a.sign }));
  const selfSig = await certification(a, a.key, T, T + 2 * DAY);
  const other = await certification(a, { ...a.key, userId: OTHER }, T + 10, T + 2 * DAY);
  const subkey = encodePacket(PacketTag.PublicSubkey, own[0]!.body); // any key material: nothing interprets it here
  const binding = encodePacket(PacketTag.Signature, parsePackets(other)[0]!.body);
  return new Uint8Array(
    Buffer.concat([encodePacket(PacketTag.PublicKey, own[0]!.body), encodePacket(PacketTag.UserId, own[1]!.body), selfSig, encodePacket(PacketTag.UserId, new TextEncoder().encode(OTHER)), other, subkey, binding]),
  );
}

const packetsOf = (cert: Uint8Array) => parsePackets(cert).map((p) => `${p.tag}:${Buffer.from(p.body).toString('hex')}`);

describe("renewing an RSA key's certificate: every packet kept, only the key user ID's newest self-signature replaced", () => {
  it('the renewed certificate keeps the other user ID, the subkey and every signature, and now expires later', async () => {
    const stored = await importedCertificate();
    const renewal = await certification(a, a.key, T + DAY, T + 30 * DAY);
    const renewed = rsaRenewedCertificate(stored, a.key, renewal);
    const before = packetsOf(stored);
    const after = packetsOf(renewed);
    expect(after).toHaveLength(before.length);
    expect(after.filter((p, i) => p !== before[i])).toEqual([`${PacketTag.Signature}:${Buffer.from(parsePackets(renewal)[0]!.body).toString('hex')}`]);
    expect(after.findIndex((p, i) => p !== before[i])).toBe(2); // the self-signature right after the key's user ID
    expect(primaryExpiry(renewed)).toMatchObject({ selfSignatureCreatedUnixSeconds: T + DAY, expiresUnixSeconds: T + 30 * DAY });
    expect(rsaRenewalProblem(stored, renewed, a.key)).toBeUndefined();
  });

  it('refuses a renewal whose new self-signature is not a valid signature by the key (made by another key)', async () => {
    const stored = await importedCertificate();
    const forged = rsaRenewedCertificate(stored, a.key, await certification(b, a.key, T + DAY, T + 30 * DAY));
    expect(rsaRenewalProblem(stored, forged, a.key)).toMatch(/the new self-signature does not verify under the key/);
  });

  it('refuses a certificate that changes the user ID, drops a packet or adds one', async () => {
    const stored = await importedCertificate();
    const renewed = parsePackets(rsaRenewedCertificate(stored, a.key, await certification(a, a.key, T + DAY, T + 30 * DAY)));
    const join = (ps: { tag: number; body: Uint8Array }[]) => new Uint8Array(Buffer.concat(ps.map((p) => encodePacket(p.tag, p.body))));
    const uidChanged = renewed.map((p, i) => (i === 1 ? { tag: p.tag, body: new TextEncoder().encode('Mallory <mallory@copr.invalid>') } : p));
    expect(rsaRenewalProblem(stored, join(uidChanged), a.key)).toMatch(/changes 2 packets/);
    expect(rsaRenewalProblem(stored, join(renewed.slice(0, -2)), a.key)).toMatch(/keeps every packet .* this one has 5 packets, the stored one 7/);
    expect(rsaRenewalProblem(stored, join([...renewed, { tag: PacketTag.UserId, body: new TextEncoder().encode('Extra <x@copr.invalid>') }]), a.key)).toMatch(/this one has 8 packets/);
  });

  it("refuses a certificate that replaces another packet (the second user ID's self-signature) instead of the key user ID's", async () => {
    const stored = await importedCertificate();
    const packets = parsePackets(stored);
    const swapped = parsePackets(await certification(a, { ...a.key, userId: OTHER }, T + DAY, T + 30 * DAY))[0]!;
    const cert = new Uint8Array(Buffer.concat(packets.map((p, i) => encodePacket(p.tag, i === 4 ? swapped.body : p.body))));
    expect(rsaRenewalProblem(stored, cert, a.key)).toMatch(/changes packet 5, which is not that self-signature/);
  });

  it('refuses a renewed certificate for another key', async () => {
    const stored = await importedCertificate();
    const renewed = rsaRenewedCertificate(stored, a.key, await certification(a, a.key, T + DAY, T + 30 * DAY));
    expect(rsaRenewalProblem(stored, renewed, b.key)).toMatch(/different public key/);
  });
});

/**
 * Revoking the windows of a windowed key (docs/windows.md, `qsign key revoke-window`):
 * threshold subkey revocations (0x28) by the primary for every subkey whose window shares
 * time with `[from, to)`, added to the key's certificate on the nodes (each checks it and
 * that it keeps every packet of the stored one).
 */
import { encodePacket, PacketTag, parsePackets, RevocationReason, readSubkeys, assembleCertificate, SignatureType, type CertificateLayout, type RevocationReasonCode } from '@qsign/openpgp';
import { QsignError, encodeSubkeyRevocation } from '@qsign/protocol';
import type { QsignClient } from './client.js';
import { keySignature, publishedWindows, type PublishedWindow } from './windowed.js';

/** The reasons `revoke-window` takes: compromised is hard (every signature by the subkey is invalid), retired soft. */
export const WINDOW_REVOCATION_REASONS: Readonly<Record<string, RevocationReasonCode>> = { compromised: RevocationReason.Compromised, retired: RevocationReason.Retired };

const iso = (t: number) => new Date(t * 1000).toISOString();

/** The published windows of `keyName` sharing time with `[from, to)`; INVALID_ARGUMENT for a backwards range or when none does. */
export function windowsCovering(keyName: string, windows: readonly PublishedWindow[], from: number, to: number): PublishedWindow[] {
  if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to))) throw new QsignError('INVALID_ARGUMENT', '--from and --to must be times');
  if (to <= from) throw new QsignError('INVALID_ARGUMENT', `the window to revoke runs backwards or is empty: --from ${iso(from)} is not before --to ${iso(to)}`);
  const hit = windows.filter((w) => w.start < to && from < w.end);
  if (!hit.length)
    throw new QsignError('INVALID_ARGUMENT', `key ${keyName} has no subkey whose window falls in ${iso(from)} – ${iso(to)}${windows.length ? ` (its windows run ${iso(windows[0]!.start)} – ${iso(windows.at(-1)!.end)})` : ' (it has no windows)'}`);
  return hit;
}

/**
 * Revokes every subkey of `keyName` whose window shares time with `[from, to)` and stores
 * the updated certificate. Returns the revoked windows and the new certificate.
 */
export async function revokeWindows(client: QsignClient, keyName: string, from: number, to: number, reasonName: string, now = Math.floor(Date.now() / 1000)): Promise<{ revoked: PublishedWindow[]; certificate: Uint8Array }> {
  const reason = WINDOW_REVOCATION_REASONS[reasonName];
  if (reason === undefined) throw new QsignError('INVALID_ARGUMENT', `--reason must be one of ${Object.keys(WINDOW_REVOCATION_REASONS).join(', ')}, got ${JSON.stringify(reasonName)}`);
  const info = await client.key(keyName);
  const cert = await client.certificate(keyName);
  const windows = cert ? publishedWindows(keyName, info.createdUnixSeconds, cert) : [];
  const revoked = windowsCovering(keyName, windows, from, to);
  const subkeys = readSubkeys(cert!);
  const { primaryKeyBody, selfSignatures, subkeys: layout } = certificateLayout(cert!, info.userId);
  for (const w of revoked) {
    const sub = layout[subkeys.findIndex((s) => Buffer.from(s.fingerprint).toString('hex') === w.fingerprint)]!;
    const description = `qsign revoke-window ${iso(from)} – ${iso(to)}`.replace(' – ', ' to ');
    sub.revocations.push(await keySignature(client, keyName, SignatureType.SubkeyRevocation, encodeSubkeyRevocation(sub.publicKeyBody, reason, description), now));
  }
  const certificate = assembleCertificate({ primaryKeyBody, userId: info.userId, selfSignatures, subkeys: layout });
  await client.putCertificate(keyName, certificate);
  return { revoked, certificate };
}

/** A windowed certificate read back into the layout {@link assembleCertificate} writes (signatures not verified). */
export function certificateLayout(cert: Uint8Array, userId: string): CertificateLayout & { subkeys: { publicKeyBody: Uint8Array; bindings: Uint8Array[]; revocations: Uint8Array[] }[] } {
  const packets = parsePackets(cert);
  const firstSubkey = packets.findIndex((p) => p.tag === PacketTag.PublicSubkey);
  const selfSignatures = packets.slice(2, firstSubkey < 0 ? undefined : firstSubkey).map((p) => encodePacket(PacketTag.Signature, p.body));
  const subkeys = readSubkeys(cert).map((s) => ({
    publicKeyBody: s.publicKeyBody,
    bindings: s.signatures.filter((g) => signatureTypeOf(g) === SignatureType.SubkeyBinding),
    revocations: s.signatures.filter((g) => signatureTypeOf(g) === SignatureType.SubkeyRevocation),
  }));
  return { primaryKeyBody: packets[0]!.body, userId, selfSignatures, subkeys };
}

/**
 * The certificate as an rpm < 6 client should store it: for a windowed key, without its
 * hard-revoked subkeys (rpm's legacy parser ignores revocations, so leaving the subkey out is
 * the only way to withdraw it, docs/windows.md); any other certificate unchanged.
 */
export function rpmCertificate(cert: Uint8Array, userId: string): Uint8Array {
  if (!readSubkeys(cert).length) return cert;
  return assembleCertificate({ ...certificateLayout(cert, userId), dropHardRevoked: true });
}

/** Signature type octet of a v4 signature packet (after its header). */
function signatureTypeOf(packet: Uint8Array): number {
  return parsePackets(packet)[0]!.body[1]!;
}

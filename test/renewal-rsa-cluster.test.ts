// No accidental expiry for RSA keys (issue 13's renewal, issue 11's imported keys): a gpg RSA
// key made as Copr makes its keys, here with `Expire-Date` two days, a second user ID and an
// encryption subkey, is imported into a 2-of-3 cluster (cluster up --import-gpg) whose daemons'
// lifecycle clocks run three days ahead (QSIGN_CLOCK_OFFSET_MS, development configs only), so
// by the cluster's clock the key has expired. The coordinator's renewal loop asks the RSA quorum
// for a new self-signature by itself; the certificate keeps every packet gpg exported but that
// one, and the fingerprint. gpg and sq, run at the moved time, accept a new signature against
// the certificate served now and not against the one gpg exported; every node audits
// 'key-renewed'. Nodes refuse (and audit) a renewed certificate whose self-signature is not the
// key's, or which changes the user ID. The Ed25519 variant: renewal-cluster.test.ts.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armor, encodePacket, finishRsaSignature, PacketTag, parsePackets, parseRsaCertificate, primaryExpiry, toBinary, toHex } from '@qsign/openpgp';
import { CLOCK_OFFSET_ENV, isQsignError, preparedOpenPgp } from '@qsign/protocol';
import { keyContext, signOpenPgp } from '@qsign/client';
import { TestCluster } from './helpers/cluster.js';
import { qsign } from './helpers/qsign-cli.js';
import { requireTools, runTool } from './helpers/tools.js';
import { expectRenewalAudited, verifiersAt, waitForRenewal } from './helpers/renewal.js';

const DAY = 86_400;
const OFFSET_SECONDS = 3 * DAY;
const KEY = 'copr-rsa';
const EMAIL = 'renew@copr.invalid';
const USER_ID = `Copr Renewal <${EMAIL}>`;
const SECOND_UID = 'Copr Renewal Second <renew2@copr.invalid>';

const run = (cmd: string, args: string[]) => runTool(cmd, args, 300_000);
const packetsOf = (armored: string) => parsePackets(toBinary(armored, 'PUBLIC KEY BLOCK')).map((p) => `${p.tag}:${toHex(p.body)}`);

describe("no accidental expiry for RSA keys: the cluster renews an imported gpg key's self-signature, keeping its certificate", () => {
  let c: TestCluster;
  let dir: string;
  let fingerprint: string;
  let originalExpiry: number;
  let originalCert: string;
  let renewedCert: string;
  let movedNow: number;
  const data = new TextEncoder().encode('signed after the imported key had expired\n');
  let sigPath: string;

  beforeAll(async () => {
    requireTools('gpg', 'gpgconf', 'sq', 'faketime');
    dir = mkdtempSync(join(tmpdir(), 'qsign-renewal-rsa-'));
    writeFileSync(join(dir, 'data'), data);
    const gnupg = join(dir, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    const gpg = (...args: string[]) => {
      const r = run('gpg', ['--batch', '--no-tty', '--homedir', gnupg, '--pinentry-mode', 'loopback', '--passphrase', '', ...args]);
      if (r.status !== 0) throw new Error(`gpg ${args.join(' ')}: ${r.out}`);
      return r.out;
    };
    gpg('--quick-gen-key', USER_ID, 'rsa2048', 'sign', '2d');
    fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg('--with-colons', '--list-keys', EMAIL))![1]!.toLowerCase();
    gpg('--quick-add-uid', fingerprint, SECOND_UID);
    gpg('--quick-add-key', fingerprint, 'rsa2048', 'encr', '2d');
    originalCert = join(dir, 'original.asc');
    gpg('--armor', '--output', originalCert, '--export', fingerprint);
    const secret = join(dir, 'secret.gpg');
    gpg('--output', secret, '--export-secret-keys', fingerprint);
    run('gpgconf', ['--homedir', gnupg, '--kill', 'all']);
    originalExpiry = primaryExpiry(readFileSync(originalCert, 'utf8')).expiresUnixSeconds!;

    c = await TestCluster.start({
      nodes: 3,
      threshold: 2,
      keyName: KEY,
      importGpg: secret,
      renewal: { horizon: '1d', validity: '30d', intervalSeconds: 2 },
      daemonEnv: { [CLOCK_OFFSET_ENV]: String(OFFSET_SECONDS * 1000) },
    });
    // By the cluster's (moved) clock the key has expired: the renewal loop renews it within a pass or two.
    await waitForRenewal(c, KEY, originalExpiry, 300_000);
    renewedCert = join(dir, 'renewed.asc');
    const pub = await qsign(['pubkey', '--key', KEY, '--armor', '-o', renewedCert, '-c', c.file.clientConfig]);
    expect(pub.code, pub.stderr).toBe(0);
    // The key still signs: a signature made at the moved time, past the original expiry.
    movedNow = Math.floor(Date.now() / 1000) + OFFSET_SECONDS;
    sigPath = join(dir, 'data.sig');
    writeFileSync(sigPath, await signOpenPgp(c.client, KEY, data, { createdUnixSeconds: movedNow }));
  }, 900_000);
  afterAll(async () => {
    await c?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the certificate served now has a newer self-signature whose expiry moved past the original (30 days from the cluster clock)', () => {
    const before = primaryExpiry(readFileSync(originalCert, 'utf8'));
    const after = primaryExpiry(readFileSync(renewedCert, 'utf8'));
    expect(before.expiresUnixSeconds).toBe(originalExpiry);
    expect(after.selfSignatureCreatedUnixSeconds).toBeGreaterThan(originalExpiry); // made by the moved clock
    expect(after.expiresUnixSeconds!).toBeGreaterThan(movedNow + 29 * DAY);
  });

  it('keeps the fingerprint and everything gpg exported: both user IDs, the encryption subkey and its binding, every packet but the replaced self-signature', async () => {
    const before = packetsOf(readFileSync(originalCert, 'utf8'));
    const after = packetsOf(readFileSync(renewedCert, 'utf8'));
    const info = parseRsaCertificate(readFileSync(renewedCert, 'utf8'));
    expect(toHex(info.fingerprint).toLowerCase()).toBe(fingerprint);
    expect(info.userIds).toEqual(parseRsaCertificate(readFileSync(originalCert, 'utf8')).userIds);
    expect([...info.userIds].sort()).toEqual([USER_ID, SECOND_UID].sort());
    expect(after).toHaveLength(before.length);
    // The one packet changed is the self-signature right after the key's user ID (gpg's first: the key's userId).
    const keyUid = `${PacketTag.UserId}:${toHex(new TextEncoder().encode((await c.client.key(KEY)).userId))}`.toLowerCase();
    const changed = after.flatMap((p, i) => (p === before[i] ? [] : [i]));
    expect(changed).toEqual([before.findIndex((p) => p.toLowerCase() === keyUid) + 1]);
    expect(after.filter((p) => p.startsWith(`${PacketTag.PublicSubkey}:`))).toHaveLength(1);
  });

  const { gpgRun, ...at } = verifiersAt(() => dir, () => movedNow + 60);
  const gpgVerify = (cert: string) => at.gpgVerify(cert, sigPath, join(dir, 'data'));
  const sqVerify = (cert: string) => at.sqVerify(cert, sigPath, join(dir, 'data'));

  it('gpg --verify and sq verify, run at the moved time, accept a signature made past the original expiry against the renewed certificate', () => {
    const g = gpgVerify(renewedCert);
    expect(g.out, g.out).toMatch(/\[GNUPG:\] GOODSIG/);
    expect(g.out).not.toMatch(/EXPKEYSIG/);
    const s = sqVerify(renewedCert);
    expect(s.status, s.out).toBe(0);
    expect(s.out).toMatch(/1 good signature/);
    // gpg reads both user IDs and the subkey from the renewed certificate.
    const listed = gpgRun(renewedCert, '--with-colons', '--list-keys', fingerprint).out;
    expect(listed.match(/^uid:/gm)).toHaveLength(2);
    expect(listed.match(/^sub:/gm)).toHaveLength(1);
  });

  it('…and reject it against the certificate gpg exported before the import (the key had expired)', () => {
    expect(gpgVerify(originalCert).out).toMatch(/\[GNUPG:\] EXPKEYSIG/);
    expect(sqVerify(originalCert).status).not.toBe(0);
  });

  it("every node's audit log records the renewal, and the RSA quorum signed it for the renewal client", async () => {
    await expectRenewalAudited(c, KEY, originalExpiry, primaryExpiry(readFileSync(renewedCert, 'utf8')).expiresUnixSeconds);
  });

  describe('nodes store only a genuine renewal of the RSA certificate (as a malicious coordinator would offer otherwise)', () => {
    const renewed = () => parsePackets(toBinary(readFileSync(renewedCert, 'utf8'), 'PUBLIC KEY BLOCK'));
    const join2 = (ps: { tag: number; body: Uint8Array }[]) => new Uint8Array(Buffer.concat(ps.map((p) => encodePacket(p.tag, p.body))));
    const offer = (cert: Uint8Array) => c.client.putCertificate(KEY, cert).then(() => undefined, (e) => e);
    const refusedEverywhere = async (reason: RegExp) => {
      for (const n of c.file.nodes) {
        const audit = await c.audit(n.id);
        expect(audit.some((r) => r.event === 'refused' && reason.test(String(r.reason))), `node ${n.id}`).toBe(true);
      }
    };

    it('refuses, on every node with an audit record, a renewal whose new self-signature is not a valid signature by the key', async () => {
      const info = await c.client.key(KEY);
      const later = primaryExpiry(readFileSync(renewedCert, 'utf8'));
      const openpgp = { signatureType: 0x13, hashAlgorithm: 'sha256' as const, createdUnixSeconds: later.selfSignatureCreatedUnixSeconds + 10, keyExpiresUnixSeconds: later.expiresUnixSeconds! + 300 * DAY };
      const prepared = preparedOpenPgp({ requestId: 'forged', keyName: KEY, createdAtMs: 0, kind: 'certification', data: new TextEncoder().encode(info.userId), openpgp, clientName: '' }, keyContext(info));
      const forged = parsePackets(finishRsaSignature(prepared, randomBytes(256)))[0]!;
      const err = await offer(join2(renewed().map((p, i) => (i === 2 ? forged : p))));
      expect(isQsignError(err), String(err)).toBe(true);
      expect(String(err.message)).toMatch(/the new self-signature does not verify under the key/);
      await refusedEverywhere(/the new self-signature does not verify under the key/);
    });

    it("refuses a certificate that changes the key's user ID, and one that drops the subkey", async () => {
      const uid = await offer(join2(renewed().map((p, i) => (i === 1 ? { tag: p.tag, body: new TextEncoder().encode('Mallory <mallory@copr.invalid>') } : p))));
      expect(isQsignError(uid), String(uid)).toBe(true);
      expect(String(uid.message)).toMatch(/replaces only the newest self-signature of the key's user ID; this one changes packet 2/);
      await refusedEverywhere(/this one changes packet 2/);
      const dropped = await offer(join2(renewed().filter((p) => p.tag !== PacketTag.PublicSubkey)));
      expect(String(dropped?.message)).toMatch(/keeps every packet of the stored certificate/);
    });

    it('refuses the certificate gpg exported again over the renewed one (its self-signature is older)', async () => {
      const err = await offer(toBinary(readFileSync(originalCert, 'utf8'), 'PUBLIC KEY BLOCK'));
      expect(isQsignError(err, 'POLICY_REFUSED'), String(err)).toBe(true);
      expect(String(err.message)).toMatch(/this is no renewal: its self-signature .* is not newer than the stored one/);
      expect(packetsOf(armor('PUBLIC KEY BLOCK', (await c.client.certificate(KEY))!))).toEqual(packetsOf(readFileSync(renewedCert, 'utf8')));
    });
  });
});

describe('no accidental expiry for RSA keys made on the cluster: qsign keygen --type rsa2048 --expires', () => {
  let c: TestCluster;
  let dir: string;
  const EMAIL2 = 'rsa-renew@example.org';

  beforeAll(async () => {
    requireTools('gpg', 'gpgconf');
    dir = mkdtempSync(join(tmpdir(), 'qsign-renewal-rsa-keygen-'));
    c = await TestCluster.start({ nodes: 3, threshold: 2, renewal: { horizon: '1d', validity: '30d', intervalSeconds: 2 }, daemonEnv: { [CLOCK_OFFSET_ENV]: String(OFFSET_SECONDS * 1000) } });
  }, 600_000);
  afterAll(async () => {
    await c?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the cluster renews the key it certified to expire a day after its creation; each node audits it; gpg at the moved time accepts a new signature', async () => {
    const r = await qsign(['keygen', '--type', 'rsa2048', '--expires', '1d', '--name', 'RSA Renewal', '--email', EMAIL2, '-c', c.file.clientConfig]);
    expect(r.code, r.stderr).toBe(0);
    const created = (await c.client.key(EMAIL2)).createdUnixSeconds;
    const cert = await waitForRenewal(c, EMAIL2, created + DAY, 300_000);
    expect(parsePackets(cert).map((p) => p.tag)).toEqual([PacketTag.PublicKey, PacketTag.UserId, PacketTag.Signature]);
    const movedNow = Math.floor(Date.now() / 1000) + OFFSET_SECONDS;
    expect(primaryExpiry(cert).expiresUnixSeconds!).toBeGreaterThan(movedNow + 29 * DAY);
    await expectRenewalAudited(c, EMAIL2, created + DAY, primaryExpiry(cert).expiresUnixSeconds);
    const data = new TextEncoder().encode('signed by a renewed RSA key made on the cluster\n');
    writeFileSync(join(dir, 'data'), data);
    writeFileSync(join(dir, 'data.sig'), await signOpenPgp(c.client, EMAIL2, data, { createdUnixSeconds: movedNow }));
    writeFileSync(join(dir, 'cert.asc'), armor('PUBLIC KEY BLOCK', cert));
    const v = verifiersAt(() => dir, () => movedNow + 60).gpgVerify(join(dir, 'cert.asc'), join(dir, 'data.sig'), join(dir, 'data'));
    expect(v.out, v.out).toMatch(/\[GNUPG:\] GOODSIG/);
    expect(v.out).not.toMatch(/EXPKEYSIG/);
  }, 900_000);
});

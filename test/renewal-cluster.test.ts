// Issue 13 acceptance 4 on a real cluster: keys never expire by accident. Every daemon's
// lifecycle clock is moved three days ahead (QSIGN_CLOCK_OFFSET_MS, honoured only because dev
// configs say "development": true), and key "demo" is certified to expire two days after its
// creation — so by the cluster's clock it has already expired. The coordinator's renewal loop
// re-issues the self-signature with a later expiry by itself (threshold-signed, each node
// checking it is a genuine renewal), every node records the renewal, and a signature made at
// the moved time verifies (gpg --verify, sq verify, both run at that time) against the
// certificate `qsign pubkey` serves now — and not against the original one. Nodes refuse
// renewals that are not genuine (the clock offset outside development: protocol lifecycle-clock.test.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armor, primaryExpiry, toBinary } from '@qsign/openpgp';
import { CLOCK_OFFSET_ENV, isQsignError } from '@qsign/protocol';
import { QsignClient, certifyKey, loadClientConfig, signOpenPgp } from '@qsign/client';
import { TestCluster } from './helpers/cluster.js';
import { qsign } from './helpers/qsign-cli.js';
import { requireTools } from './helpers/tools.js';
import { expectRenewalAudited, verifiersAt, waitForRenewal } from './helpers/renewal.js';

const DAY = 86_400;
const OFFSET_SECONDS = 3 * DAY;

describe('no accidental expiry: the cluster renews a key by itself, audited on every node', () => {
  let c: TestCluster;
  let dir: string;
  let created: number;
  let originalExpiry: number;
  let originalCert: string;
  let renewedCert: string;
  let movedNow: number;
  const data = new TextEncoder().encode('signed after the original expiry\n');
  let sigPath: string;

  beforeAll(async () => {
    requireTools('gpg', 'gpgconf', 'sq', 'faketime');
    dir = mkdtempSync(join(tmpdir(), 'qsign-renewal-'));
    writeFileSync(join(dir, 'data'), data);
    c = await TestCluster.start({
      nodes: 3,
      threshold: 2,
      noCertificate: true,
      renewal: { horizon: '1d', validity: '30d', intervalSeconds: 2 },
      daemonEnv: { [CLOCK_OFFSET_ENV]: String(OFFSET_SECONDS * 1000) },
    });
    created = (await c.client.key('demo')).createdUnixSeconds;
    originalExpiry = created + 2 * DAY;
    // The first certificate: made by the signing client, expiring two days after the key's creation.
    originalCert = join(dir, 'original.asc');
    writeFileSync(originalCert, armor('PUBLIC KEY BLOCK', await certifyKey(c.client, 'demo', { expiresUnixSeconds: originalExpiry })));
    // By the cluster's (moved) clock the key has expired: the renewal loop renews it within a pass or two.
    await waitForRenewal(c, 'demo', originalExpiry, 180_000);
    renewedCert = join(dir, 'renewed.asc');
    const pub = await qsign(['pubkey', '--key', 'demo', '--armor', '-o', renewedCert, '-c', c.file.clientConfig]);
    expect(pub.code, pub.stderr).toBe(0);
    // A signature made at the moved time, past the original expiry.
    movedNow = Math.floor(Date.now() / 1000) + OFFSET_SECONDS;
    sigPath = join(dir, 'data.sig');
    writeFileSync(sigPath, await signOpenPgp(c.client, 'demo', data, { createdUnixSeconds: movedNow }));
  }, 600_000);
  afterAll(async () => {
    await c?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the certificate qsign pubkey serves now has a newer self-signature whose expiry moved past the original (renewal window 30 days from the cluster's clock)", () => {
    const before = primaryExpiry(readFileSync(originalCert, 'utf8'));
    const after = primaryExpiry(readFileSync(renewedCert, 'utf8'));
    expect(before.expiresUnixSeconds).toBe(originalExpiry);
    expect(after.selfSignatureCreatedUnixSeconds).toBeGreaterThan(before.selfSignatureCreatedUnixSeconds);
    expect(after.selfSignatureCreatedUnixSeconds).toBeGreaterThan(originalExpiry); // made by the moved clock
    expect(after.expiresUnixSeconds!).toBeGreaterThan(movedNow + 29 * DAY);
  });

  const at = verifiersAt(() => dir, () => movedNow + 60);
  const gpgVerify = (cert: string) => at.gpgVerify(cert, sigPath, join(dir, 'data'));
  const sqVerify = (cert: string) => at.sqVerify(cert, sigPath, join(dir, 'data'));

  it('gpg --verify and sq verify, run at the moved time, accept a signature made past the original expiry against the renewed certificate', () => {
    const g = gpgVerify(renewedCert);
    expect(g.out, g.out).toMatch(/\[GNUPG:\] GOODSIG/);
    expect(g.out).not.toMatch(/EXPKEYSIG/);
    const s = sqVerify(renewedCert);
    expect(s.status, s.out).toBe(0);
    expect(s.out).toMatch(/1 good signature/);
  });

  it('…and reject it against the original certificate (the key had expired: the renewal is what keeps it signing)', () => {
    expect(gpgVerify(originalCert).out).toMatch(/\[GNUPG:\] EXPKEYSIG/);
    expect(sqVerify(originalCert).status).not.toBe(0);
  });

  it("every node's audit log records the renewal (fetched and verified with qsign audit)", async () => {
    await expectRenewalAudited(c, 'demo', originalExpiry, primaryExpiry(readFileSync(renewedCert, 'utf8')).expiresUnixSeconds);
  });

  describe('nodes sign and store only genuine renewals', () => {
    const renewalClient = () => {
      const cfg = loadClientConfig(c.file.clientConfig);
      const secretKey = Uint8Array.from(Buffer.from(readFileSync(join(c.dir, 'coordinator', 'renewal-client.key'), 'utf8').trim(), 'hex'));
      return new QsignClient({ ...cfg, secretKey, clientName: 'coordinator-renewal' });
    };
    const userIdOf = async () => (await c.client.key('demo')).userId;

    it('refuses a renewal asked by a signing client without the renew permission', async () => {
      const uid = await userIdOf();
      const err = await c.client
        .sign({ keyName: 'demo', kind: 'certification', data: new TextEncoder().encode(uid), openpgp: { signatureType: 0x13, hashAlgorithm: 'sha256', createdUnixSeconds: movedNow, keyExpiresUnixSeconds: movedNow + 300 * DAY } })
        .then(() => undefined, (e) => e);
      expect(isQsignError(err), String(err)).toBe(true);
      expect(String(err.message)).toMatch(/may not renew key demo: only a client with the renew permission/);
      const audits = await Promise.all(c.file.nodes.map((n) => c.audit(n.id)));
      expect(audits.some((a) => a.some((r) => r.event === 'refused' && /may not renew/.test(String(r.reason))))).toBe(true);
    });

    it('refuses a self-signature without an expiry for an expiring key (it would never expire)', async () => {
      const uid = await userIdOf();
      const err = await c.client.sign({ keyName: 'demo', kind: 'certification', data: new TextEncoder().encode(uid), openpgp: { signatureType: 0x13, hashAlgorithm: 'sha256', createdUnixSeconds: movedNow } }).then(() => undefined, (e) => e);
      expect(String(err?.message)).toMatch(/without an expiry would make it never expire/);
    });

    it('refuses, even from the renewal client, a renewal that moves the expiry earlier, one that is not newer, and one beyond the longest validity', async () => {
      const client = renewalClient();
      try {
        const uid = await userIdOf();
        const ask = (createdUnixSeconds: number, keyExpiresUnixSeconds: number) =>
          client.sign({ keyName: 'demo', kind: 'certification', data: new TextEncoder().encode(uid), openpgp: { signatureType: 0x13, hashAlgorithm: 'sha256', createdUnixSeconds, keyExpiresUnixSeconds } }).then(() => undefined, (e) => e);
        const stored = primaryExpiry(readFileSync(renewedCert, 'utf8'));
        expect(String((await ask(movedNow + 10, stored.expiresUnixSeconds! - DAY))?.message)).toMatch(/must move its expiry later than/);
        expect(String((await ask(stored.selfSignatureCreatedUnixSeconds, stored.expiresUnixSeconds! + DAY))?.message)).toMatch(/must be newer than its stored self-signature/);
        expect(String((await ask(movedNow + 10, movedNow + 1000 * DAY))?.message)).toMatch(/may extend it at most \d+ days ahead/);
      } finally {
        client.close();
      }
    });

    it('refuses every request of the renewal client that is not a renewal (a stolen renewal key signs no releases)', async () => {
      const client = renewalClient();
      try {
        const err = await client.sign({ keyName: 'demo', kind: 'openpgp', data, openpgp: { signatureType: 0, hashAlgorithm: 'sha256', createdUnixSeconds: Math.floor(Date.now() / 1000) } }).then(() => undefined, (e) => e);
        expect(isQsignError(err), String(err)).toBe(true);
        expect(String(err.message)).toMatch(/has the renew permission: it signs only renewals/);
      } finally {
        client.close();
      }
    });

    it('refuses to store the original certificate again over the renewed one (its self-signature is older), on every node', async () => {
      const err = await c.client.putCertificate('demo', toBinary(readFileSync(originalCert, 'utf8'), 'PUBLIC KEY BLOCK')).then(() => undefined, (e) => e);
      expect(isQsignError(err, 'POLICY_REFUSED'), String(err)).toBe(true);
      expect(String(err.message)).toMatch(/this is no renewal: its self-signature .* is not newer than the stored one/);
    });
  });
});

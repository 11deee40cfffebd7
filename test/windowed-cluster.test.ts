// Issue 13 acceptance 1 on a real cluster: `qsign keygen --window` makes a certification-only
// threshold primary and one threshold signing subkey per window (each by DKG, bound by
// threshold bindings with threshold back-signatures); RPMs and files signed in two windows
// carry different subkey issuers, and rpmkeys (--import, -K), gpg --verify and sq verify
// accept both. The nodes refuse a subkey signature dated outside its window and a document
// signature by the primary. Acceptance 2: `qsign key revoke-window --reason compromised` over
// the first window makes sq reject it and accept the second, Debian's rpm still imports the
// updated certificate, and the command lists exactly what was signed in that window.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { readSubkeys } from '@qsign/openpgp';
import { isQsignError, parseSubkeyName } from '@qsign/protocol';
import { publishedWindows, signOpenPgp } from '@qsign/client';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { qsign } from './helpers/qsign-cli.js';
import { requireTools, runTool } from './helpers/tools.js';
import { buildRpm, standardSpecs } from '../packages/rpm/src/__tests__/fixtures.js';

const KEY = 'windows@example.org';
const WINDOW = 120; // seconds: long enough for one signing on a loaded machine, short enough to wait for the next

const run = (cmd: string, args: string[]) => runTool(cmd, args, 300_000);

describe('windowed keys on a cluster: one subkey per window, accepted by rpm, gpg and sq', () => {
  let c: TestCluster;
  let dir: string;
  let certPath: string;
  let windows: ReturnType<typeof publishedWindows>;
  const data = new TextEncoder().encode('a file signed in two windows\n');
  const rpms: string[] = [];
  const sigs: string[] = [];

  const signIn = async (i: number) => {
    const rpm = buildRpm(dir, { ...standardSpecs()[0]!, name: `qs-window-${i}` });
    const r = await qsign(['rpm', 'sign', '--key', KEY, rpm, '-c', c.file.clientConfig]);
    expect(r.code, r.stderr).toBe(0);
    rpms.push(rpm);
    const sig = join(dir, `w${i}.sig`);
    writeFileSync(sig, await signOpenPgp(c.client, KEY, data, { claims: { fileName: `data-w${i}.txt`, size: data.length, sha256: sha256(data) } }));
    sigs.push(sig);
  };

  beforeAll(async () => {
    requireTools('gpg', 'gpgconf', 'sq', 'rpmkeys', 'rpmbuild', 'rpmsign');
    dir = mkdtempSync(join(tmpdir(), 'qsign-windowed-'));
    writeFileSync(join(dir, 'data'), data);
    c = await TestCluster.start({ nodes: 3, threshold: 2 });
    const r = await qsign(['keygen', '--name', 'Windowed', '--email', KEY, '--window', `${WINDOW}s`, '--windows', '2', '-c', c.file.clientConfig]);
    expect(r.code, r.stderr).toBe(0);
    const cert = await c.client.certificate(KEY);
    const info = await c.client.key(KEY);
    windows = publishedWindows(KEY, info.createdUnixSeconds, cert!);
    certPath = join(dir, 'cert.asc');
    const pub = await qsign(['pubkey', '--key', KEY, '--armor', '-o', certPath, '-c', c.file.clientConfig]);
    expect(pub.code, pub.stderr).toBe(0);
    await signIn(0);
    await waitFor(() => Date.now() / 1000 >= windows[1]!.start + 1, (WINDOW + 30) * 1000, 'the second window');
    await signIn(1);
  }, 900_000);
  afterAll(async () => {
    await c?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the certificate carries a certification-only primary and both window subkeys, each expiring at its window end', () => {
    const subs = readSubkeys(readFileSync(certPath, 'utf8'));
    expect(subs.map((s) => s.expiresUnixSeconds)).toEqual(windows.map((w) => w.end));
    expect(subs.every((s) => s.keyFlags === 0x12)).toBe(true);
    expect(windows[1]!.start).toBe(windows[0]!.end);
    expect(windows.map((w) => parseSubkeyName(w.keyName)?.primary)).toEqual([KEY, KEY]);
  });

  it('rpmkeys --import takes the certificate and rpmkeys -K accepts the RPMs of both windows, with different subkey issuers', () => {
    const db = mkdtempSync(join(dir, 'rpmdb-'));
    const imp = run('rpmkeys', ['--dbpath', db, '--import', certPath]);
    expect(imp.status, imp.out).toBe(0);
    const ids = rpms.map((rpm) => {
      const r = run('rpmkeys', ['--dbpath', db, '-Kv', rpm]);
      expect(r.status, r.out).toBe(0);
      const m = /Header V4 EdDSA\/SHA256 Signature, key ID ([0-9a-f]+): OK/.exec(r.out);
      expect(m, r.out).not.toBeNull();
      return m![1]!;
    });
    expect(ids).toEqual(windows.map((w) => w.fingerprint.slice(-8)));
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('gpg --verify accepts both windows, each under its own subkey', () => {
    const home = mkdtempSync(join(dir, 'gnupg-'));
    const gpg = (...a: string[]) => run('gpg', ['--batch', '--homedir', home, '--trust-model', 'always', ...a]);
    expect(gpg('--import', certPath).status).toBe(0);
    sigs.forEach((sig, i) => {
      const r = gpg('--status-fd', '1', '--verify', sig, join(dir, 'data'));
      expect(r.out).toContain(`VALIDSIG ${windows[i]!.fingerprint.toUpperCase()}`);
    });
    run('gpgconf', ['--homedir', home, '--kill', 'all']);
  });

  it('sq verify accepts both windows', () => {
    for (const sig of sigs) {
      const r = run('sq', ['verify', '--signer-cert', certPath, '--detached', sig, join(dir, 'data')]);
      expect(r.status, r.out).toBe(0);
      expect(r.out).toMatch(/1 good signature/);
    }
  });

  it('nodes refuse a window subkey signature dated outside its window', async () => {
    const outside = windows[0]!.end + 5; // in the second window, asked of the first window's subkey
    const err = await c.client.sign({ keyName: windows[0]!.keyName, kind: 'openpgp', data, openpgp: { signatureType: 0, hashAlgorithm: 'sha256', createdUnixSeconds: outside } }).catch((e) => e);
    expect(isQsignError(err)).toBe(true);
    expect(String(err.message)).toMatch(/signs only in its window/);
  });

  it('nodes refuse a document signature by the windowed primary itself', async () => {
    const err = await c.client.sign({ keyName: KEY, kind: 'openpgp', data, openpgp: { signatureType: 0, hashAlgorithm: 'sha256', createdUnixSeconds: Math.floor(Date.now() / 1000) } }).catch((e) => e);
    expect(isQsignError(err)).toBe(true);
    expect(String(err.message)).toMatch(/its primary only certifies/);
  });

  describe('qsign key revoke-window', () => {
    let revokedCert: string;
    let listed: Array<{ fileName?: string; nevra?: string; client?: string; recordedBy: number[]; key: string }>;
    const revoke = (from: number, to: number, reason = 'compromised') =>
      qsign(['key', 'revoke-window', '--key', KEY, '--from', String(from), '--to', String(to), '--reason', reason, '--cluster', c.dir, '--json', '-c', c.file.clientConfig]);

    beforeAll(async () => {
      const r = await revoke(windows[0]!.start, windows[0]!.end);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/revoked subkey .* as compromised/);
      listed = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      revokedCert = join(dir, 'revoked.asc');
      const pub = await qsign(['pubkey', '--key', KEY, '--armor', '-o', revokedCert, '-c', c.file.clientConfig]);
      expect(pub.code, pub.stderr).toBe(0);
    }, 300_000);

    it('lists exactly what was signed in the revoked window, with client, file, NEVRA and the signing nodes', () => {
      expect(listed.map((r) => r.nevra ?? r.fileName).sort()).toEqual(['data-w0.txt', 'qs-window-0-2:1.2-3.fc40.noarch']);
      expect(listed.find((r) => r.nevra)!.fileName).toMatch(/qs-window-0-[^/]*\.rpm$/);
      for (const r of listed) {
        expect(r.client).toBe('dev-client');
        expect(r.recordedBy.length).toBeGreaterThanOrEqual(2);
        expect(r.key).toBe(windows[0]!.keyName);
      }
    });

    it('sq verify rejects the first window after the compromised revocation and accepts the second', () => {
      const verify = (sig: string) => run('sq', ['verify', '--signer-cert', revokedCert, '--detached', sig, join(dir, 'data')]);
      expect(verify(sigs[0]!).status).not.toBe(0);
      const second = verify(sigs[1]!);
      expect(second.status, second.out).toBe(0);
      expect(readSubkeys(readFileSync(revokedCert, 'utf8')).map((s) => s.revocations.map((v) => v.hard))).toEqual([[true], []]);
    });

    it("Debian's rpmkeys --import still takes the updated certificate", () => {
      const db = mkdtempSync(join(dir, 'rpmdb-revoked-'));
      const r = run('rpmkeys', ['--dbpath', db, '--import', revokedCert]);
      expect(r.status, r.out).toBe(0);
    });

    it('refuses a range that runs backwards and a range with no subkey, saying why', async () => {
      const back = await revoke(windows[1]!.end, windows[1]!.start);
      expect(back.code).not.toBe(0);
      expect(back.stderr).toMatch(/runs backwards or is empty/);
      const none = await revoke(windows[1]!.end + 3600, windows[1]!.end + 7200);
      expect(none.code).not.toBe(0);
      expect(none.stderr).toMatch(/has no subkey whose window falls in/);
      expect(none.stderr.split('\n').filter(Boolean).length).toBe(1); // one line, no stack trace
    });
  });
});

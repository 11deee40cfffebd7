// `qsign cluster up --window` (the development key windowed), `qsign key status` (every key
// with type, windows, revocations, expiry; warnings within --warn, exit 2), and issue 13
// acceptance 6: bad windows are refused with a clear one-line error — durations that are zero,
// negative or not durations, ranges that run backwards or are empty, a range or a key with no
// subkey, and window subkeys whose window runs backwards, has no primary or overlaps an
// existing window (refused by every node at DKG, even when an officer signed the keygen).
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSignatureFields, readSubkeys } from '@qsign/openpgp';
import { isQsignError, signKeygenRequest, subkeyKeyName } from '@qsign/protocol';
import { CoordinatorKeysRpcClient } from '@qsign/rpc';
import { QsignClient, coordinatorTransport, loadClientConfig, loadOfficerKey, publishedWindows, signOpenPgp } from '@qsign/client';
import { qsign, type CliResult } from './helpers/qsign-cli.js';

const HOUR = 3600;
const oneLine = (r: CliResult) => r.stderr.trim().split('\n').filter(Boolean).length === 1;

describe('cluster up --window, key status, and refused bad windows', () => {
  let dir: string;
  let cfg: string;
  let windows: ReturnType<typeof publishedWindows>;
  let plainExpires: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qsign-status-'));
    const up = await qsign(['cluster', 'up', '--dir', join(dir, 'c'), '--nodes', '3', '--threshold', '2', '--window', '1h']);
    expect(up.code, up.stderr).toBe(0);
    cfg = join(dir, 'c', 'client.json');
    const plain = await qsign(['keygen', '--name', 'Plain', '--email', 'plain@example.org', '--expires', '10d', '-c', cfg]);
    expect(plain.code, plain.stderr).toBe(0);
    const forever = await qsign(['keygen', '--name', 'Forever', '--email', 'forever@example.org', '-c', cfg]);
    expect(forever.code, forever.stderr).toBe(0);
    const client = new QsignClient(loadClientConfig(cfg));
    try {
      const info = await client.key('demo');
      windows = publishedWindows('demo', info.createdUnixSeconds, (await client.certificate('demo'))!);
      plainExpires = (await client.key('plain@example.org')).createdUnixSeconds + 10 * 86_400;
    } finally {
      client.close();
    }
  }, 900_000);
  afterAll(async () => {
    if (dir && existsSync(join(dir, 'c', 'cluster.json'))) await qsign(['cluster', 'down', '--dir', join(dir, 'c')]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('cluster up --window makes the development key windowed: the current and the next one-hour window, and a signature made now carries the current subkey as issuer', async () => {
    expect(windows).toHaveLength(2);
    expect(windows[0]!.end - windows[0]!.start).toBe(HOUR);
    expect(windows[1]!.start).toBe(windows[0]!.end);
    const client = new QsignClient(loadClientConfig(cfg));
    try {
      const subs = readSubkeys((await client.certificate('demo'))!);
      expect(subs.map((s) => s.keyFlags)).toEqual([0x12, 0x12]);
      const sig = await signOpenPgp(client, 'demo', new TextEncoder().encode('hello\n'));
      expect(Buffer.from(parseSignatureFields(sig).issuerFingerprint!).toString('hex')).toBe(windows[0]!.fingerprint);
    } finally {
      client.close();
    }
  });

  it('key status lists every key with its type, windows and expiry, and warns within the default 30 days (exit 2)', async () => {
    const r = await qsign(['key', 'status', '-c', cfg]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/^demo {2}ed25519 {2}windowed {2}never expires$/m);
    for (const w of windows) expect(r.stdout).toContain(`  subkey ${w.fingerprint.toUpperCase()}  window ${new Date(w.start * 1000).toISOString().replace('.000Z', 'Z')} – ${new Date(w.end * 1000).toISOString().replace('.000Z', 'Z')}`);
    expect(r.stdout).toMatch(new RegExp(`^plain@example\\.org {2}ed25519 {2}not windowed {2}expires ${new Date(plainExpires * 1000).toISOString().replace('.000Z', 'Z')}$`, 'm'));
    expect(r.stdout).toMatch(/^forever@example\.org {2}ed25519 {2}not windowed {2}never expires$/m);
    expect(r.stderr).toMatch(/warning: key plain@example\.org expires at .*, within 10 days/);
    expect(r.stderr).toMatch(/warning: key demo's published windows run out at/);
    expect(r.stderr).not.toMatch(/forever@example\.org/);
  });

  it('key status --warn 1m: nothing needs attention, exit 0; --at after the expiry: EXPIRED', async () => {
    const quiet = await qsign(['key', 'status', '--warn', '1m', '-c', cfg]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    const late = await qsign(['key', 'status', '--key', 'plain@example.org', '--warn', '1m', '--at', String(plainExpires + 60), '-c', cfg]);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/key plain@example\.org EXPIRED at/);
  });

  it('key status shows a revoked window with its reason', async () => {
    const rv = await qsign(['key', 'revoke-window', '--key', 'demo', '--from', String(windows[1]!.start), '--to', String(windows[1]!.end), '--reason', 'retired', '--cluster', join(dir, 'c'), '-c', cfg]);
    expect(rv.code, rv.stderr).toBe(0);
    const r = await qsign(['key', 'status', '--key', 'demo', '--json', '--warn', '1m', '-c', cfg]);
    const k = JSON.parse(r.stdout);
    expect(k).toMatchObject({ name: 'demo', type: 'ed25519', windowed: true });
    expect(k.subkeys.map((s: { revoked: unknown[] }) => s.revoked)).toEqual([[], [expect.objectContaining({ reason: 'retired', hard: false })]]);
    const text = await qsign(['key', 'status', '--key', 'demo', '--warn', '1m', '-c', cfg]);
    expect(text.stdout).toMatch(/REVOKED retired \(soft\) at/);
  });

  it('nodes refuse any further signature by a revoked window subkey, even dated inside its window', async () => {
    const client = new QsignClient(loadClientConfig(cfg));
    try {
      await client.pinned(windows[1]!.keyName).catch(() => client.trust(windows[1]!.keyName));
      const err = await client.sign({ keyName: windows[1]!.keyName, kind: 'openpgp', data: new TextEncoder().encode('late\n'), openpgp: { signatureType: 0, hashAlgorithm: 'sha256', createdUnixSeconds: windows[1]!.start + 5 } }).then(() => undefined, (e) => e);
      expect(isQsignError(err), String(err)).toBe(true);
      expect(String(err.message)).toMatch(/was revoked \(reason 3, soft, at .*\): a revoked window subkey signs nothing more/);
    } finally {
      client.close();
    }
  });

  describe('bad windows are refused with a clear one-line error', () => {
    it('keygen --window 0, a negative window and one that is no duration; --windows without --window; --expires with --window', async () => {
      for (const w of ['0', '-1d', '7x', '0s']) {
        const r = await qsign(['keygen', '--name', 'Bad', '--email', 'bad@example.org', `--window=${w}`, '-c', cfg]);
        expect(r.code, w).not.toBe(0);
        expect(r.stderr, w).toMatch(/--window: duration ".*" is not a positive whole number of s, m, h, d or w/);
        expect(oneLine(r), r.stderr).toBe(true);
      }
      const noWindow = await qsign(['keygen', '--name', 'Bad', '--email', 'bad@example.org', '--windows', '3', '-c', cfg]);
      expect(noWindow.stderr).toMatch(/--windows needs --window DURATION/);
      const both = await qsign(['keygen', '--name', 'Bad', '--email', 'bad@example.org', '--window', '1h', '--expires', '30d', '-c', cfg]);
      expect(both.stderr).toMatch(/--expires is for keys without windows/);
      const status = await qsign(['key', 'status', '--warn', '-3d', '-c', cfg]);
      expect(status.stderr).toMatch(/--warn: duration/);
    });

    it('cluster up --window 0 is refused before anything is made', async () => {
      const r = await qsign(['cluster', 'up', '--dir', join(dir, 'never'), '--window', '0']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/--window: duration "0"/);
      expect(existsSync(join(dir, 'never'))).toBe(false);
    });

    it('revoke-window: a range that runs backwards, an empty one, one with no subkey, a key with no windows, an unknown reason', async () => {
      const revoke = (key: string, from: number, to: number, reason = 'compromised') =>
        qsign(['key', 'revoke-window', '--key', key, '--from', String(from), '--to', String(to), '--reason', reason, '--cluster', join(dir, 'c'), '-c', cfg]);
      const w = windows[0]!;
      expect((await revoke('demo', w.end, w.start)).stderr).toMatch(/runs backwards or is empty/);
      expect((await revoke('demo', w.start, w.start)).stderr).toMatch(/runs backwards or is empty/);
      const none = await revoke('demo', windows[1]!.end + HOUR, windows[1]!.end + 2 * HOUR);
      expect(none.stderr).toMatch(/key demo has no subkey whose window falls in .* \(its windows run /);
      const plain = await revoke('plain@example.org', w.start, w.end);
      expect(plain.stderr).toMatch(/has no subkey whose window falls in .* \(it has no windows\)/);
      const reason = await revoke('demo', w.start, w.end, 'lost');
      expect(reason.stderr).toMatch(/--reason must be one of compromised, retired/);
      for (const r of [none, plain, reason]) {
        expect(r.code).not.toBe(0);
        expect(oneLine(r), r.stderr).toBe(true);
      }
    });

    it('every node refuses, at DKG, a window subkey that overlaps an existing window, runs backwards, or has no primary — even with an officer\'s keygen request', async () => {
      const config = loadClientConfig(cfg);
      const officer = loadOfficerKey(undefined, config);
      const keys = new CoordinatorKeysRpcClient(config.coordinator, coordinatorTransport(config));
      const dkg = (name: string) => keys.generateKey(name, 'demo <demo>', 0, signKeygenRequest({ keyName: name, userId: 'demo <demo>', minSigners: 0 }, officer.secretKey)).then(() => undefined, (e) => e);
      try {
        const w = windows[0]!;
        const overlap = await dkg(subkeyKeyName('demo', w.start + 600, w.end + 600));
        expect(isQsignError(overlap), String(overlap)).toBe(true);
        expect(String(overlap.message)).toMatch(/overlaps demo's existing window/);
        expect(String((await dkg(`demo+w${w.end}-${w.start}`))?.message)).toMatch(/names a window that runs backwards or is empty/);
        expect(String((await dkg(subkeyKeyName('nokey@example.org', w.start, w.end)))?.message)).toMatch(/there is no primary key nokey@example\.org/);
      } finally {
        keys.close();
      }
    });
  });
});

/**
 * Issue 16 item 2: `ceremony recover --kit` checks what every kit file says
 * ("(K needed)", the fingerprint) before and after combining, so too few or
 * mixed shares are refused instead of "recovering" a wrong key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { qsign } from './helpers/qsign-cli.js';

describe('ceremony recover --kit', () => {
  let work: string;
  const kit = (ceremony: string, i: number) => join(work, ceremony, 'recovery-kit', `custodian-${i}.txt`);
  const groupKey = (ceremony: string) => JSON.parse(readFileSync(join(work, ceremony, 'public-key.json'), 'utf8')).groupPublicKey as string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'qsign-recover-'));
    for (const name of ['a', 'b']) {
      const r = await qsign(['ceremony', 'split', '--key-name', `${name}@example.org`, '--threshold', '2', '--shares', '3', '--out', join(work, name), '--recovery-kit', '3/5']);
      expect(r.stderr + r.stdout).toContain('split key');
      expect(r.code).toBe(0);
    }
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('refuses fewer shares than the kit files say are needed, and writes nothing', async () => {
    const out = join(work, 'too-few.seed');
    const r = await qsign(['ceremony', 'recover', '--kit', kit('a', 1), kit('a', 3), '--out', out]);
    expect(r.stderr).toMatch(/2 recovery kit shares given, 3 needed/);
    expect(r.code).not.toBe(0);
    expect(existsSync(out)).toBe(false);
  });

  it('recovers the seed from K shares and checks it against the kit fingerprint', async () => {
    const out = join(work, 'ok.seed');
    const r = await qsign(['ceremony', 'recover', '--kit', kit('a', 1), kit('a', 3), kit('a', 5), '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(bytesToHex(ed25519.getPublicKey(readFileSync(out)))).toBe(groupKey('a'));
    expect(r.stdout).toContain(groupKey('a'));
  });

  it('refuses shares from two different kits', async () => {
    const r = await qsign(['ceremony', 'recover', '--kit', kit('a', 1), kit('a', 2), kit('b', 3), '--out', join(work, 'mixed.seed')]);
    expect(r.stderr).toMatch(/are from different recovery kits \(key a@example.org vs b@example.org\)/);
    expect(r.code).not.toBe(0);
  });

  it('refuses a damaged share: the rebuilt key does not have the kit fingerprint', async () => {
    const bad = join(work, 'damaged.txt');
    const text = readFileSync(kit('a', 2), 'utf8');
    writeFileSync(bad, text.replace(/share: ([0-9a-f])/, (_m, c: string) => `share: ${c === '0' ? '1' : '0'}`));
    const out = join(work, 'damaged.seed');
    const r = await qsign(['ceremony', 'recover', '--kit', kit('a', 1), bad, kit('a', 4), '--out', out]);
    expect(r.stderr).toMatch(/rebuild a wrong key \(fingerprint [0-9A-F]{40}, not the kit's [0-9A-F]{40}\)/);
    expect(r.code).not.toBe(0);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses the same share given twice', async () => {
    const r = await qsign(['ceremony', 'recover', '--kit', kit('a', 1), kit('a', 1), kit('a', 2), '--out', join(work, 'twice.seed')]);
    expect(r.stderr).toMatch(/hold the same share 1/);
    expect(r.code).not.toBe(0);
  });

  it('refuses to overwrite an existing --out file with a clear one-line message', async () => {
    const out = join(work, 'exists.seed');
    writeFileSync(out, 'keep me');
    const r = await qsign(['ceremony', 'recover', '--kit', kit('a', 1), kit('a', 2), kit('a', 3), '--out', out]);
    expect(r.stderr.trim()).toBe(`qsign: ${out} already exists; refusing to overwrite it (give a new --out path)`);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
  });
});

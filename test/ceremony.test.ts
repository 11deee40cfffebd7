/**
 * Issue #4 acceptance 1 and 7, and ceremony verify / recovery:
 * a gpg-generated Ed25519 key is imported by `qsign ceremony split`, its
 * shares are encrypted to the running nodes' enrollment keys and imported
 * over their operator sockets, and the cluster's signatures verify with
 * `gpg --verify` under the ORIGINAL certificate (same fingerprint). Bad
 * ceremony input gives a clear error and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { parseSecretKey, parseSignature } from '@qsign/openpgp';
import { signOpenPgp } from '@qsign/client';
import { TestCluster } from './helpers/cluster.js';
import { requireTools } from './helpers/tools.js';
import { qsign } from './helpers/qsign-cli.js';
import { registerSignatures } from './helpers/r-registry.js';

describe('ceremony split with gpg import, on a running cluster', () => {
  let c: TestCluster;
  let work: string;
  let home: string;
  const gpg = (...args: string[]) => execFileSync('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let nodeArgs: string[];
  beforeAll(async () => {
    requireTools('gpg', 'gpgconf');
    work = mkdtempSync(join(tmpdir(), 'qsign-ceremony-'));
    home = join(work, 'gnupg');
    execFileSync('mkdir', ['-m', '700', home]);
    c = await TestCluster.start({ nodes: 5, threshold: 3 });
    nodeArgs = c.file.nodes.flatMap((n) => ['--node', `${n.id}=${readFileSync(join(dirname(n.config), 'enrollment.pub'), 'utf8').trim()}`]);
  });
  afterAll(async () => {
    await c?.stop();
    try {
      execFileSync('gpgconf', ['--homedir', home, '--kill', 'all']);
    } catch {
      /* gpg-agent already gone */
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('signatures of the cluster verify with gpg --verify under the ORIGINAL gpg certificate', async () => {
    gpg('--quick-gen-key', 'Copr Test <copr-test@example.org>', 'ed25519', 'sign', 'never');
    const fpr = /fpr:+([0-9A-F]{40}):/.exec(gpg('--with-colons', '--list-keys').toString())![1]!;
    writeFileSync(join(work, 'secret.gpg'), gpg('--export-secret-keys'));
    const out = join(work, 'ceremony');
    const split = await qsign(['ceremony', 'split', '--import-gpg', join(work, 'secret.gpg'), '--key-name', 'copr-test@example.org', '--threshold', '3', ...nodeArgs, '--out', out, '--recovery-kit', '2/3']);
    expect(split.stderr).toBe('');
    expect(split.code).toBe(0);
    expect(split.stdout).toContain(fpr);
    rmSync(join(work, 'secret.gpg'));
    // Share files are ciphertext: the imported secret is not in them.
    const seedHex = bytesToHex(parseSecretKey(gpg('--export-secret-keys')).seed32);
    for (const f of readdirSync(out).filter((n) => n.endsWith('.share.json'))) expect(readFileSync(join(out, f), 'utf8')).not.toContain(seedHex);

    const verify = await qsign(['ceremony', 'verify', '--dir', out, '--node-config', c.file.nodes[1]!.config]);
    expect(verify.stdout).toMatch(/node 2 \(enrollment key\): copr-test@example.org \(identifier 2\) matches its VSS commitments/);
    expect(verify.code).toBe(0);

    for (const n of c.file.nodes) {
      const r = await qsign(['node', 'import', '--config', n.config, join(out, `node-${n.id}.share.json`)]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`imported key copr-test@example.org (identifier ${n.id})`);
    }
    // The client pins the imported key once the nodes attest it (docs/pinning.md): the fingerprint is gpg's.
    const trust = await qsign(['trust', '--key', 'copr-test@example.org', '-c', c.file.clientConfig]);
    expect(trust.stderr).toMatch(/attested by nodes 1, 2, 3, 4, 5/);
    expect(trust.stdout.trim()).toBe(fpr);
    // A detached OpenPGP signature made by the cluster (an 'openpgp' request: the nodes hash the data).
    for (let i = 0; i < 3; i++) {
      const data = new Uint8Array(randomBytes(200 + i));
      const packet = await signOpenPgp(c.client, 'copr-test@example.org', data);
      registerSignatures([parseSignature(packet).signature64]);
      writeFileSync(join(work, 'data.bin'), data);
      writeFileSync(join(work, 'data.bin.sig'), packet);
      const v = execFileSync('gpg', ['--homedir', home, '--batch', '--status-fd', '1', '--verify', join(work, 'data.bin.sig'), join(work, 'data.bin')], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
      expect(v).toContain(`[GNUPG:] VALIDSIG ${fpr}`);
    }

    // The recovery kit rebuilds the same seed (2 of 3).
    const rec = await qsign(['ceremony', 'recover', '--kit', join(out, 'recovery-kit/custodian-1.txt'), join(out, 'recovery-kit/custodian-3.txt'), '--out', join(work, 'recovered.seed')]);
    expect(rec.code).toBe(0);
    const recovered = readFileSync(join(work, 'recovered.seed'));
    expect(bytesToHex(ed25519.getPublicKey(recovered))).toBe(JSON.parse(readFileSync(join(out, 'public-key.json'), 'utf8')).groupPublicKey);
  });

  it('ceremony verify detects a tampered share file or public package', async () => {
    const out = join(work, 'tamper');
    expect((await qsign(['ceremony', 'split', '--key-name', 'tamper', '--threshold', '2', ...nodeArgs, '--out', out])).code).toBe(0);
    expect((await qsign(['ceremony', 'verify', '--dir', out])).code).toBe(0);
    const share = join(out, 'node-3.share.json');
    const orig = readFileSync(share, 'utf8');
    const j = JSON.parse(orig);
    j.ciphertext = (j.ciphertext[0] === 'a' ? 'b' : 'a') + j.ciphertext.slice(1);
    writeFileSync(share, JSON.stringify(j));
    const bad = await qsign(['ceremony', 'verify', '--dir', out]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/node-3.share.json does not match its transcript hash/);
    // Even bypassing the transcript, the node itself refuses the altered ciphertext.
    const imp = await qsign(['node', 'import', '--config', c.file.nodes[2]!.config, share]);
    expect(imp.code).not.toBe(0);
    expect(imp.stderr).toMatch(/does not decrypt/);
    writeFileSync(share, orig);
    const pk = join(out, 'public-key.json');
    const p = JSON.parse(readFileSync(pk, 'utf8'));
    p.verifyingShares['2'] = p.verifyingShares['1'];
    writeFileSync(pk, JSON.stringify(p));
    const bad2 = await qsign(['ceremony', 'verify', '--dir', out]);
    expect(bad2.stderr).toMatch(/public-key.json does not match its transcript hash/);
    expect(bad2.stderr).toMatch(/public-key.json: .*verifying share of 2 does not match/);
  });

  it('bad ceremony input gives a clear error and writes nothing', async () => {
    const enrollment = (id: number) => readFileSync(join(dirname(c.file.nodes[id - 1]!.config), 'enrollment.pub'), 'utf8').trim();
    const cases: Array<[string, string[], RegExp]> = [
      ['threshold > shares', ['--threshold', '4', '--shares', '3'], /--threshold 4 is greater than --shares 3/],
      ['threshold < 2', ['--threshold', '1', ...nodeArgs], /--threshold must be at least 2/],
      ['duplicate node ids', ['--threshold', '2', '--node', `1=${enrollment(1)}`, '--node', `1=${enrollment(2)}`, '--node', `3=${enrollment(3)}`], /duplicate node id 1/],
      ['malformed enrollment key', ['--threshold', '2', '--node', `1=${enrollment(1)}`, '--node', `2=${enrollment(2).slice(0, 60)}`], /enrollment key of node 2 must be 32 bytes/],
      ['shares/nodes mismatch', ['--threshold', '2', '--shares', '4', ...nodeArgs], /--shares 4 but 5 nodes/],
    ];
    for (const [what, args, msg] of cases) {
      const out = join(work, `bad-${what.replace(/\W+/g, '-')}`);
      const r = await qsign(['ceremony', 'split', '--key-name', 'bad', ...args, '--out', out]);
      expect(r.code, what).not.toBe(0);
      expect(r.stderr, what).toMatch(msg);
      expect(r.stderr, what).not.toMatch(/\n\s+at /);
      expect(existsSync(out), what).toBe(false);
      expect(readdirSync(work).filter((n) => n.includes('partial')), what).toEqual([]);
    }
    // A share file encrypted to another node's enrollment key (a wrong key), and a truncated one:
    // refused by the node, nothing imported (the good file given with them is not imported either).
    const out = join(work, 'wrong-key');
    expect((await qsign(['ceremony', 'split', '--key-name', 'wrong-key', '--threshold', '2', ...nodeArgs, '--out', out])).code).toBe(0);
    const n4 = c.file.nodes[3]!.config;
    const wrong = await qsign(['node', 'import', '--config', n4, join(out, 'node-4.share.json'), join(out, 'node-5.share.json')]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/encrypted to enrollment key .* this node's is .*wrong node or wrong enrollment key/);
    const t = readFileSync(join(out, 'node-4.share.json'), 'utf8');
    writeFileSync(join(work, 'trunc.share.json'), t.slice(0, Math.floor(t.length / 2)));
    const trunc = await qsign(['node', 'import', '--config', n4, join(out, 'node-4.share.json'), join(work, 'trunc.share.json')]);
    expect(trunc.code).not.toBe(0);
    expect(trunc.stderr).toMatch(/not valid JSON \(truncated or corrupted\?\)/);
    const n = c.node(4);
    await expect(n.getKey('wrong-key')).rejects.toThrow(/unknown key/);
    n.close();
    const audit = await c.audit(4);
    expect(audit.filter((r) => r.keyName === 'wrong-key')).toEqual([]);
  });
});

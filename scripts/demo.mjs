#!/usr/bin/env node
// End-to-end demo: a 3-of-5 cluster in a temp dir, a file signed through it,
// the signature checked with OpenSSL (node:crypto), then everything stopped.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPublicKey, verify, randomBytes } from 'node:crypto';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const qsignBin = join(root, 'packages', 'cli', 'dist', 'bin', 'qsign.js');
const dir = mkdtempSync(join(tmpdir(), 'qsign-demo-'));
const env = { ...process.env, QSIGN_CONFIG: join(dir, 'client.json') };
const qsign = (...args) => execFileSync(process.execPath, [qsignBin, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const step = (s) => console.log(`\n== ${s}`);

let up = false;
try {
  step('qsign cluster up --dir ' + dir);
  process.stdout.write(qsign('cluster', 'up', '--dir', dir, '--nodes', '5', '--threshold', '3'));
  up = true;

  const file = join(dir, 'hello.txt');
  writeFileSync(file, `hello from qsign, ${new Date().toISOString()}\n${randomBytes(16).toString('hex')}\n`);
  step('qsign sign --key demo --raw hello.txt -o hello.txt.sig');
  const t0 = process.hrtime.bigint();
  qsign('sign', '--key', 'demo', '--raw', file, '-o', file + '.sig');
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const sig = readFileSync(file + '.sig');
  console.log(`signature (${sig.length} bytes, ${ms.toFixed(0)} ms including CLI start-up): ${sig.toString('hex')}`);

  step('qsign pubkey --key demo --raw');
  const pub = qsign('pubkey', '--key', 'demo', '--raw');
  console.log(`group public key: ${pub.toString('hex')}`);

  step('verify with OpenSSL (node:crypto Ed25519), knowing nothing about FROST');
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]), format: 'der', type: 'spki' });
  const ok = verify(null, readFileSync(file), key, sig);
  console.log(ok ? 'OK: an ordinary Ed25519 signature, made by 3 of 5 nodes' : 'FAILED: signature does not verify');
  const tampered = Buffer.concat([readFileSync(file), Buffer.from('x')]);
  console.log(`a changed file verifies: ${verify(null, tampered, key, sig)} (expected false)`);
  if (!ok) process.exitCode = 1;

  step('OpenPGP: qsign pubkey --key demo --armor; qsign sign --key demo -b --armor hello.txt');
  writeFileSync(join(dir, 'demo.asc'), qsign('pubkey', '--key', 'demo', '--armor'));
  qsign('sign', '--key', 'demo', '-b', '--armor', file, '-o', file + '.asc');
  console.log(readFileSync(join(dir, 'demo.asc'), 'utf8').split('\n')[0] + ' …');
  if (spawnSync('sh', ['-c', 'command -v gpg'], { stdio: 'ignore' }).status === 0) {
    const gnupg = join(dir, 'gnupg');
    execFileSync('mkdir', ['-m', '700', '-p', gnupg]);
    const genv = { ...process.env, GNUPGHOME: gnupg };
    execFileSync('gpg', ['--batch', '--import', join(dir, 'demo.asc')], { env: genv, stdio: 'ignore' });
    const v = spawnSync('gpg', ['--batch', '--trust-model', 'always', '--verify', file + '.asc', file], { env: genv, encoding: 'utf8' });
    console.log(v.status === 0 ? `gpg --verify: ${v.stderr.split('\n').find((l) => /Good signature/.test(l))?.replace(/^gpg: /, '')}` : `gpg --verify FAILED:\n${v.stderr}`);
    if (v.status !== 0) process.exitCode = 1;
  } else console.log('(gpg is not installed here; `gpg --import demo.asc && gpg --verify hello.txt.asc` would check it)');

  step('qsign audit crosscheck: every signature is in at least 3 node logs');
  await new Promise((r) => setTimeout(r, 1500)); // let nodes publish their checkpoints
  process.stdout.write(execFileSync(process.execPath, [qsignBin, 'audit', 'crosscheck', '--cluster', dir], { env }).toString().split('\n').slice(-6).join('\n'));

  step('cluster status');
  process.stdout.write(qsign('cluster', 'status'));
} catch (e) {
  console.error(`demo failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  if (up) {
    step('qsign cluster down');
    process.stdout.write(qsign('cluster', 'down', '--dir', dir));
  }
  rmSync(dir, { recursive: true, force: true });
}

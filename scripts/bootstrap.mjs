#!/usr/bin/env node
// Makes a fresh clone runnable with only Node.js and npm: installs the locked
// dependencies when they are missing or stale, then builds every package.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const marker = join(root, 'node_modules', '.qsign-lock-hash');
const lockHash = createHash('sha256').update(readFileSync(join(root, 'package-lock.json'))).digest('hex');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`qsign needs Node.js 20.19 or newer; this is ${process.versions.node}`);
  process.exit(1);
}
if (!existsSync(marker) || readFileSync(marker, 'utf8') !== lockHash) {
  console.error('• installing dependencies (npm ci)');
  run(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  writeFileSync(marker, lockHash);
}
console.error('• building packages (tsc -b)');
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(root, 'tsconfig.json')]);

// npm links workspace binaries only if they exist at install time, and tsc
// does not mark them executable: link and chmod them after the build.
const binDir = join(root, 'node_modules', '.bin');
for (const pkg of readdirSync(join(root, 'packages'))) {
  const manifest = join(root, 'packages', pkg, 'package.json');
  if (!existsSync(manifest)) continue;
  const bins = JSON.parse(readFileSync(manifest, 'utf8')).bin ?? {};
  for (const [name, target] of Object.entries(bins)) {
    const file = join(root, 'packages', pkg, target);
    if (!existsSync(file)) continue;
    chmodSync(file, 0o755);
    const link = join(binDir, name);
    const want = relative(binDir, join(root, 'node_modules', '@qsign', pkg, target));
    try {
      if (lstatSync(link)) unlinkSync(link);
    } catch {}
    symlinkSync(want, link);
  }
}

// The native thin `sign` client of qsign agent (docs/agent.md), when a C
// compiler exists; without one (or if it fails) the Node `sign` is the client.
const nativeSrc = join(root, 'packages', 'agent', 'native', 'sign.c');
const nativeOut = join(root, 'packages', 'agent', 'dist', 'native', 'sign');
const signJs = join(root, 'packages', 'cli', 'dist', 'bin', 'sign.js');
const cc = process.env.CC || 'cc';
let haveCc = false;
try {
  execFileSync(cc, ['--version'], { stdio: 'ignore' });
  haveCc = true;
} catch {
  console.error(`• no C compiler (${cc} --version failed): the native sign client is not built; the Node sign client is used`);
}
if (haveCc && (!existsSync(nativeOut) || statSync(nativeOut).mtimeMs < statSync(nativeSrc).mtimeMs)) {
  console.error('• building the native sign client (packages/agent/dist/native/sign)');
  try {
    mkdirSync(dirname(nativeOut), { recursive: true });
    const defs = [`-DQSIGN_NODE=${JSON.stringify(process.execPath)}`, `-DQSIGN_SIGN_JS=${JSON.stringify(signJs)}`];
    execFileSync(cc, ['-O2', '-Wall', '-o', nativeOut, ...defs, nativeSrc], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    console.error(`• the native sign client did not build (${e.message.split('\n')[0]}): the Node sign client is used`);
  }
}

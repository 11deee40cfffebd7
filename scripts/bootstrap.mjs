#!/usr/bin/env node
// Makes a fresh clone runnable with only Node.js and npm: installs the locked
// dependencies when they are missing or stale, then builds every package.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

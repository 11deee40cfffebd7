#!/usr/bin/env node
// Enforces the import direction of the monorepo (crypto ← domain ← transport
// ← CLI): pure packages import no transport, storage or node: I/O, and each
// package imports only the qsign packages listed for it here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PURE = new Set(['frost', 'threshold-rsa', 'openpgp', 'rpm', 'audit', 'protocol', 'windows']);
const ALLOWED = {
  proto: [],
  frost: [],
  'frost-native': ['frost'],
  'threshold-rsa': [],
  'threshold-rsa-native': ['threshold-rsa'],
  openpgp: ['threshold-rsa'],
  rpm: [],
  windows: [],
  keyring: ['rpm', 'openpgp'],
  audit: [],
  protocol: ['frost', 'threshold-rsa', 'openpgp', 'rpm'],
  storage: ['frost', 'protocol', 'audit'],
  rpc: ['proto', 'protocol', 'threshold-rsa'],
  node: ['frost', 'frost-native', 'threshold-rsa', 'threshold-rsa-native', 'protocol', 'storage', 'rpc', 'proto', 'openpgp', 'rpm', 'audit'],
  coordinator: ['frost', 'frost-native', 'threshold-rsa', 'threshold-rsa-native', 'protocol', 'rpc', 'proto', 'openpgp', 'audit', 'storage', 'windows'],
  client: ['protocol', 'openpgp', 'rpm', 'rpc', 'proto', 'audit'],
  // The local signing agent (transport layer, like client): a daemon over the client library.
  agent: ['client', 'protocol'],
  auditor: ['audit', 'protocol', 'rpc', 'rpm', 'openpgp'],
  ceremony: ['frost', 'threshold-rsa', 'threshold-rsa-native', 'protocol', 'openpgp', 'storage', 'node', 'rpc'],
  // The one orchestrator allowed to reach the daemons: the CLI's `qsign node …`,
  // `qsign coordinator start` and `qsign cluster …` go through it.
  devcluster: ['agent', 'auditor', 'client', 'ceremony', 'frost', 'threshold-rsa', 'protocol', 'rpc', 'node', 'coordinator', 'openpgp'],
  // Flag mapping and output only: no daemon (node, coordinator) and no storage.
  cli: ['agent', 'auditor', 'client', 'ceremony', 'devcluster', 'frost', 'protocol', 'rpc', 'proto', 'openpgp', 'rpm', 'audit', 'windows', 'keyring'],
};
// Secret reconstruction is reachable only from ceremony and recovery code.
const RECOVERY_ALLOWED = [/packages\/ceremony\/src\/(ceremony|recovery)[^/]*\.ts$/, /packages\/frost\/src\//];

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== '__tests__' && name !== 'gen') yield* files(p);
    } else if (p.endsWith('.ts')) yield p;
  }
}

const problems = [];
for (const pkg of Object.keys(ALLOWED)) {
  for (const file of files(join(root, 'packages', pkg, 'src'))) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      const rel = file.slice(root.length + 1);
      const q = /^@qsign\/([^/]+)/.exec(spec);
      if (q && q[1] !== pkg && !ALLOWED[pkg].includes(q[1])) problems.push(`${rel}: imports @qsign/${q[1]}, which ${pkg} may not depend on`);
      if (spec === '@qsign/frost/recovery' && !RECOVERY_ALLOWED.some((r) => r.test(rel))) problems.push(`${rel}: imports secret reconstruction outside ceremony/recovery code`);
      if (PURE.has(pkg) && (spec.startsWith('node:') || ['level', '@grpc/grpc-js', '@qsign/proto'].includes(spec)))
        problems.push(`${rel}: pure package ${pkg} imports ${spec}`);
    }
  }
}
if (problems.length) {
  console.error(`import direction violated:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.error('• import direction ok');

#!/usr/bin/env node
// Threshold RSA end to end (issue 11 acceptance 6; run after `npx tsc -b`): for RSA-2048 and
// RSA-4096, a key made by `gpg --quick-gen-key … rsaN` (as Copr's keys are) is imported into a
// 3-of-5 cluster on loopback (mutual TLS); measures the latency p50 of sequential requests and
// the CPU per signature summed over coordinator, nodes and client at concurrency 8 (each
// process's own accounting, as scripts/bench.mjs), next to a single-key node:crypto signature
// with a key of the same size in the same run. Prints its figures as one JSON line.
//   node scripts/bench-rsa-cluster.mjs [--n=40] [--bits=2048,4096]
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { clusterUp, clusterDown } = await import(join(root, 'packages/devcluster/dist/index.js'));
const { QsignClient, loadClientConfig } = await import(join(root, 'packages/client/dist/index.js'));
const { cpuPerCall, drive, pct } = await import('./lib/bench-figures.mjs');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const N = Number(args.n ?? 40);
const BITS = String(args.bits ?? '2048,4096').split(',').map(Number);
const say = (m) => process.stderr.write(`• ${m}\n`);
const payloads = Array.from({ length: 16 }, () => new Uint8Array(randomBytes(4096)));

/** Latency p50 and CPU per signature of a single-key OpenSSL PKCS#1 v1.5 signature over the same payloads. */
function singleKey(bits, n) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const one = (i) => sign('sha256', payloads[i % payloads.length], privateKey);
  one(0);
  const lat = [];
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    one(i);
    lat.push(performance.now() - t0);
  }
  const u = process.cpuUsage(t);
  return { p50Ms: pct(lat, 50), cpuMs: (u.user + u.system) / 1000 / n };
}

const out = {};
const dir = mkdtempSync(join(tmpdir(), 'qsign-bench-rsa-'));
try {
  for (const bits of BITS) {
    const email = `bench-rsa${bits}@copr.invalid`;
    const gnupg = join(dir, `gnupg-${bits}`);
    mkdirSync(gnupg, { mode: 0o700 });
    const gpg = ['--batch', '--no-tty', '--homedir', gnupg, '--pinentry-mode', 'loopback', '--passphrase', ''];
    say(`RSA-${bits}: gpg key, imported into a 3-of-5 cluster`);
    execFileSync('gpg', [...gpg, '--quick-gen-key', `bench <${email}>`, `rsa${bits}`, 'sign', '5y'], { stdio: 'ignore' });
    const secret = join(dir, `secret-${bits}.gpg`);
    execFileSync('gpg', [...gpg, '--output', secret, '--export-secret-keys', email], { stdio: 'ignore' });
    const cdir = join(dir, `cluster-${bits}`);
    const cluster = await clusterUp({ dir: cdir, nodes: 5, threshold: 3, keyName: email, importGpg: secret });
    try {
      const client = new QsignClient(loadClientConfig(cluster.clientConfig));
      const signOne = (i) => client.sign({ keyName: email, kind: 'raw', data: payloads[i % payloads.length] });
      await drive(signOne, 12, 4); // warm-up: connections, key views, JIT
      say(`RSA-${bits}: ${N} sequential requests, then ${N} at concurrency 8`);
      const { lat } = await drive(signOne, N, 1);
      const daemons = [['coordinator', cluster.coordinator.pid], ...cluster.nodes.map((n) => [`node ${n.id}`, n.pid])];
      const cpu = await cpuPerCall(signOne, N, 8, daemons);
      client.close();
      const nodesMs = Object.entries(cpu.perProcessMs).filter(([k]) => k.startsWith('node')).reduce((a, [, v]) => a + v, 0);
      out[`rsa${bits}`] = {
        p50Ms: pct(lat, 50),
        cpuMs: cpu.totalMs,
        perProcessMs: cpu.perProcessMs,
        // Every signature takes 3 shares: the nodes' CPU per share made, request checks and audit write included.
        nodeCpuPerShareMs: nodesMs / 3,
        singleKey: singleKey(bits, N),
      };
    } finally {
      await clusterDown(cdir).catch(() => undefined);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ requests: N, ...out }));

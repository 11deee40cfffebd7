#!/usr/bin/env node
// Benchmark: a 3-of-5 cluster on loopback vs `gpg --detach-sign` with a local
// Ed25519 key, same payloads, same run. Prints latency p50/p99, throughput at
// concurrency 1, 8 and 32, and the ratios. Figures, not assertions: this
// machine is shared and noisy.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { clusterUp, clusterDown } = await import(join(root, 'packages/devcluster/dist/index.js'));
const { QsignClient, loadClientConfig } = await import(join(root, 'packages/client/dist/index.js'));

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const LATENCY_N = Number(args.latency ?? 200);
const THROUGHPUT_N = Number(args.requests ?? 240);
const PAYLOAD = Number(args.payload ?? 4096);
const CONCURRENCY = [1, 8, 32];

function ensureGpg() {
  if (spawnSync('sh', ['-c', 'command -v gpg'], { stdio: 'ignore' }).status === 0) return;
  if (process.getuid?.() !== 0) throw new Error('the gpg baseline needs gpg: apt-get install -y gnupg');
  console.error('• installing gnupg for the baseline');
  execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '-q', 'gnupg'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Runs `count` calls of `fn` with `concurrency` workers; returns per-call ms and wall time. */
async function drive(fn, count, concurrency) {
  const lat = [];
  let next = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = now();
        await fn(i);
        lat.push(now() - t);
      }
    }),
  );
  return { lat, wallMs: now() - t0 };
}

const dir = mkdtempSync(join(tmpdir(), 'qsign-bench-'));
const payloads = Array.from({ length: 64 }, () => new Uint8Array(randomBytes(PAYLOAD)));
const results = {};
let cluster;
try {
  ensureGpg();
  console.error('• starting a 3-of-5 cluster');
  cluster = await clusterUp({ dir: join(dir, 'cluster'), nodes: 5, threshold: 3 });
  const client = new QsignClient(loadClientConfig(cluster.clientConfig));
  const sign = (i) => client.sign({ keyName: cluster.keyName, kind: 'raw', data: payloads[i % payloads.length] });
  await drive(sign, 30, 4); // warm-up: connections, commitment pools, JIT

  console.error('• gpg baseline key');
  const gnupg = join(dir, 'gnupg');
  execFileSync('mkdir', ['-m', '700', '-p', gnupg]);
  const gpgEnv = { ...process.env, GNUPGHOME: gnupg };
  execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'bench <bench@example.org>', 'ed25519', 'sign', 'never'], { env: gpgEnv, stdio: 'ignore' });
  const files = payloads.map((p, i) => {
    const f = join(dir, `payload-${i}`);
    writeFileSync(f, p);
    return f;
  });
  const gpgSign = (i) =>
    new Promise((resolve, reject) => {
      const f = files[i % files.length];
      const c = spawn('gpg', ['--batch', '--yes', '--detach-sign', '-o', `${f}.${i}.sig`, f], { env: gpgEnv, stdio: 'ignore' });
      c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`gpg exited ${code}`))));
    });
  await drive(gpgSign, 10, 1);

  for (const [name, fn] of [['qsign', sign], ['gpg', gpgSign]]) {
    console.error(`• ${name}: ${LATENCY_N} sequential requests`);
    const { lat } = await drive(fn, LATENCY_N, 1);
    results[name] = { p50: pct(lat, 50), p99: pct(lat, 99), tput: {} };
    for (const c of CONCURRENCY) {
      console.error(`• ${name}: ${THROUGHPUT_N} requests at concurrency ${c}`);
      const { wallMs } = await drive(fn, THROUGHPUT_N, c);
      results[name].tput[c] = (THROUGHPUT_N / wallMs) * 1000;
    }
  }
  client.close();
} finally {
  if (cluster) await clusterDown(join(dir, 'cluster')).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

const q = results.qsign;
const g = results.gpg;
const f = (x) => x.toFixed(1).padStart(8);
console.log(`\nqsign bench — 3-of-5 cluster on loopback vs gpg --detach-sign (local ed25519 key), ${PAYLOAD}-byte payloads, same run`);
console.log(`${''.padEnd(26)}${'qsign'.padStart(8)}${'gpg'.padStart(8)}   qsign/gpg`);
console.log(`${'latency p50 (ms)'.padEnd(26)}${f(q.p50)}${f(g.p50)}   ${(q.p50 / g.p50).toFixed(2)}x`);
console.log(`${'latency p99 (ms)'.padEnd(26)}${f(q.p99)}${f(g.p99)}   ${(q.p99 / g.p99).toFixed(2)}x`);
for (const c of CONCURRENCY)
  console.log(`${`throughput c=${c} (sig/s)`.padEnd(26)}${f(q.tput[c])}${f(g.tput[c])}   ${(q.tput[c] / g.tput[c]).toFixed(2)}x`);
console.log('(latency: lower is better; throughput: higher is better. qsign latency is a full client→coordinator→3 nodes round trip with durable audit writes.)');

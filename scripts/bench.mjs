#!/usr/bin/env node
// Benchmark (issue 12): a 3-of-5 cluster on loopback vs `gpg --detach-sign` with a local
// Ed25519 key, same payloads, same run. Prints latency p50/p99, throughput at concurrency
// 1, 8 and 32, CPU per signature summed over coordinator, nodes and client (each process's
// own accounting: /proc/PID/stat for the daemons, process.cpuUsage for the in-process
// client) with a per-process breakdown, one `qsign sign --raw` and one Copr `sign -4 -h
// sha256 -u KEY -r FILE.rpm` call vs `node -e 0` (also through qsign agent: thin Node and native C clients), a node holding 10,000 keys (RSS, start-up;
// scripts/bench-keys.mjs) and the threshold RSA figures (scripts/bench-rsa.mjs for the math,
// scripts/bench-rsa-cluster.mjs end to end), each next
// to its target and ratio. Figures, not assertions: this machine is shared and noisy.
//   npm run bench -- [--json] [--quick] [--latency=N] [--requests=N] [--keys=N] [--no-keys] [--no-rsa]
// QSIGN_BENCH_PROFILE=DIR profiles every daemon (scripts/lib/cpu-profile-preload.mjs) into DIR; profile the
// client with `node --cpu-prof --cpu-prof-dir=DIR scripts/bench.mjs`; summarise with scripts/profile-top.mjs.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { clusterUp, clusterDown } = await import(join(root, 'packages/devcluster/dist/index.js'));
const { QsignClient, loadClientConfig } = await import(join(root, 'packages/client/dist/index.js'));

const { syntheticRpm } = await import('./lib/synthetic-rpm.mjs');
const { cpuPerCall, drive, frostMathMs, pct, procCpuMs, runJsonScript, wallMs, report } = await import('./lib/bench-figures.mjs');
const { agentFigures, agentReport } = await import('./lib/bench-agent.mjs');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const QUICK = 'quick' in args;
const LATENCY_N = Number(args.latency ?? (QUICK ? 20 : 200));
const THROUGHPUT_N = Number(args.requests ?? (QUICK ? 40 : 240));
const KEYS = Number(args.keys ?? (QUICK ? 200 : 10_000));
const PROFILE = process.env.QSIGN_BENCH_PROFILE;
const QSIGN = join(root, 'packages/cli/dist/bin/qsign.js');
const SIGN = join(root, 'packages/cli/dist/bin/sign.js');
const say = (m) => process.stderr.write(`• ${m}\n`);
const PAYLOAD = Number(args.payload ?? 4096);
const CONCURRENCY = [1, 8, 32];

function ensureGpg() {
  if (spawnSync('sh', ['-c', 'command -v gpg'], { stdio: 'ignore' }).status === 0) return;
  if (process.getuid?.() !== 0) throw new Error('the gpg baseline needs gpg: apt-get install -y gnupg');
  say('installing gnupg for the baseline');
  execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '-q', 'gnupg'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

const dir = mkdtempSync(join(tmpdir(), 'qsign-bench-'));
const payloads = Array.from({ length: 64 }, () => new Uint8Array(randomBytes(PAYLOAD)));
const results = {};
const fig = { machine: { cpus: (await import('node:os')).cpus().length, node: process.versions.node, quick: QUICK } };
let cluster;
try {
  ensureGpg();
  say('starting a 3-of-5 cluster');
  if (PROFILE) {
    mkdirSync(PROFILE, { recursive: true });
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import=${join(root, 'scripts/lib/cpu-profile-preload.mjs')}`.trim();
  }
  cluster = await clusterUp({ dir: join(dir, 'cluster'), nodes: 5, threshold: 3 });
  if (PROFILE) delete process.env.NODE_OPTIONS;
  const client = new QsignClient(loadClientConfig(cluster.clientConfig));
  const sign = (i) => client.sign({ keyName: cluster.keyName, kind: 'raw', data: payloads[i % payloads.length] });
  await drive(sign, 30, 4); // warm-up: connections, commitment pools, JIT

  say('gpg baseline key');
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
    say(`${name}: ${LATENCY_N} sequential requests`);
    const { lat } = await drive(fn, LATENCY_N, 1);
    results[name] = { p50: pct(lat, 50), p99: pct(lat, 99), tput: {} };
    for (const c of CONCURRENCY) {
      say(`${name}: ${THROUGHPUT_N} requests at concurrency ${c}`);
      const daemons = name === 'qsign' && c === 8 ? [['coordinator', cluster.coordinator.pid], ...cluster.nodes.map((n) => [`node ${n.id}`, n.pid])] : [];
      const { wallMs: ms, perProcessMs, totalMs } = await cpuPerCall(fn, THROUGHPUT_N, c, daemons);
      results[name].tput[c] = (THROUGHPUT_N / ms) * 1000;
      if (daemons.length) fig.cpuPerSignature = { concurrency: 8, totalMs, perProcessMs };
    }
  }
  client.close();
  fig.cpuPerSignature.frostMathMs = await frostMathMs(root, QUICK ? 10 : 40);

  say('one CLI call each: node -e 0, qsign sign --raw, Copr sign -4 -h sha256 -u KEY -r FILE.rpm, gpg');
  const env = { ...process.env, QSIGN_CONFIG: cluster.clientConfig };
  const rpm = join(dir, 'copr-1.0-1.noarch.rpm');
  const runs = QUICK ? 3 : 9;
  fig.cli = {
    client: 'node, direct gRPC (packages/cli/dist/bin, no agent; through qsign agent: the figures below)',
    runs,
    nodeMs: wallMs(process.execPath, ['-e', '0'], runs, env),
    qsignSignRawMs: wallMs(process.execPath, [QSIGN, 'sign', '--key', cluster.keyName, '--raw', files[0]], runs, env),
    coprSignMs: wallMs(process.execPath, [SIGN, '-4', '-h', 'sha256', '-u', cluster.keyName, '-r', rpm], runs, env, () => writeFileSync(rpm, syntheticRpm('copr'))),
    gpgMs: wallMs('gpg', ['--batch', '--yes', '--detach-sign', '-o', `${files[0]}.sig`, files[0]], runs, gpgEnv),
  };
  // qsign agent (issue 12 target 4; scripts/lib/bench-agent.mjs): the same calls by the thin Node and native clients via the agent.
  say('one call each through qsign agent: thin Node client, native C client, direct Node client');
  fig.agent = await agentFigures({ clusterDir: join(dir, 'cluster'), cluster, runs, work: dir, base: { nodeMs: fig.cli.nodeMs, gpgMs: fig.cli.gpgMs } });
} finally {
  if (cluster) await clusterDown(join(dir, 'cluster')).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
fig.latency = { qsignP50Ms: results.qsign.p50, qsignP99Ms: results.qsign.p99, gpgP50Ms: results.gpg.p50, gpgP99Ms: results.gpg.p99 };
fig.throughput = { requests: THROUGHPUT_N, qsign: results.qsign.tput, gpg: results.gpg.tput };
if (!('no-keys' in args)) {
  say(`a node holding ${KEYS} keys (scripts/bench-keys.mjs)`);
  fig.manyKeys = runJsonScript(join(root, 'scripts/bench-keys.mjs'), [String(KEYS), QUICK ? '10' : '60']);
}
if (!('no-rsa' in args)) {
  say('threshold RSA CPU (scripts/bench-rsa.mjs)');
  fig.rsa = runJsonScript(join(root, 'scripts/bench-rsa.mjs'), [`--n=${QUICK ? 5 : 50}`, '--json']);
  say('threshold RSA end to end: imported gpg keys in a 3-of-5 cluster (scripts/bench-rsa-cluster.mjs)');
  fig.rsaCluster = runJsonScript(join(root, 'scripts/bench-rsa-cluster.mjs'), [`--n=${QUICK ? 16 : 80}`]);
}
console.log('json' in args ? JSON.stringify(fig) : report(fig, PAYLOAD));
if (!('json' in args) && fig.agent) console.log(agentReport(fig.agent));


// Measuring helpers and the report of scripts/bench.mjs (issue 12's figures and targets).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const TICK_MS = 1000 / 100; // USER_HZ: /proc/PID/stat counts CPU in 1/100 s on Linux

/** CPU milliseconds (user + system) process `pid` has used so far, from its own /proc/PID/stat. */
export function procCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  return (Number(f[11]) + Number(f[12])) * TICK_MS; // fields 14 utime, 15 stime
}

/** The `p`th percentile of `xs`. */
export const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Runs `count` calls of `fn` with `concurrency` workers; returns per-call ms and wall time. */
export async function drive(fn, count, concurrency) {
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

/**
 * CPU ms per call of `fn` run `count` times at `concurrency`, per process: each daemon
 * `[name, pid]` by its own /proc accounting, `client` by this process's cpuUsage.
 */
export async function cpuPerCall(fn, count, concurrency, daemons) {
  const before = daemons.map(([, pid]) => procCpuMs(pid));
  const own = process.cpuUsage();
  const { wallMs } = await drive(fn, count, concurrency);
  const u = process.cpuUsage(own);
  const per = Object.fromEntries(daemons.map(([who, pid], k) => [who, (procCpuMs(pid) - before[k]) / count]));
  per.client = (u.user + u.system) / 1000 / count;
  return { wallMs, perProcessMs: per, totalMs: Object.values(per).reduce((a, b) => a + b, 0) };
}

/** Median wall milliseconds of `runs` runs of `cmd args` (each after `before()`); throws on a failing run. */
export function wallMs(cmd, args, runs, env, before = () => undefined) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    before();
    const t = performance.now();
    const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    times.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

/** Runs a bench script whose last stdout line is its figures as JSON; returns them. */
export function runJsonScript(script, args) {
  const r = spawnSync(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${script} exited ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** Mean CPU ms of the FROST math of one 3-of-5 signature, all rounds (3 commits, 3 shares, aggregate, verify), one process, with the daemons' point backend. */
export async function frostMathMs(root, n) {
  const q = await import(join(root, 'packages/frost/dist/index.js'));
  (await import(join(root, 'packages/frost-native/dist/index.js'))).installNativeBackend({ log: () => undefined });
  const { shares, publicKeyPackage } = q.trustedDealerKeygen(3, 5);
  const gpk = publicKeyPackage.groupPublicKey;
  const hedge = crypto.getRandomValues(new Uint8Array(32));
  const one = () => {
    const msg = crypto.getRandomValues(new Uint8Array(100));
    const r = [1, 3, 5].map((i) => q.commit(i, hedge));
    const list = r.map((x) => x.commitments);
    const z = [0, 2, 4].map((i, k) => q.signShare(shares[i], gpk, r[k].nonces, list, msg));
    const sig = q.aggregate(z, gpk, list, msg);
    if (!q.verifySignature(sig, msg, gpk)) throw new Error('FROST bench signature does not verify');
  };
  one();
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) one();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000 / n;
}

const x = (a, b) => `${(a / b).toFixed(2)}×`;
const ms = (v) => `${v.toFixed(1)} ms`;

/** The human-readable table: every figure, its same-run baseline, the ratio and issue 12's target. */
export function report(f, payload) {
  const L = [];
  const row = (name, qsign, base, ratio, target) => L.push(`${name.padEnd(38)}${qsign.padStart(16)}${base.padStart(26)}${ratio.padStart(10)}   ${target}`);
  const t = f.throughput;
  const c = f.cpuPerSignature;
  L.push(`qsign bench — 3-of-5 cluster on loopback (mutual TLS) vs gpg --detach-sign (local ed25519 key), ${payload}-byte payloads, same run, ${f.machine.cpus} CPUs, Node ${f.machine.node}${f.machine.quick ? ', --quick (few samples)' : ''}`);
  row('figure', 'qsign', 'baseline', 'ratio', 'target (issue 12)');
  row('latency p50', ms(f.latency.qsignP50Ms), `gpg ${ms(f.latency.gpgP50Ms)}`, x(f.latency.qsignP50Ms, f.latency.gpgP50Ms), '≤ 0.5×');
  row('latency p99', ms(f.latency.qsignP99Ms), `gpg ${ms(f.latency.gpgP99Ms)}`, x(f.latency.qsignP99Ms, f.latency.gpgP99Ms), '');
  for (const k of [1, 8, 32]) row(`throughput c=${k} (sig/s, ${t.requests} req)`, t.qsign[k].toFixed(1), `gpg ${t.gpg[k].toFixed(1)}`, x(t.qsign[k], t.gpg[k]), '');
  row('throughput c=32 vs gpg sequential', t.qsign[32].toFixed(1), `gpg c=1 ${t.gpg[1].toFixed(1)}`, x(t.qsign[32], t.gpg[1]), '≥ 5×');
  row('throughput c=32 vs gpg c=32', t.qsign[32].toFixed(1), `gpg c=32 ${t.gpg[32].toFixed(1)}`, x(t.qsign[32], t.gpg[32]), '≥ 1.5×');
  row('CPU per signature, all processes', ms(c.totalMs), `FROST math ${ms(c.frostMathMs)}`, x(c.totalMs, c.frostMathMs), '≤ 3 ms');
  for (const [who, v] of Object.entries(c.perProcessMs)) row(`  ${who} (c=${c.concurrency})`, ms(v), '', '', '');
  row('one qsign sign --raw call', ms(f.cli.qsignSignRawMs), `node -e 0 ${ms(f.cli.nodeMs)}`, x(f.cli.qsignSignRawMs, f.cli.nodeMs), '≤ 1.5×');
  row('one sign -4 -h sha256 -u K -r F.rpm', ms(f.cli.coprSignMs), `node -e 0 ${ms(f.cli.nodeMs)}`, x(f.cli.coprSignMs, f.cli.nodeMs), '≤ 1.5×');
  row('  vs one gpg --detach-sign call', ms(f.cli.qsignSignRawMs), `gpg ${ms(f.cli.gpgMs)}`, x(f.cli.qsignSignRawMs, f.cli.gpgMs), '');
  L.push(`  (CLI calls: median of ${f.cli.runs} each; client that ran: ${f.cli.client})`);
  if (f.manyKeys) {
    row(`node with ${f.manyKeys.keys} keys: RSS`, `${f.manyKeys.rssMB.toFixed(0)} MB`, '', '', '≤ 150 MB (10,000 keys)');
    row(`node with ${f.manyKeys.keys} keys: start-up`, ms(f.manyKeys.startupMs), `10 keys ${ms(f.manyKeys.startupMs10)}`, x(f.manyKeys.startupMs, f.manyKeys.startupMs10), '≤ 2 s');
    row(`sign p50 at ${f.manyKeys.keys} keys`, ms(f.manyKeys.signP50Ms), `10 keys ${ms(f.manyKeys.signP50Ms10)}`, x(f.manyKeys.signP50Ms, f.manyKeys.signP50Ms10), '');
  }
  for (const b of ['rsa2048', 'rsa4096']) {
    const m = f.rsa?.[b];
    const e = f.rsaCluster?.[b];
    const name = b.replace('rsa', 'RSA-');
    if (m) row(`${name} share CPU (${f.rsa.backend})`, ms(m.shareMs), `single key ${ms(m.singleKeyMs)}`, x(m.shareMs, m.singleKeyMs), '');
    if (m) row(`${name} math: 3 shares + combine`, ms(m.totalMs), `single key ${ms(m.singleKeyMs)}`, x(m.totalMs, m.singleKeyMs), '');
    if (!e) continue;
    row(`${name} node CPU per share (c=8)`, ms(e.nodeCpuPerShareMs), `single key ${ms(e.singleKey.cpuMs)}`, x(e.nodeCpuPerShareMs, e.singleKey.cpuMs), '');
    row(`${name} CPU per sig, all processes`, ms(e.cpuMs), `single key ${ms(e.singleKey.cpuMs)}`, x(e.cpuMs, e.singleKey.cpuMs), b === 'rsa2048' ? '≤ 12 ms (issue 11)' : '');
    L.push(`    (${Object.entries(e.perProcessMs).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')} ms; ${f.rsaCluster.requests} requests at c=8, imported gpg key)`);
    row(`${name} latency p50, end to end`, ms(e.p50Ms), `single key ${ms(e.singleKey.p50Ms)}`, x(e.p50Ms, e.singleKey.p50Ms), '');
  }
  L.push('(30,000 RPM headers through qsign rpm sign: scripts/bench-mass.mjs; the chaos figures: the chaos test.)');
  return L.join('\n');
}

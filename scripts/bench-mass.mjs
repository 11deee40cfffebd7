#!/usr/bin/env node
// Mass RPM signing (issue 12 target 5): N distinct RPM packages (30,000 by default), each
// with its own main header, through `qsign rpm sign` on a 3-of-5 dev cluster, batching
// files per invocation as a release engineer would (`qsign rpm sign --key K -j J f1 … fB`).
// Prints the wall time of the signing and the `qsign audit crosscheck` summary (every
// issued signature accounted for by the node logs). Run after `npx tsc -b`:
//   node scripts/bench-mass.mjs [--count=30000] [--batch=1000] [--jobs=16] [--json]
import { spawnSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { clusterUp, clusterDown } = await import(join(root, 'packages/devcluster/dist/index.js'));
const { syntheticRpm } = await import('./lib/synthetic-rpm.mjs');
const QSIGN = join(root, 'packages/cli/dist/bin/qsign.js');

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return dflt;
  return argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
};
const COUNT = Number(opt('count', 30_000));
const BATCH = Number(opt('batch', 1000));
const JOBS = Number(opt('jobs', 16));
const JSON_OUT = argv.includes('--json');
const say = (m) => process.stderr.write(`${m}\n`);

/** Runs `qsign ARGS` with the cluster's client config; resolves with its exit status and output. */
function qsign(args, env) {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [QSIGN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (status) => resolve({ status, out, err }));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'qsign-bench-mass-'));
let cluster;
let result;
try {
  say(`bench-mass: ${COUNT} packages, ${BATCH} per 'qsign rpm sign' call, -j ${JOBS}, 3-of-5 cluster in ${dir}`);
  cluster = await clusterUp({ dir: join(dir, 'cluster'), nodes: 5, threshold: 3, keyName: 'mass@copr.example.org' });
  const env = { ...process.env, QSIGN_CONFIG: cluster.clientConfig };
  const batches = [];
  for (let start = 0; start < COUNT; start += BATCH) {
    const bdir = join(dir, `batch-${batches.length}`);
    mkdirSync(bdir);
    const files = [];
    for (let i = start; i < Math.min(start + BATCH, COUNT); i++) {
      const f = join(bdir, `mass-${i}-1.0-1.noarch.rpm`);
      writeFileSync(f, syntheticRpm(`mass-${i}`));
      files.push(f);
    }
    batches.push(files);
  }
  say(`  wrote ${COUNT} packages in ${batches.length} batches; signing…`);
  const t0 = performance.now();
  let signed = 0;
  for (const files of batches) {
    const r = await qsign(['rpm', 'sign', '--key', cluster.keyName, '-j', String(JOBS), ...files], env);
    if (r.status !== 0) throw new Error(`qsign rpm sign exited ${r.status}: ${r.err.trim().split('\n').pop()}`);
    signed += files.length;
    const s = (performance.now() - t0) / 1000;
    say(`  ${signed} / ${COUNT} signed, ${s.toFixed(1)} s (${(signed / s).toFixed(0)} packages/s)`);
  }
  const signSeconds = (performance.now() - t0) / 1000;
  say('  qsign audit crosscheck…');
  const t1 = performance.now();
  const cc = spawnSync(process.execPath, [QSIGN, 'audit', 'crosscheck', '--cluster', join(dir, 'cluster'), '--no-state', '--json'], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const summary = cc.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.type === 'summary');
  if (!summary) throw new Error(`crosscheck gave no summary (exit ${cc.status}): ${cc.stderr.trim().split('\n').pop()}`);
  result = { packages: COUNT, batch: BATCH, jobs: JOBS, signSeconds, packagesPerSecond: COUNT / signSeconds, crosscheckSeconds: (performance.now() - t1) / 1000, crosscheck: { exit: cc.status, issued: summary.issued, accounted: summary.accounted, problems: summary.problems }, allAccounted: cc.status === 0 && summary.issued >= COUNT && summary.accounted === summary.issued && summary.problems === 0 };
} finally {
  if (cluster) await clusterDown(join(dir, 'cluster')).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
if (JSON_OUT) console.log(JSON.stringify(result));
else {
  console.log(`${result.packages} RPM headers signed by 'qsign rpm sign' (${result.batch} per call, -j ${result.jobs}) in ${result.signSeconds.toFixed(1)} s (${result.packagesPerSecond.toFixed(0)}/s; target ≤ 120 s for 30,000)`);
  console.log(`qsign audit crosscheck (${result.crosscheckSeconds.toFixed(1)} s): ${result.crosscheck.accounted} of ${result.crosscheck.issued} issued signatures accounted for, ${result.crosscheck.problems} problems, exit ${result.crosscheck.exit} — ${result.allAccounted ? 'every signature accounted for' : 'NOT every signature accounted for'}`);
}
process.exitCode = result.allAccounted ? 0 : 1;

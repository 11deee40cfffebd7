#!/usr/bin/env node
// Summarises the .cpuprofile files `QSIGN_BENCH_PROFILE=DIR npm run bench` leaves (node
// --cpu-prof): per profile, its process's command line guess, total sampled ms and the
// functions with the most self time, grouped by package. `node scripts/profile-top.mjs DIR [top]`
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, topArg] = process.argv.slice(2);
const TOP = Number(topArg ?? 12);
const where = (url) => {
  const m = /packages\/([^/]+)\/|node_modules\/(@[^/]+\/[^/]+|[^/]+)\//.exec(url);
  return m ? (m[1] ?? m[2]) : url.startsWith('node:') ? url : url ? 'other' : '(native/gc)';
};
for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile')).sort()) {
  const p = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = p.timeDeltas;
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0) / 1000));
  const fn = new Map();
  const pkg = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id).callFrame;
    if (n.functionName === '(idle)') { idle += ms; continue; }
    total += ms;
    const key = `${n.functionName || '(anonymous)'} ${where(n.url)}`;
    fn.set(key, (fn.get(key) ?? 0) + ms);
    pkg.set(where(n.url), (pkg.get(where(n.url)) ?? 0) + ms);
  }
  const urls = new Set(p.nodes.map((n) => n.callFrame.url));
  const role = [...urls].some((u) => u.includes('coordinator/dist/daemon')) ? 'coordinator' : [...urls].some((u) => u.includes('node/dist/daemon')) ? 'node' : 'client/other';
  console.log(`\n${f} (${role}): ${total.toFixed(0)} ms busy, ${idle.toFixed(0)} ms idle`);
  console.log('  by package: ' + [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${((100 * v) / total).toFixed(0)}%`).join(', '));
  for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}

// Issue 12 target 4 through `qsign agent` (docs/agent.md): one Copr call
// `sign -4 -h sha256 -u KEY -r FILE.rpm` and one `sign -D FILE` by the thin
// Node client and the native C client via the agent, and by the direct Node
// client (QSIGN_NO_AGENT=1), next to `node -e 0` and gpg, with the client
// each one reported (`sign --which-client`). scripts/bench.mjs adds these to
// its figures; `node scripts/lib/bench-agent.mjs [--json] [--runs=N]` starts
// its own 3-of-5 cluster and prints them alone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wallMs } from './bench-figures.mjs';
import { syntheticRpm } from './synthetic-rpm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIGN = join(root, 'packages/cli/dist/bin/sign.js');

/**
 * Starts the cluster's agent (if it has none) and measures the calls; `base`
 * holds node -e 0 / gpg medians already measured in the same run (else they
 * are measured here). Returns the figures for `fig.agent`.
 */
export async function agentFigures({ clusterDir, cluster, runs, work, base = {} }) {
  const { startClusterAgent } = await import(join(root, 'packages/devcluster/dist/index.js'));
  const { nativeSignBin } = await import(join(root, 'packages/agent/dist/index.js'));
  if (!cluster.agent) await startClusterAgent(clusterDir, cluster);
  const env = { ...process.env, QSIGN_CONFIG: cluster.clientConfig };
  const direct = { ...env, QSIGN_NO_AGENT: '1' };
  const rpm = join(work, 'agent-copr-1.0-1.noarch.rpm');
  const file = join(work, 'agent-payload.txt');
  writeFileSync(file, 'one call through the agent\n');
  const fresh = () => writeFileSync(rpm, syntheticRpm('copr'));
  const native = nativeSignBin();
  const which = (cmd, args, e) => spawnSync(cmd, [...args, '--which-client'], { env: e, encoding: 'utf8' }).stdout.trim();
  const copr = ['-4', '-h', 'sha256', '-u', cluster.keyName, '-r', rpm];
  const detached = ['-u', cluster.keyName, '-D', file];
  const clients = [
    ['thinNode', process.execPath, [SIGN], env],
    ...(native ? [['native', native, [], env]] : []),
    ['directNode', process.execPath, [SIGN], direct],
  ];
  const out = {
    runs,
    nodeMs: base.nodeMs ?? wallMs(process.execPath, ['-e', '0'], runs, env),
    gpgMs: base.gpgMs,
    nativeBuilt: Boolean(native),
    clients: {},
  };
  for (const [name, cmd, pre, e] of clients) {
    wallMs(cmd, [...pre, ...detached], 1, e); // warm the page cache for this binary
    out.clients[name] = { ran: which(cmd, pre, e), coprSignMs: wallMs(cmd, [...pre, ...copr], runs, e, fresh), detachedSignMs: wallMs(cmd, [...pre, ...detached], runs, e) };
  }
  return out;
}

/** The report lines of the agent figures. */
export function agentReport(a) {
  const ms = (v) => (v === undefined ? '—' : `${v.toFixed(1)} ms`);
  const x = (v) => `${(v / a.nodeMs).toFixed(2)}× node -e 0`;
  const L = [`one call through qsign agent (median of ${a.runs}; node -e 0 ${ms(a.nodeMs)}${a.gpgMs !== undefined ? `, gpg --detach-sign ${ms(a.gpgMs)}` : ''}; target ≤ 1.5× node -e 0):`];
  for (const [name, c] of Object.entries(a.clients)) L.push(`  ${name.padEnd(10)} sign -4 -h sha256 -u K -r F.rpm ${ms(c.coprSignMs).padStart(10)} (${x(c.coprSignMs)})   sign -D F ${ms(c.detachedSignMs).padStart(10)} (${x(c.detachedSignMs)})   ran: ${c.ran}`);
  if (!a.nativeBuilt) L.push('  (no native client: the bootstrap found no C compiler)');
  return L.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
  const { clusterUp, clusterDown } = await import(join(root, 'packages/devcluster/dist/index.js'));
  const work = mkdtempSync(join(tmpdir(), 'qsign-bench-agent-'));
  const clusterDir = join(work, 'cluster');
  try {
    process.stderr.write('• starting a 3-of-5 cluster with its agent\n');
    const cluster = await clusterUp({ dir: clusterDir, nodes: 5, threshold: 3, agent: true });
    const gpg = spawnSync('sh', ['-c', 'command -v gpg'], { stdio: 'ignore' }).status === 0;
    const runs = Number(args.runs ?? 9);
    const base = {};
    if (gpg) {
      const gnupg = join(work, 'gnupg');
      spawnSync('mkdir', ['-m', '700', '-p', gnupg]);
      const gpgEnv = { ...process.env, GNUPGHOME: gnupg };
      spawnSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'bench <bench@example.org>', 'ed25519', 'sign', 'never'], { env: gpgEnv, stdio: 'ignore' });
      writeFileSync(join(work, 'g'), 'gpg baseline\n');
      base.gpgMs = wallMs('gpg', ['--batch', '--yes', '--detach-sign', '-o', join(work, 'g.sig'), join(work, 'g')], runs, gpgEnv);
    }
    const a = await agentFigures({ clusterDir, cluster, runs, work, base });
    console.log('json' in args ? JSON.stringify(a) : agentReport(a));
  } finally {
    await clusterDown(clusterDir).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * podman as this sandbox can run it: installed through requireTools, told
 * `--runtime runc --storage-driver vfs --cgroup-manager cgroupfs` and given a
 * containers.conf without default ulimits (crun and the default ulimits are
 * refused here). The qsign image is built once per content hash of its
 * inputs, so a second test file (or run) reuses it.
 */
import { createHash } from 'node:crypto';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from './tools.js';

/** podman's global flags for this sandbox. */
export const PODMAN_FLAGS = ['--runtime', 'runc', '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs'];

/** The repository root (test/helpers/../..). */
export const REPO = join(import.meta.dirname, '..', '..');

/** Installs podman, runc, podman-compose and the CNI dnsname plugin and writes the containers.conf they need; returns the env to run them with. */
export function podmanEnv(): NodeJS.ProcessEnv {
  requireTools('podman', 'runc', 'podman-compose', '/usr/lib/cni/dnsname');
  const conf = join(tmpdir(), 'qsign-containers.conf');
  const text = '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n';
  // Written only when missing or different: a podman started meanwhile must never read it half-written
  // (seen: a truncated file let the default ulimits through, "error setting rlimit type 7").
  let have = '';
  try { have = readFileSync(conf, 'utf8'); } catch { /* not there yet */ }
  if (have !== text) {
    writeFileSync(`${conf}.${process.pid}`, text);
    renameSync(`${conf}.${process.pid}`, conf);
  }
  return { ...process.env, CONTAINERS_CONF: conf, STORAGE_DRIVER: 'vfs' };
}

/** Runs podman with the sandbox flags; throws with its stderr on failure. */
export function podman(args: string[], opts: { timeout?: number } = {}): string {
  const r = spawnSync('podman', [...PODMAN_FLAGS, ...args], { env: podmanEnv(), encoding: 'utf8', timeout: opts.timeout ?? 600_000 });
  if (r.status !== 0) throw new Error(`podman ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** Like podman() but never throws (for cleanup); returns the exit status. */
export function podmanQuiet(args: string[]): number | null {
  return spawnSync('podman', [...PODMAN_FLAGS, ...args], { env: podmanEnv(), stdio: 'ignore', timeout: 300_000 }).status;
}

function hashTree(h: ReturnType<typeof createHash>, dir: string): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) hashTree(h, p);
    else h.update(p).update(readFileSync(p));
  }
}

/** The image tag for the current build inputs: packages dist, the lock file and deploy/container. */
export function imageTag(): string {
  const h = createHash('sha256');
  h.update(readFileSync(join(REPO, 'package-lock.json')));
  hashTree(h, join(REPO, 'deploy', 'container'));
  for (const p of readdirSync(join(REPO, 'packages')).sort()) {
    const dist = join(REPO, 'packages', p, 'dist');
    try { hashTree(h, dist); } catch { /* a package without dist */ }
  }
  return `localhost/qsign:${h.digest('hex').slice(0, 16)}`;
}

/** Builds the qsign image with deploy/container/build.sh unless this content hash is already built; returns its tag. */
export function buildImage(): string {
  const env = podmanEnv();
  const tag = imageTag();
  if (spawnSync('podman', [...PODMAN_FLAGS, 'image', 'exists', tag], { env }).status === 0) return tag;
  mkdirSync(tmpdir(), { recursive: true });
  execFileSync(join(REPO, 'deploy', 'container', 'build.sh'), [tag], {
    env: { ...env, PODMAN: `podman ${PODMAN_FLAGS.join(' ')}` },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 900_000,
  });
  return tag;
}

/** podman() without blocking the event loop, so several containers start at once. */
export function podmanAsync(args: string[], timeoutMs = 600_000): Promise<string> {
  return new Promise((res, rej) => {
    execFile('podman', [...PODMAN_FLAGS, ...args], { env: podmanEnv(), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`podman ${args.join(' ')} failed: ${stderr || err.message}`));
      else res(stdout);
    });
  });
}

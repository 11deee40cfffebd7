/**
 * Makes sure an external tool (gpg, rpm, sq, chromium, createrepo_c, dnf, skopeo, podman) is installed before a
 * test uses it. As root it installs the Debian package (apt-get update first);
 * otherwise it throws a clear error. A test never skips silently.
 */
import { execFileSync, spawnSync } from 'node:child_process';

const PACKAGES: Record<string, string> = {
  gpg: 'gnupg',
  gpgconf: 'gnupg',
  rpm: 'rpm',
  rpmbuild: 'rpm',
  rpmsign: 'rpm',
  rpmkeys: 'rpm',
  sq: 'sq',
  chromium: 'chromium',
  createrepo_c: 'createrepo-c',
  dnf: 'dnf',
  skopeo: 'skopeo',
  'systemd-analyze': 'systemd',
  curl: 'curl',
  // The native thin `sign` client of qsign agent (packages/agent/native/sign.c).
  cc: 'gcc',
  podman: 'podman',
  runc: 'runc',
  'podman-compose': 'podman-compose',
  // CNI's name resolution on podman networks (podman 4.3 with the CNI backend): containers reach each other by name.
  '/usr/lib/cni/dnsname': 'golang-github-containernetworking-plugin-dnsname',
  // The init podman builds its local pause image from (pods: podman kube play).
  catatonit: 'catatonit',
  ip: 'iproute2',
  iptables: 'iptables',
};

let updated = false;

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** Ensures every named tool is on PATH, installing its Debian package as root. */
export function requireTools(...tools: string[]): void {
  const missing = tools.filter((t) => !has(t));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((t) => PACKAGES[t] ?? t))];
  if (process.getuid?.() !== 0) {
    throw new Error(
      `this test needs ${missing.join(', ')}: install Debian packages ${pkgs.join(' ')} (apt-get install -y ${pkgs.join(' ')})`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // apt's lock may be held by a parallel test worker: retry for a while.
  for (let attempt = 0; ; attempt++) {
    try {
      // Another test worker may be installing at the same time: let apt wait for its lock.
      const wait = ['-o', 'DPkg::Lock::Timeout=900'];
      if (!updated) execFileSync('apt-get', [...wait, 'update', '-q'], { stdio: 'ignore', env, timeout: 900_000 });
      updated = true;
      execFileSync('apt-get', [...wait, 'install', '-y', '-q', '--no-install-recommends', ...pkgs], { stdio: 'ignore', env, timeout: 1_200_000 });
      break;
    } catch (e) {
      if (attempt >= 30) throw new Error(`could not install ${pkgs.join(' ')}: ${(e as Error).message}`);
      execFileSync('sleep', ['5']);
    }
  }
  const still = tools.filter((t) => !has(t));
  if (still.length) throw new Error(`installed ${pkgs.join(' ')} but ${still.join(', ')} still not on PATH`);
}

/** Runs a system tool (gpg, sq, rpmkeys, dnf…) to completion: its exit status and stdout+stderr together. */
export function runTool(cmd: string, args: string[], timeoutMs: number): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

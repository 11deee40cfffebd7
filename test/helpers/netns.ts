/**
 * Separate hosts on one machine for network-fault tests: one Linux network
 * namespace per host, each joined to a bridge in the root namespace by a veth
 * pair (`ip netns`, `ip link`; needs root). The test process stays in the root
 * namespace and reaches every host through the bridge. Names carry a random
 * tag, so parallel runs never collide, and {@link NetLab.cleanup} removes every
 * namespace, link, rule and process this lab made (call it from afterAll);
 * {@link NetLab.sweep} removes what a killed test run left behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DELAYER = fileURLToPath(new URL('./nfqueue-delay.py', import.meta.url));
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
/** One file per live lab (its tag, holding the creating process's pid), for {@link NetLab.sweep}. */
const REGISTRY = '/run/qsign-netlab';

/** Runs `ip ARGS…`, throwing with its stderr on failure. */
function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A bridge and one namespace per host; hosts are addressed 10.A.B.N/24. */
export class NetLab {
  readonly tag = randomBytes(2).toString('hex');
  readonly subnet = `10.${randomInt(100, 250)}.${randomInt(0, 256)}`;
  readonly bridge = `qs${this.tag}br`;
  readonly #hosts = new Map<string, { ns: string; hostIf: string; ip: string }>();
  readonly #delayers: ChildProcess[] = [];

  /** Creates the bridge (with address .1 for the test process). */
  constructor() {
    NetLab.sweep();
    mkdirSync(REGISTRY, { recursive: true });
    writeFileSync(join(REGISTRY, this.tag), String(process.pid));
    ip('link', 'add', this.bridge, 'type', 'bridge');
    ip('addr', 'add', `${this.subnet}.1/24`, 'dev', this.bridge);
    ip('link', 'set', this.bridge, 'up');
  }

  /** Adds host `name` (a new namespace `qsign-TAG-NAME` with eth0 at .`octet`); returns its address. */
  addHost(name: string, octet: number): string {
    const ns = `qsign-${this.tag}-${name}`;
    const hostIf = `qs${this.tag}h${octet}`;
    const peer = `qs${this.tag}p${octet}`;
    const addr = `${this.subnet}.${octet}`;
    ip('netns', 'add', ns);
    this.#hosts.set(name, { ns, hostIf, ip: addr });
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', peer);
    ip('link', 'set', peer, 'netns', ns);
    ip('-n', ns, 'link', 'set', peer, 'name', 'eth0');
    ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('link', 'set', hostIf, 'master', this.bridge);
    ip('link', 'set', hostIf, 'up');
    return addr;
  }

  #host(name: string) {
    const h = this.#hosts.get(name);
    if (!h) throw new Error(`no host ${name} in this lab`);
    return h;
  }

  /** The command that runs `command` inside host `name`'s namespace (`ip netns exec`, which execs: same pid). */
  wrap(name: string, command: string[]): string[] {
    return ['ip', 'netns', 'exec', this.#host(name).ns, ...command];
  }

  /** Runs `command` inside host `name`'s namespace and returns its stdout. */
  exec(name: string, command: string[]): string {
    const [bin, ...args] = this.wrap(name, command);
    return execFileSync(bin!, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  }

  /** How long a TCP handshake from host `name` to `address` ("ip:port") takes, in ms. */
  connectMs(name: string, address: string): number {
    const [host, port] = address.split(':');
    const py = `import socket,time;t=time.monotonic();socket.create_connection(('${host}',${port}),timeout=10).close();print((time.monotonic()-t)*1000)`;
    return Number(this.exec(name, [PYTHON, '-c', py]));
  }

  /** Cuts host `name` off the network: its bridge port goes down (no packet in or out, no reset either). */
  cut(name: string): void {
    ip('link', 'set', this.#host(name).hostIf, 'down');
  }

  /** Reconnects host `name`. */
  heal(name: string): void {
    ip('link', 'set', this.#host(name).hostIf, 'up');
  }

  /**
   * Delays every packet host `name` sends on eth0 by `ms` (what `tc qdisc add
   * dev eth0 root netem delay MS` would do where sch_netem exists): an
   * iptables rule queues them to NFQUEUE `queue`, and nfqueue-delay.py, in
   * the same namespace, holds each one `ms` before accepting it. Without the
   * delayer the rule drops the packets (no --queue-bypass): it cannot pass
   * silently undelayed. Returns a function that removes the rule, then the delayer.
   */
  async delay(name: string, ms: number, queue = 7): Promise<() => void> {
    const rule = ['OUTPUT', '-o', 'eth0', '-j', 'NFQUEUE', '--queue-num', String(queue)];
    const [bin, ...args] = this.wrap(name, [PYTHON, DELAYER, String(queue), String(ms)]);
    const p = spawn(bin!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    this.#delayers.push(p);
    await new Promise<void>((res, rej) => {
      p.once('exit', (code) => rej(new Error(`nfqueue-delay.py exited with ${code} before it was ready`)));
      p.stdout!.once('data', () => res());
    });
    this.exec(name, ['iptables', '-A', ...rule]);
    return () => {
      this.exec(name, ['iptables', '-D', ...rule]);
      p.kill();
    };
  }

  /** Removes every delayer, namespace (with its processes, iptables rules and links) and the bridge; never throws. */
  cleanup(): void {
    for (const p of this.#delayers) if (p.exitCode === null) p.kill('SIGKILL');
    NetLab.#remove(this.tag);
  }

  /** Removes the labs of test processes that died without cleaning up (their registry pid is gone). */
  static sweep(): void {
    const entries = existsSync(REGISTRY) ? readdirSync(REGISTRY) : [];
    for (const tag of entries) {
      const pid = Number(readFileSync(join(REGISTRY, tag), 'utf8'));
      if (!alive(pid)) NetLab.#remove(tag);
    }
  }

  /** Kills what runs in lab `tag`'s namespaces, then deletes them, its links and its registry entry. */
  static #remove(tag: string): void {
    const quiet = (...args: string[]) => {
      try {
        return ip(...args);
      } catch {
        return ''; // already gone
      }
    };
    const namespaces = quiet('netns', 'list').split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(`qsign-${tag}-`));
    for (const ns of namespaces) {
      for (const pid of quiet('netns', 'pids', ns).split('\n').filter(Boolean)) if (alive(Number(pid))) process.kill(Number(pid), 'SIGKILL');
      quiet('netns', 'del', ns);
    }
    const links = quiet('-o', 'link', 'show').split('\n').map((l) => l.split(': ')[1]?.split('@')[0] ?? '').filter((n) => n.startsWith(`qs${tag}`));
    for (const link of links) quiet('link', 'del', link);
    rmSync(join(REGISTRY, tag), { force: true });
  }
}

/** True if process `pid` exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Issue 12 target 4: `qsign agent` (docs/agent.md). A real cluster with its
 * agent (as `qsign cluster up` starts it), the real thin Node `sign`, the
 * native C `sign` compiled here, raw garbage on the real socket; signatures
 * checked by gpg and rpmkeys, refusals by the nodes' own policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createPublicKey, verify } from 'node:crypto';
import { join } from 'node:path';
import { NATIVE_SIGN_SOURCE, encodeRequest, Program } from '@qsign/agent';
import { QSIGN_BIN, alive, clusterDown, startClusterAgent } from '@qsign/devcluster';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { SIGN_BIN } from './helpers/qsign-cli.js';
import { requireTools } from './helpers/tools.js';
import { buildRpm, tempDir } from '../packages/rpm/src/__tests__/fixtures.js';

const REFUSED_KEY = 'vault@copr.fedorahosted.org';
let c: TestCluster;
let dir: string;
let env: NodeJS.ProcessEnv;
let native: string;
let gnupg: string;

const run = (cmd: string, args: string[], o: { input?: string | Uint8Array; env?: NodeJS.ProcessEnv; cwd?: string } = {}) => {
  const r = spawnSync(cmd, args, { env: { ...env, ...o.env }, input: o.input, cwd: o.cwd, timeout: 170_000 });
  return { status: r.status, stdout: r.stdout?.toString('utf8') ?? '', stderr: r.stderr?.toString('utf8') ?? '', raw: r.stdout };
};
const thin = (args: string[], o: Parameters<typeof run>[2] = {}) => run(process.execPath, [SIGN_BIN, ...args], o);
const agentLog = () => readFileSync(c.file.agent!.log, 'utf8');
const gpgVerify = (sig: string, file: string) => run('gpg', ['--homedir', gnupg, '--verify', sig, file]);

/** Sends raw bytes to the agent socket and collects whatever it answers until it closes. */
function raw(bytes: Uint8Array, halfClose = true): Promise<string> {
  return new Promise((done) => {
    const s = connect(c.file.agent!.address);
    const got: Buffer[] = [];
    s.on('data', (d) => got.push(d));
    s.on('error', () => undefined);
    s.on('close', () => done(Buffer.concat(got).toString('latin1')));
    s.on('connect', () => {
      s.write(bytes);
      if (halfClose) s.end();
    });
  });
}

beforeAll(async () => {
  requireTools('gpg', 'cc', 'rpmbuild', 'rpmkeys');
  c = await TestCluster.start({
    nodes: 3,
    threshold: 2,
    extraKeys: [REFUSED_KEY],
    agent: true,
    nodeConfig: (_id, base) => ({ ...base, policy: { keys: [{ match: REFUSED_KEY, clients: ['copr-keygen'] }, { match: '*' }] } }),
  });
  env = { ...process.env, QSIGN_CONFIG: c.file.clientConfig };
  dir = tempDir('agent');
  native = join(dir, 'sign');
  const cc = spawnSync('cc', ['-O2', '-Wall', '-Werror', '-o', native, `-DQSIGN_NODE="${process.execPath}"`, `-DQSIGN_SIGN_JS="${SIGN_BIN}"`, NATIVE_SIGN_SOURCE], { encoding: 'utf8' });
  expect(cc.status, cc.stderr).toBe(0);
  gnupg = join(dir, 'gnupg');
  mkdirSync(gnupg, { mode: 0o700 });
  const pub = thin(['-u', 'demo', '-p']);
  expect(pub.status, pub.stderr).toBe(0);
  writeFileSync(join(dir, 'demo.asc'), pub.stdout);
  expect(run('gpg', ['--homedir', gnupg, '--import', join(dir, 'demo.asc')]).status).toBe(0);
}, 170_000);

afterAll(async () => {
  await c?.stop();
});

describe('the agent cluster up starts', () => {
  it('listens on a 0600 socket in a 0700 directory and client.json points at it', () => {
    const a = c.file.agent!;
    expect(alive(a.pid)).toBe(true);
    expect(statSync(a.address).mode & 0o777).toBe(0o600);
    expect(statSync(join(a.address, '..')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(c.file.clientConfig, 'utf8')).agent).toEqual({ socket: a.address });
  });

  it('refuses to listen in a directory others may enter', () => {
    const open = join(dir, 'shared');
    mkdirSync(open, { mode: 0o755 });
    const r = run(process.execPath, [QSIGN_BIN, 'agent', '--config', c.file.clientConfig, '--socket', join(open, 's')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/agent socket directory .*shared is mode 0755: it must be 0700/);
  });
});

describe('signing through the agent', () => {
  it('the thin Node client signs, the agent ran it, and gpg verifies the signature', () => {
    expect(thin(['--which-client']).stdout).toBe(`node-thin agent ${c.file.agent!.address}\n`);
    const f = join(dir, 'hello.txt');
    writeFileSync(f, 'hello through the agent\n');
    const r = thin(['-u', 'demo', '-D', 'hello.txt'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(agentLog()).toContain(`sign -u demo -D hello.txt (in ${dir}): exit 0`);
    const v = gpgVerify(`${f}.sig`, f);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stderr).toMatch(/Good signature/);
  });

  it('the thin clients (sign, qsign sign) load no gRPC, no noble, no commander and no client library', () => {
    const hooks = join(dir, 'hooks.mjs');
    const reg = join(dir, 'register.mjs');
    const log = join(dir, 'loaded.txt');
    writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`);
    writeFileSync(reg, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`);
    writeFileSync(join(dir, 'k.txt'), 'k\n');
    for (const argv of [[SIGN_BIN, '-u', 'demo', '-k'], [QSIGN_BIN, 'sign', '--key', 'demo', '--raw', join(dir, 'k.txt'), '-o', join(dir, 'k.sig')]]) {
      writeFileSync(log, '');
      const r = run(process.execPath, ['--import', reg, ...argv]);
      expect(r.status, r.stderr).toBe(0);
      const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      expect(loaded.some((u) => u.includes('thin-client.js'))).toBe(true);
      expect(loaded.filter((u) => /grpc|@noble|commander|\/client\/dist\/|\/proto\/dist\/|\/protocol\/dist\//.test(u))).toEqual([]);
    }
  });

  it('qsign sign goes through the agent too: --raw verifies under the pinned key, -b --armor and stdin --clearsign verify with gpg', () => {
    const f = join(dir, 'q.txt');
    writeFileSync(f, 'qsign sign through the agent\n');
    const q = (args: string[], o: Parameters<typeof run>[2] = {}) => run(process.execPath, [QSIGN_BIN, 'sign', ...args], o);
    const r = q(['--key', 'demo', '--raw', 'q.txt', '-o', 'q.raw'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(agentLog()).toContain(`qsign sign --key demo --raw q.txt -o q.raw (in ${dir}): exit 0`);
    const spki = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), c.groupKey()]), format: 'der', type: 'spki' });
    expect(verify(null, readFileSync(f), spki, readFileSync(join(dir, 'q.raw')))).toBe(true);
    expect(q(['-u', 'demo', '-b', '--armor', f]).status).toBe(0);
    expect(gpgVerify(`${f}.asc`, f).status).toBe(0);
    const clear = q(['-u', 'demo', '--clearsign'], { input: 'from stdin\n' });
    expect(clear.status, clear.stderr).toBe(0);
    writeFileSync(join(dir, 'q-clear.asc'), clear.stdout);
    expect(run('gpg', ['--homedir', gnupg, '--verify', join(dir, 'q-clear.asc')]).status).toBe(0);
    const bad = q(['--bogus']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("error: unknown option '--bogus'\n(run with --help for usage)\n");
  });

  it('the native C client signs an RPM in place (sign -4 -h sha256 -u KEY -r) and rpmkeys verifies it', () => {
    expect(run(native, ['--which-client']).stdout).toBe(`native agent ${c.file.agent!.address}\n`);
    const rpm = buildRpm(dir, { name: 'agent-pkg', version: '1.0', release: '1', buildArch: 'noarch', install: ['mkdir -p $RPM_BUILD_ROOT/usr/share/agent-pkg', 'echo x > $RPM_BUILD_ROOT/usr/share/agent-pkg/x'], files: ['/usr/share/agent-pkg'] });
    const signed = join(dir, 'signed.rpm');
    copyFileSync(rpm, signed);
    const r = run(native, ['-4', '-h', 'sha256', '-u', 'demo', '-r', signed]);
    expect(r.status, r.stderr).toBe(0);
    const db = join(dir, 'rpmdb');
    mkdirSync(db);
    expect(run('rpmkeys', ['--dbpath', db, '--import', join(dir, 'demo.asc')]).status).toBe(0);
    const v = run('rpmkeys', ['--dbpath', db, '--checksig', '-v', signed]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/Header V4 EdDSA\/SHA256 Signature, key ID [0-9a-f]+: OK/);
  });

  it('the native client: filter mode sends stdin (-c), -p prints the certificate, -d writes FILE.asc', () => {
    const clear = run(native, ['-u', 'demo', '-c'], { input: 'a line to clearsign\n' });
    expect(clear.status, clear.stderr).toBe(0);
    writeFileSync(join(dir, 'clear.asc'), clear.stdout);
    const v = run('gpg', ['--homedir', gnupg, '--verify', join(dir, 'clear.asc')]);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stderr).toMatch(/Good signature/);
    expect(run(native, ['-u', 'demo', '-p']).stdout).toBe(readFileSync(join(dir, 'demo.asc'), 'utf8'));
    const f = join(dir, 'detached.txt');
    writeFileSync(f, 'detached by the native client\n');
    expect(run(native, ['-u', 'demo', '-d', f]).status).toBe(0);
    expect(gpgVerify(`${f}.asc`, f).status).toBe(0);
  });
});

describe('what nodes refused, they still refuse', () => {
  it('a key the client may not use is refused by the nodes, with their reason, through both clients', () => {
    const f = join(dir, 'vault.txt');
    writeFileSync(f, 'not for this client\n');
    for (const client of [[process.execPath, SIGN_BIN], [native]]) {
      const r = run(client[0]!, [...client.slice(1), '-u', REFUSED_KEY, '-D', f]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/client dev-client may not use key vault@copr\.fedorahosted\.org/);
      expect(existsSync(`${f}.sig`)).toBe(false);
    }
  });

  it('a failed RPM signature leaves the file as it was and no temporary file beside it', () => {
    const sub = join(dir, 'broken');
    mkdirSync(sub);
    const f = join(sub, 'broken.rpm');
    writeFileSync(f, 'this is not an rpm');
    const r = run(native, ['-4', '-h', 'sha256', '-u', 'demo', '-r', f]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^sign: /);
    expect(readFileSync(f, 'utf8')).toBe('this is not an rpm');
    expect(readdirSync(sub)).toEqual(['broken.rpm']);
  });
});

describe('the agent refuses garbage and keeps serving', () => {
  it('oversize frames, bad versions, garbage, trailing bytes, half frames and a foreign config are refused, each with why', async () => {
    const good = encodeRequest({ program: Program.SIGN, config: c.file.clientConfig, cwd: dir, argv: ['-u', 'demo', '-k'] });
    expect(await raw(Uint8Array.of(0xff, 0xff, 0xff, 0xff))).toMatch(/frame of 4294967295 bytes is larger than the \d+-byte limit/);
    expect(await raw(Uint8Array.of(0, 0, 0, 1, 1))).toMatch(/too short for a version and a type/);
    const v2 = Uint8Array.from(good);
    v2[4] = 2;
    expect(await raw(v2)).toMatch(/wire version 2 is not supported/);
    expect(await raw(Uint8Array.from([...good, 0]))).toMatch(/more than one frame/);
    expect(await raw(good.subarray(0, good.length - 3))).toMatch(/closed inside a frame/);
    const junk = Uint8Array.from({ length: 300 }, (_, i) => (i * 7919) & 0xff);
    junk.set([0, 0, 1, 0], 0);
    expect(await raw(junk)).toMatch(/refused the request/);
    const other = join(dir, 'other.json');
    copyFileSync(c.file.clientConfig, other);
    const foreign = encodeRequest({ program: Program.SIGN, config: other, cwd: dir, argv: ['-u', 'demo', '-k'] });
    expect(await raw(foreign)).toMatch(/this agent serves .*client\.json, not .*other\.json/);
    // Still alive, still signing.
    expect(alive(c.file.agent!.pid)).toBe(true);
    expect((await raw(good)).length).toBeGreaterThan(8);
    expect(thin(['-u', 'demo', '-k']).status).toBe(0);
  });
});

describe('without an agent', () => {
  it('QSIGN_NO_AGENT=1 signs directly, as before', () => {
    expect(thin(['--which-client'], { env: { QSIGN_NO_AGENT: '1' } }).stdout).toBe('node-direct\n');
    const f = join(dir, 'direct.txt');
    writeFileSync(f, 'signed without the agent\n');
    const direct = thin(['-u', 'demo', '-D', f], { env: { QSIGN_NO_AGENT: '1' } });
    expect(direct.status, direct.stderr).toBe(0);
    expect(direct.stderr).toBe('');
    expect(gpgVerify(`${f}.sig`, f).status).toBe(0);
  });

  it('a stopped agent: both clients say so and sign directly; the agent starts again', async () => {
    const a = c.file.agent!;
    process.kill(a.pid, 'SIGTERM');
    await waitFor(() => !alive(a.pid), 30_000, 'the agent to stop');
    expect(existsSync(a.address)).toBe(false);
    const f = join(dir, 'fallback.txt');
    writeFileSync(f, 'signed while the agent was down\n');
    for (const client of [[process.execPath, SIGN_BIN], [native]]) {
      const r = run(client[0]!, [...client.slice(1), '-u', 'demo', '-D', f]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe(`sign: no agent answers on ${a.address}; signing directly\n`);
      expect(gpgVerify(`${f}.sig`, f).status).toBe(0);
    }
    await startClusterAgent(c.dir, c.file);
    expect(run(native, ['--which-client']).stdout).toBe(`native agent ${a.address}\n`);
  });

  it('cluster down stops the agent and removes its socket', async () => {
    await clusterDown(c.dir);
    expect(alive(c.file.agent!.pid)).toBe(false);
    expect(existsSync(c.file.agent!.address)).toBe(false);
    expect(run(native, ['--which-client']).stdout).toBe(`node-direct (agent ${c.file.agent!.address} not answering)\n`);
  });
});

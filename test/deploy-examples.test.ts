/**
 * The example configs in deploy/ are production configs: they pass the
 * daemons' own validation, carry mutual TLS, pinned peers, a policy and
 * officers, and no development field. Development fields are refused
 * outside `"development": true`, naming the file, line and field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QSIGN_BIN } from '@qsign/devcluster';
import { validateNodeConfig } from '@qsign/node';
import { loadCoordinatorConfig } from '@qsign/coordinator';
import { isQsignError } from '@qsign/protocol';

const DEVELOPMENT_FIELDS = ['development', 'masterKeyFile', 'insecurePlaintext'];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qsign-deploy-'));
  writeFileSync(join(dir, 'master.key'), '11'.repeat(32) + '\n', { mode: 0o600 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Validation error message of a node config, or undefined. */
function nodeConfigError(raw: unknown): string | undefined {
  try {
    validateNodeConfig(raw, join(dir, 'node.json'));
    return undefined;
  } catch (e) {
    expect(isQsignError(e, 'CONFIG')).toBe(true);
    return (e as Error).message;
  }
}

describe('deploy examples', () => {
  it('node.json validates with TLS, pinned peers, a policy and officers, and no development field; a broken copy names the field', () => {
    const raw = JSON.parse(readFileSync('deploy/examples/node.json', 'utf8'));
    const cfg = validateNodeConfig(raw, 'deploy/examples/node.json');
    expect(cfg.nodeId).toBe(1);
    expect(cfg.clients[0]!.name).toBe('copr-backend');
    expect(DEVELOPMENT_FIELDS.filter((f) => f in raw)).toEqual([]);
    expect(cfg.development).toBe(false);
    expect(cfg.masterKeyFile).toBeUndefined();
    expect(cfg.transport.kind).toBe('mtls');
    expect(cfg.coordinators).toEqual(['coordinator-a']);
    expect(cfg.peers.map((p) => p.id)).toEqual([2, 3, 4, 5]);
    expect(cfg.peers.every((p) => p.address && p.verifierKey && p.enrollmentKey)).toBe(true);
    expect(cfg.policy?.rules.length).toBeGreaterThan(0);
    expect(raw.officers.every((o: { name: string; publicKey: string }) => o.name && /^[0-9a-f]{64}$/.test(o.publicKey))).toBe(true);
    expect(nodeConfigError({ ...raw, clients: [{ name: 'x', publicKey: 'zz' }] })).toMatch(/node\.json: field "clients\[0\]\.publicKey"/);
    // The RSA keygen dealer is stated, not defaulted: only node 1 may hold a whole new RSA key.
    expect(cfg.lifecycle.rsaDealers).toEqual([1]);
    expect(nodeConfigError({ ...raw, lifecycle: { rsaDealers: [9] } })).toMatch(/node\.json: field "lifecycle\.rsaDealers\[0\]": node 9 is neither this node nor a peer/);
    expect(nodeConfigError({ ...raw, lifecycle: { rsaDealer: true } })).toMatch(/node\.json: field "lifecycle\.rsaDealer": unknown field \(known: hold, minThreshold, holdExpirySeconds, rsaDealers\)/);
  });

  it('coordinator.json validates with TLS and no development field', () => {
    const raw = JSON.parse(readFileSync('deploy/examples/coordinator.json', 'utf8'));
    expect(DEVELOPMENT_FIELDS.filter((f) => f in raw)).toEqual([]);
    const cfg = loadCoordinatorConfig('deploy/examples/coordinator.json');
    expect(cfg.nodes).toHaveLength(5);
    expect(cfg.transport.kind).toBe('mtls');
  });

  it('refuses a node config without TLS, and plaintext outside development or off loopback', () => {
    const raw = JSON.parse(readFileSync('deploy/examples/node.json', 'utf8'));
    const { tls: _, ...noTls } = raw;
    expect(nodeConfigError(noTls)).toMatch(/field "tls": is required/);
    expect(nodeConfigError({ ...noTls, insecurePlaintext: true })).toMatch(/field "insecurePlaintext": is a development setting: refused unless the config says "development": true/);
    expect(nodeConfigError({ ...noTls, insecurePlaintext: true, development: true })).toMatch(/field "listen": must be a loopback address with "insecurePlaintext"/);
    expect(nodeConfigError({ ...noTls, insecurePlaintext: true, development: true, listen: '127.0.0.1:7101' })).toMatch(/field "peers\[0\]\.address": must be a loopback address/);
    expect(nodeConfigError({ ...raw, tls: { ...raw.tls, coordinators: [] } })).toMatch(/field "tls\.coordinators": must name at least one coordinator/);
    expect(nodeConfigError({ ...raw, consoleListen: '0.0.0.0:7181' })).toMatch(/field "consoleListen": is plain HTTP: it must be a loopback address/);
  });

  it('a node with masterKeyFile and no "development": true refuses to start with file:line: field: reason', () => {
    const path = join(dir, 'node.json');
    const config = { nodeId: 1, listen: '127.0.0.1:0', dataDir: 'data', insecurePlaintext: true, masterKeyFile: 'master.key', clients: [] };
    writeFileSync(path, JSON.stringify(config, null, 2) + '\n');
    const r = spawnSync(process.execPath, [QSIGN_BIN, 'node', 'start', '--config', path], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).not.toBe(0);
    const line = JSON.stringify(config, null, 2).split('\n').findIndex((l) => l.includes('"masterKeyFile"')) + 1;
    expect(r.stderr).toContain(`${path}:${line}: field "masterKeyFile": keeps the master key on disk beside the data: refused unless the config says "development": true`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // one line, no stack trace
  });
});

/**
 * Issue #6 acceptance 5: an invalid policy stops the real node binary at
 * start with the file, the line, the field and the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QSIGN_BIN } from '@qsign/devcluster';

let dir: string;
const CLIENT = 'a'.repeat(64);

function start(config: unknown, raw?: string): { status: number | null; stderr: string; path: string } {
  const path = join(dir, `node-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(path, raw ?? JSON.stringify(config, null, 2));
  const r = spawnSync(process.execPath, [QSIGN_BIN, 'node', 'start', '--config', path], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stderr: r.stderr, path };
}

const base = (policy: unknown) => ({
  nodeId: 1,
  listen: '127.0.0.1:0',
  dataDir: 'data',
  development: true,
  insecurePlaintext: true,
  masterKeyFile: 'master.key',
  adminSocket: 'admin.sock',
  clients: [{ name: 'copr', publicKey: CLIENT }],
  policy,
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qsign-policy-'));
  writeFileSync(join(dir, 'master.key'), '11'.repeat(32) + '\n', { mode: 0o600 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an invalid policy stops the node at start', () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['unknown client name', { keys: [{ match: '*', clients: ['copr', 'mallory'] }] }, 'policy.keys[0].clients[1]', /"mallory" is not the name of a configured client/],
    ['unknown payload kind', { keys: [{ match: '*' }, { match: 'x', payloadKinds: ['rpm-header', 'pdf'] }] }, 'policy.keys[1].payloadKinds[1]', /unknown payload kind "pdf"/],
    ['bad approval mode', { keys: [{ match: '*', approval: 'sometimes' }] }, 'policy.keys[0].approval', /must be "auto", "hold" or "hold-if"/],
    ['bad rate limit', { keys: [{ match: '*', rateLimit: { perClientPerHour: -3 } }] }, 'policy.keys[0].rateLimit.perClientPerHour', /must be an integer from 1/],
    ['misspelt field', { keys: [{ match: '*', rpmName: ['foo-*'] }] }, 'policy.keys[0].rpmName', /unknown field/],
  ];
  for (const [what, policy, field, reason] of cases) {
    it(`${what}: exit code 1, file:line, field and reason on stderr`, () => {
      const r = start(base(policy));
      expect(r.status, r.stderr).toBe(1);
      const text = JSON.stringify(base(policy), null, 2).split('\n');
      const leaf = field.replace(/.*[.[]/, '').replace(/\]$/, '');
      // The line the message names really holds the offending field or value.
      const m = new RegExp(`${r.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+): field "${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`).exec(r.stderr);
      expect(m, r.stderr).not.toBeNull();
      const line = text[Number(m![1]) - 1]!;
      expect(/^\d+$/.test(leaf) ? line.length > 0 : line.includes(`"${leaf}"`), `line ${m![1]}: ${line}`).toBe(true);
      expect(r.stderr).toMatch(reason);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }
  it('broken JSON names the line too', () => {
    const r = start(undefined, '{\n  "nodeId": 1,\n  "policy": { "keys": [ { "match": "*", } ] }\n}\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\.json:3: not valid JSON/);
  });
});

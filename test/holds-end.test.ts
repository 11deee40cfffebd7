/**
 * Issue 16 item 8: `sign -r` and `qsign rpm sign` say that they wait for
 * operator approval; and a hold ends when its request does — on the nodes
 * that were not needed once the request was signed, and on every node once
 * it was abandoned — so approving it afterwards says it is over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { requireTools } from './helpers/tools.js';
import { qsign } from './helpers/operator.js';
import { SIGN_BIN } from './helpers/qsign-cli.js';
import { QSIGN_BIN } from '@qsign/devcluster';
import { buildRpm, tempDir } from '../packages/rpm/src/__tests__/fixtures.js';

/** Runs a binary in the background, collecting its output. */
function background(bin: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  child.stdout.on('data', () => undefined);
  return { stderr: () => err, done: new Promise<number | null>((r) => child.on('exit', (code) => r(code))) };
}

describe('holds end with their request', () => {
  let c: TestCluster;
  let rpm: string;
  let second: string;
  const cfg = (id: number) => c.file.nodes.find((n) => n.id === id)!.config;
  const pending = (id: number): string[] => {
    const r = qsign(['pending', '--node-config', cfg(id)]);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/)[0]!);
  };
  const onePending = async (id: number): Promise<string> => {
    await waitFor(() => pending(id).length === 1, 60_000, `a pending hold on node ${id}`);
    return pending(id)[0]!;
  };

  beforeAll(async () => {
    requireTools('rpmbuild');
    c = await TestCluster.start({ nodes: 3, threshold: 2, nodeConfig: (_id, base) => ({ ...base, policy: { keys: [{ match: '*', approval: 'hold' }] } }) });
    const dir = tempDir('holds-end');
    rpm = buildRpm(dir, { name: 'qsign-holds-end', install: ['mkdir -p $RPM_BUILD_ROOT/usr/share/he', 'echo hi > $RPM_BUILD_ROOT/usr/share/he/hi'], files: ['/usr/share/he/hi'] });
    second = join(dir, 'second.rpm');
    copyFileSync(rpm, second);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('sign -r says it waits; once two operators approved, the third hold is over and approving it says so', async () => {
    const s = background(SIGN_BIN, ['-4', '-h', 'sha256', '-u', 'demo', '-r', rpm], { QSIGN_CONFIG: c.file.clientConfig });
    await waitFor(() => /waiting for approval from node/.test(s.stderr()), 60_000, 'sign -r to say it waits');
    expect(s.stderr()).toMatch(/^sign: .*qsign-holds-end.*: waiting for approval from nodes? [0-9, ]+ — need 2/m);
    const [h1, h2, h3] = [await onePending(1), await onePending(2), await onePending(3)];
    expect(qsign(['approve', h1, '--node-config', cfg(1)]).status).toBe(0);
    expect(qsign(['approve', h2, '--node-config', cfg(2)]).status).toBe(0);
    expect(await s.done).toBe(0);
    expect(pending(3)).toEqual([]);
    const late = qsign(['approve', h3, '--node-config', cfg(3)]);
    expect(late.stderr).toMatch(new RegExp(`hold ${h3} is over: signed by nodes 1, 2 without this node \\(coordinator dev-coordinator\\); there is nothing left to approve`));
    expect(late.status).not.toBe(0);
    expect((await c.audit(3)).some((a) => a.event === 'hold-ended' && a.holdId === h3 && a.previousStatus === 'pending')).toBe(true);
  }, 180_000);

  it('qsign rpm sign says it waits; once the request is abandoned, every remaining hold is over', async () => {
    const s = background(QSIGN_BIN, ['rpm', 'sign', '--key', 'demo', second, '--config', c.file.clientConfig]);
    await waitFor(() => /waiting for approval from node/.test(s.stderr()), 60_000, 'rpm sign to say it waits').catch((e) => {
      throw new Error(`${(e as Error).message}; it said: ${s.stderr()}`);
    });
    expect(s.stderr()).toMatch(/^qsign: .*second\.rpm: waiting for approval from nodes? [0-9, ]+ — need 2/m);
    const [h1, h2, h3] = [await onePending(1), await onePending(2), await onePending(3)];
    expect(qsign(['deny', h1, '--reason', 'not this one', '--node-config', cfg(1)]).status).toBe(0);
    expect(qsign(['deny', h2, '--reason', 'not this one either', '--node-config', cfg(2)]).status).toBe(0);
    expect(await s.done).not.toBe(0);
    expect(pending(3)).toEqual([]);
    const late = qsign(['approve', h3, '--node-config', cfg(3)]);
    expect(late.stderr).toMatch(new RegExp(`hold ${h3} is over: abandoned by the coordinator: `));
    expect(late.status).not.toBe(0);
  }, 180_000);
});

/**
 * A daemon that dies while a dev cluster starts ends the health wait at once, naming it
 * and quoting its log, instead of a bare "did not become healthy within 60 s" a minute later.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, waitHealthy } from '../cluster.js';

describe('waitHealthy', () => {
  it('stops at once when a watched daemon has exited, with the tail of its log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qsign-wait-'));
    const log = join(dir, 'node-2.log');
    writeFileSync(log, 'starting\nerror: listen EADDRINUSE: address already in use 127.0.0.1:1\n');
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const pid = Number(gone.stdout.trim());
    const err = await waitHealthy(`127.0.0.1:${await freePort()}`, 3, 30_000, { kind: 'insecure' }, [{ label: 'node 2', pid, log }]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(`node 2 (pid ${pid}) exited while the cluster was starting`);
    expect((err as Error).message).toContain('EADDRINUSE');
  });
});

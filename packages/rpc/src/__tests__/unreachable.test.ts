/** Issue 16 item 9: an unreachable peer is reported as one cause and what to check, without grpc-js debris. */
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isQsignError, type QsignError } from '@qsign/protocol';
import { CoordinatorRpcClient, NodeAdminRpcClient } from '../index.js';

/** A loopback port nothing listens on (taken from the OS, then released). */
function closedPort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('unreachable peers', () => {
  it('a refused TCP connection names the address and what to check, once', async () => {
    const port = await closedPort();
    const c = new CoordinatorRpcClient(`127.0.0.1:${port}`, { kind: 'insecure' });
    try {
      const e = await failure(c.clusterStatus(5000));
      expect(isQsignError(e, 'NODE_UNAVAILABLE')).toBe(true);
      expect((e as QsignError).details).toEqual({ transport: true, notSent: true }); // never sent: callers may retry it (coordinator keys.ts)
      expect(e.message).toBe(`coordinator at 127.0.0.1:${port} is unreachable: nothing is listening at 127.0.0.1:${port}; is it running, and is that its address?`);
    } finally {
      c.close();
    }
  });

  it('a missing operator socket names the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qsign-sock-'));
    const sock = join(dir, 'admin.sock');
    const c = new NodeAdminRpcClient(sock);
    try {
      const e = await failure(c.status(5000));
      expect(e.message).toMatch(/is unreachable: no socket at .*admin\.sock; is it running, and is that its socket path\?$/);
      expect(e.message).not.toMatch(/No connection established|Last error|Resolution note/);
    } finally {
      c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

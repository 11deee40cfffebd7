/** Issue 16 item 9: an unreachable peer is reported as one cause and what to check, without grpc-js debris. */
import { describe, expect, it } from 'vitest';
import { connect, createServer, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isQsignError, type QsignError } from '@qsign/protocol';
import { HealthClient } from '@qsign/proto';
import { CHANNEL_OPTIONS, CoordinatorRpcClient, NodeAdminRpcClient, ServingStatus, callUnary, channelCredentials, healthService, startServer } from '../index.js';

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

  it('a call the peer received before the connection dropped is not taken as never sent (no retry of work it may have done)', async () => {
    // The client talks to the server through a TCP relay; while the server handles the second call, the relay cuts the connection.
    const sockets: Socket[] = [];
    let calls = 0;
    const s = await startServer([healthService(() => (++calls > 1 && sockets.forEach((x) => x.destroy()), ServingStatus.SERVING))], '127.0.0.1:0', { kind: 'insecure' });
    const relay = createServer((down) => {
      const up = connect(s.port, '127.0.0.1');
      sockets.push(down, up);
      down.pipe(up).pipe(down);
      down.on('error', () => undefined);
      up.on('error', () => undefined);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const address = `127.0.0.1:${(relay.address() as { port: number }).port}`;
    const c = new HealthClient(address, channelCredentials({ kind: 'insecure' }, address), CHANNEL_OPTIONS);
    try {
      await callUnary(c, c.check, { service: '' }, 5000, 'peer');
      const e = await failure(callUnary(c, c.check, { service: '' }, 5000, 'peer'));
      expect(calls).toBe(2);
      expect(isQsignError(e, 'NODE_UNAVAILABLE')).toBe(true);
      expect((e as QsignError).details?.notSent).toBeUndefined();
    } finally {
      c.close();
      relay.close();
      s.server.forceShutdown();
    }
  });
});

/**
 * The hand-written grpc.health.v1 service against a real grpc-js server and
 * the generated client: Check, NOT_FOUND for unknown services, and Watch
 * streaming the current status and then each change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { HealthClient, type HealthCheckResponse } from '@qsign/proto';
import { CHANNEL_OPTIONS, ServingStatus, channelCredentials, checkHealth, healthService, startServer, stopServer, type TransportSecurity } from '../index.js';

/** An in-process server and client on loopback: development plaintext. */
const PLAIN: TransportSecurity = { kind: 'insecure' };

describe('grpc.health.v1', () => {
  let server: grpc.Server | undefined;
  let address: string;
  let serving = true;
  beforeAll(async () => {
    const s = await startServer([healthService((name) => (name === '' || name === 'demo.v1.Thing' ? (serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING) : undefined))], '127.0.0.1:0', PLAIN);
    server = s.server;
    address = `127.0.0.1:${s.port}`;
  });
  afterAll(async () => {
    if (server) await stopServer(server);
  });

  it('Check answers the current status of a known service', async () => {
    serving = true;
    expect(await checkHealth(address, '', 5000, PLAIN)).toBe(ServingStatus.SERVING);
    serving = false;
    expect(await checkHealth(address, 'demo.v1.Thing', 5000, PLAIN)).toBe(ServingStatus.NOT_SERVING);
  });

  it('Check refuses an unknown service with NOT_FOUND', async () => {
    const c = new HealthClient(address, channelCredentials(PLAIN, address), CHANNEL_OPTIONS);
    const err = await new Promise<grpc.ServiceError | null>((resolve) => c.check({ service: 'no.such.Service' }, (e) => resolve(e)));
    c.close();
    expect(err?.code).toBe(grpc.status.NOT_FOUND);
  });

  it('Watch sends the status at once, then each change; SERVICE_UNKNOWN for an unknown service', async () => {
    serving = true;
    const c = new HealthClient(address, channelCredentials(PLAIN, address), CHANNEL_OPTIONS);
    try {
      const seen: ServingStatus[] = [];
      const stream = c.watch({ service: '' });
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (r: HealthCheckResponse) => {
          seen.push(r.status);
          if (seen.length === 1) serving = false; // the next poll reports the change
          if (seen.length === 2) resolve();
        });
        stream.on('error', (e: grpc.ServiceError) => (e.code === grpc.status.CANCELLED ? undefined : reject(e)));
      });
      stream.cancel();
      expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
      const unknown = c.watch({ service: 'no.such.Service' });
      unknown.on('error', () => undefined);
      const first = await new Promise<HealthCheckResponse>((resolve) => unknown.once('data', resolve));
      unknown.cancel();
      expect(first.status).toBe(ServingStatus.SERVICE_UNKNOWN);
    } finally {
      c.close();
    }
  });
});

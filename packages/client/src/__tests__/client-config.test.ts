/**
 * client.json: one `coordinator` or a `coordinators` failover list, with
 * one-line errors naming the file and field.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClientConfig } from '../client-config.js';

const KEY = '11'.repeat(32);
/** TLS file names (only parsed here, never read). */
const TLS = { ca: 'ca.crt', cert: 'client.crt', key: 'client.key' };
const write = (o: unknown): string => {
  const p = join(mkdtempSync(join(tmpdir(), 'qsign-client-')), 'client.json');
  writeFileSync(p, JSON.stringify(o));
  return p;
};

describe('client config', () => {
  it('reads one coordinator as a list of one', () => {
    const c = loadClientConfig(write({ coordinator: '127.0.0.1:7300', secretKey: KEY, tls: TLS }));
    expect(c.coordinator).toBe('127.0.0.1:7300');
    expect(c.coordinators).toEqual(['127.0.0.1:7300']);
  });

  it('reads several coordinators in failover order, the first as `coordinator`', () => {
    const c = loadClientConfig(write({ coordinators: ['a.example:7300', 'b.example:7300', 'a.example:7300'], secretKey: KEY, tls: TLS }));
    expect(c.coordinators).toEqual(['a.example:7300', 'b.example:7300']);
    expect(c.coordinator).toBe('a.example:7300');
  });

  it('refuses an empty or malformed list, and both fields at once', () => {
    expect(() => loadClientConfig(write({ coordinators: [], secretKey: KEY, tls: TLS }))).toThrow(/field "coordinators" must be a non-empty list of host:port/);
    expect(() => loadClientConfig(write({ coordinators: ['no-port'], secretKey: KEY, tls: TLS }))).toThrow(/"coordinators"/);
    expect(() => loadClientConfig(write({ coordinator: 'a:1', coordinators: ['b:2'], secretKey: KEY, tls: TLS }))).toThrow(/either "coordinator" or "coordinators"/);
    expect(() => loadClientConfig(write({ secretKey: KEY, tls: TLS }))).toThrow(/field "coordinator" must be host:port/);
  });
});

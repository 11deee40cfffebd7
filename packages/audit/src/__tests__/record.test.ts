import { describe, expect, it } from 'vitest';
import { type AuditRecord, canonicalJson, decodeRecord, encodeRecord } from '../index.js';
import { code } from './helpers.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

const signed: AuditRecord = {
  seq: 7,
  timeMs: 1_700_000_000_123,
  event: 'signed',
  requestId: 'req-1',
  clientId: 'copr-backend',
  keyName: 'copr/@group/project',
  keyFingerprint: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  payloadKind: 'rpm-header',
  digest: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  digestAlgorithm: 'sha256',
  fileName: 'hello-2.12-1.fc40.x86_64.rpm',
  rpm: {
    name: 'hello',
    epoch: 0,
    version: '2.12',
    release: '1.fc40',
    arch: 'x86_64',
    sourceRpm: 'hello-2.12-1.fc40.src.rpm',
    buildHost: 'builder-1',
    buildTime: 1_700_000_000,
    payloadDigest: 'ab'.repeat(32),
    payloadDigestAlgorithm: 'sha256',
    fileDigestAlgorithm: 'sha256',
    files: [{ path: '/usr/bin/hello', digest: 'cd'.repeat(32), size: 12345, mode: 0o100755 }],
  },
  decision: 'allow',
  approvedBy: ['alice'],
  details: { 'zeta': 1, 'alpha': ['x', true], 'ünïcode': 'ok' },
};

describe('canonical JSON', () => {
  it('sorts keys by UTF-16 code units, drops undefined, adds no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, 'x'], c: undefined, '\u00e9': 0, Z: 2 })).toBe('{"Z":2,"a":[true,"x"],"b":1,"é":0}');
  });
  it('refuses values with more than one representation', () => {
    for (const v of [1.5, -0, 2 ** 53, null, 1n, new Uint8Array(1), new Date(0), '\ud800', [undefined]]) {
      expect(code(() => canonicalJson(v)), String(v)).toBe('invalid-argument');
    }
  });
});

describe('audit records', () => {
  it('encodes deterministically whatever the key order, and round-trips', () => {
    const reversed = Object.fromEntries(Object.entries(signed).reverse()) as unknown as AuditRecord;
    const a = encodeRecord(signed);
    expect(encodeRecord(reversed)).toEqual(a);
    expect(decodeRecord(a)).toEqual(signed);
    expect(dec(a).startsWith('{"approvedBy":["alice"],"clientId":"copr-backend","decision":"allow","details":{"alpha":["x",true],"zeta":1,"ünïcode":"ok"}')).toBe(true);
  });

  it('omits undefined fields', () => {
    const r = { seq: 0, timeMs: 1, event: 'started', reason: undefined } as AuditRecord;
    expect(dec(encodeRecord(r))).toBe('{"event":"started","seq":0,"timeMs":1}');
  });

  it('refuses non-canonical bytes: whitespace, key order, escapes, duplicates', () => {
    const canonical = '{"event":"started","seq":0,"timeMs":1}';
    expect(decodeRecord(enc(canonical)).event).toBe('started');
    for (const s of [
      '{"event":"started", "seq":0,"timeMs":1}',
      '{"seq":0,"event":"started","timeMs":1}',
      '{"event":"st\\u0061rted","seq":0,"timeMs":1}',
      '{"event":"started","seq":0,"seq":0,"timeMs":1}',
      '{"event":"started","seq":0,"timeMs":1.0}',
      '{"event":"started","seq":0,"timeMs":1}\n',
    ]) {
      expect(code(() => decodeRecord(enc(s))), s).toBe('non-canonical-record');
    }
  });

  it('refuses malformed shapes', () => {
    for (const s of [
      '{"event":"started","seq":0}',
      '{"event":"exploded","seq":0,"timeMs":1}',
      '{"event":"started","seq":-1,"timeMs":1}',
      '{"event":"started","extra":1,"seq":0,"timeMs":1}',
      '{"digest":"ABCD","event":"signed","seq":0,"timeMs":1}',
      '{"digest":"abc","event":"signed","seq":0,"timeMs":1}',
      '{"event":"started","reason":"","seq":0,"timeMs":1}',
      '{"event":"started","reason":null,"seq":0,"timeMs":1}',
      '{"decision":"maybe","event":"started","seq":0,"timeMs":1}',
      '{"event":"signed","rpm":{"name":"x"},"seq":0,"timeMs":1}',
      '{"__proto__":{"x":1},"event":"started","seq":0,"timeMs":1}',
      '[1]',
      'not json',
    ]) {
      expect(code(() => decodeRecord(enc(s))), s).toBe('malformed-record');
    }
    expect(code(() => decodeRecord(Uint8Array.of(0x7b, 0xff, 0x7d)))).toBe('malformed-record');
    expect(code(() => encodeRecord({ ...signed, timeMs: 1.5 }))).toBe('malformed-record');
    expect(code(() => encodeRecord({ ...signed, details: { x: 0.5 } }))).toBe('malformed-record');
  });
});

/**
 * What a node checks before it signs: opaque digests only for digest-only
 * keys, RPM headers parsed by the node itself, and thousands of mutated
 * headers that only ever give a clear MALFORMED_REQUEST.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { isQsignError, simpleSigningPayload, type SignRequest } from '@qsign/protocol';
import { canonicalFileList, packageInfo, readRpm } from '@qsign/rpm';
import { assertAuditRecord } from '@qsign/audit';
import { buildRecord } from '@qsign/storage';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { hostileRpmHeader } from '../../../../test/helpers/rpm-header.js';
import { buildRpm, readBytes, rpmQuery, standardSpecs, tempDir } from '../../../rpm/src/__tests__/fixtures.js';
import { AUDIT_FILE_LIST_LIMITS, describePublished, inspectPayload, rpmFacts } from '../payload.js';

const req = (over: Partial<SignRequest>): SignRequest => ({
  requestId: 'r1',
  keyName: 'k',
  createdAtMs: 1,
  kind: 'openpgp',
  data: new Uint8Array(10),
  openpgp: { signatureType: 0, hashAlgorithm: 'sha256', createdUnixSeconds: 1_700_000_000 },
  clientName: 'c',
  ...over,
});

function code(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (!isQsignError(e)) throw e;
    return e.code;
  }
}

describe('inspectPayload: opaque digests', () => {
  it('refuses a digest request for a key not listed in digestOnlyKeys', () => {
    expect(code(() => inspectPayload(req({ kind: 'digest', data: new Uint8Array(32) }), { digestOnlyKeys: [] }))).toBe('POLICY_REFUSED');
    expect(code(() => inspectPayload(req({ kind: 'digest', data: new Uint8Array(32) }), { digestOnlyKeys: ['other'] }))).toBe('POLICY_REFUSED');
  });
  it('allows a digest request for a digest-only key and records the digest apart from the digest signed', () => {
    // `digest` is the record's digest of the message signed (crosscheck joins on it): the client's digest must not take its place.
    expect(inspectPayload(req({ kind: 'digest', data: new Uint8Array(32).fill(0xab) }), { digestOnlyKeys: ['k'] })).toEqual({ digestOnly: true, opaqueDigest: 'ab'.repeat(32) });
  });
  it('refuses raw data the size of a hash value (an opaque digest in disguise)', () => {
    for (const n of [20, 28, 32, 48, 64]) expect(code(() => inspectPayload(req({ kind: 'raw', data: new Uint8Array(n) }), { digestOnlyKeys: [] }))).toBe('POLICY_REFUSED');
    for (const n of [0, 1, 33, 65, 1000]) expect(inspectPayload(req({ kind: 'raw', data: new Uint8Array(n) }), { digestOnlyKeys: [] })).toEqual({});
  });
});

describe('inspectPayload: published artifacts', () => {
  const enc = (t: string) => new TextEncoder().encode(t);
  it('records the revision and every metadata file of a repomd request; refuses a DOCTYPE', () => {
    const xml = `<repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>7</revision><data type="primary"><checksum type="sha256">${'c'.repeat(64)}</checksum><location href="repodata/p.xml.gz"/></data></repomd>`;
    expect(inspectPayload(req({ kind: 'repomd', data: enc(xml) }), { digestOnlyKeys: [] })).toEqual({
      repomd: { revision: '7', data: [{ type: 'primary', location: 'repodata/p.xml.gz', checksum: { type: 'sha256', value: 'c'.repeat(64) } }] },
    });
    expect(code(() => inspectPayload(req({ kind: 'repomd', data: enc(`<!DOCTYPE x>${xml}`) }), { digestOnlyKeys: [] }))).toBe('MALFORMED_REQUEST');
  });
  it('shows operators what the node read for held repomd and container requests, not the client claim', () => {
    const facts = { reference: 'registry.example/proj/app:1', digest: `sha256:${'d'.repeat(64)}` };
    const claims = { fileName: 'harmless.txt', size: 1, sha256: new Uint8Array(32) };
    expect(describePublished(req({ kind: 'container', data: simpleSigningPayload(facts), claims }))).toBe(`registry.example/proj/app:1 = sha256:${'d'.repeat(64)}`);
    expect(describePublished(req({ kind: 'repomd', data: enc('<x/>'), claims }))).toMatch(/^\(repomd payload does not parse: repomd.xml refused: root element is <x>/);
    expect(describePublished(req({ kind: 'openpgp', claims }))).toBeUndefined();
  });
  it('records reference and digest of a container request; refuses an unknown critical member', () => {
    const facts = { reference: 'registry.example/proj/app:1', digest: `sha256:${'d'.repeat(64)}` };
    expect(inspectPayload(req({ kind: 'container', data: simpleSigningPayload(facts) }), { digestOnlyKeys: [] })).toEqual({ container: facts });
    const extra = new TextDecoder().decode(simpleSigningPayload(facts)).replace('"type":', '"x":1,"type":');
    expect(code(() => inspectPayload(req({ kind: 'container', data: enc(extra) }), { digestOnlyKeys: [] }))).toBe('MALFORMED_REQUEST');
  });
});

describe('inspectPayload: RPM headers', () => {
  let dir: string;
  let paths: string[];
  beforeAll(() => {
    dir = tempDir('payload');
    paths = standardSpecs().map((s) => buildRpm(dir, s));
  }, 120_000);

  it('records NEVRA, payload digest and files as parsed from the header', () => {
    for (const p of paths) {
      const facts = inspectPayload(req({ kind: 'rpm-header', data: readRpm(readBytes(p)).mainHeader }), { digestOnlyKeys: [] }).rpm as ReturnType<typeof rpmFacts>;
      expect(facts.nevra).toBe(rpmQuery(dir, p, '%{NAME}-%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}.%{ARCH}'));
      expect(facts.payloadDigest).toBe(rpmQuery(dir, p, '%{PAYLOADDIGEST}'));
      expect(facts.fileCount).toBe(Number(rpmQuery(dir, p, '[%{FILENAMES}\n]').trim().split('\n').length));
      // Every entry when the list fits the record's budget; else the first that fit, marked truncated.
      const json = packageInfo(readRpm(readBytes(p)).mainHeader).files.reduce((n, f) => n + JSON.stringify({ path: f.path, size: f.size, mode: f.mode, digest: f.digest }).length + 1, 0);
      if (json <= AUDIT_FILE_LIST_LIMITS.maxBytes && facts.fileCount <= AUDIT_FILE_LIST_LIMITS.maxFiles) {
        expect(facts.files?.length).toBe(facts.fileCount);
        expect(facts.filesTruncated).toBeUndefined();
      } else {
        expect(facts.files!.length).toBeLessThan(facts.fileCount);
        expect(facts.filesTruncated).toBe(true);
      }
      expect(facts.filesSummary?.count).toBe(facts.fileCount);
      expect(() => assertAuditRecord({ seq: 0, timeMs: 0, event: 'signed', rpm: facts })).not.toThrow();
    }
  });

  it('records a hostile header (31 KB, one long dirname, 1,000 files) in under 64 KiB, with the count and digest of the full list and the truncation marked', () => {
    const header = hostileRpmHeader();
    expect(header.length).toBeGreaterThan(30_000);
    expect(header.length).toBeLessThan(32_768);
    const facts = rpmFacts(header);
    const { bytes, record } = buildRecord({ event: 'signed', rpm: facts }, 0, 1);
    expect(bytes.length).toBeLessThan(64 * 1024);
    expect(record.rpm).toMatchObject({ name: 'hostile', fileCount: 1000, filesTruncated: true, filesSummary: { count: 1000, digest: bytesToHex(sha256(canonicalFileList(packageInfo(header).files))) } });
  });

  it('records a short package whose one path is over the path cap by count and digest, leaving that path out and marking the list truncated', () => {
    const header = hostileRpmHeader({ files: 2 });
    const facts = rpmFacts(header);
    const long = packageInfo(header).files.filter((f) => f.path.length > AUDIT_FILE_LIST_LIMITS.maxPath);
    expect(long.length).toBeGreaterThan(0);
    expect(facts.files?.some((f) => f.path.length > AUDIT_FILE_LIST_LIMITS.maxPath) ?? false).toBe(false);
    expect(facts.filesTruncated).toBe(true);
    expect(facts.filesSummary?.count).toBe(2);
  });

  it('refuses a text-mode (0x01) signature over an RPM header', () => {
    const data = readRpm(readBytes(paths[0]!)).mainHeader;
    expect(code(() => inspectPayload(req({ kind: 'rpm-header', data, openpgp: { signatureType: 1, hashAlgorithm: 'sha256', createdUnixSeconds: 1 } }), { digestOnlyKeys: [] }))).toBe('MALFORMED_REQUEST');
  });

  it('3000 mutated and random headers: facts or MALFORMED_REQUEST, never another error', () => {
    const headers = paths.map((p) => readRpm(readBytes(p)).mainHeader);
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const base = headers[i % headers.length]!;
      let b: Uint8Array;
      if (i % 10 === 0) b = new Uint8Array(randomBytes(1 + (i % 700)));
      else {
        b = base.slice();
        const flips = 1 + (i % 6);
        for (let j = 0; j < flips; j++) {
          const at = i % 3 === 0 ? Math.floor(Math.random() * Math.min(b.length, 16 + 16 * 20)) : Math.floor(Math.random() * b.length);
          b[at] = Math.floor(Math.random() * 256);
        }
        if (i % 7 === 0) b = b.subarray(0, Math.floor(Math.random() * b.length));
      }
      const c = code(() => rpmFacts(b));
      if (c !== undefined) {
        expect(c).toBe('MALFORMED_REQUEST');
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(300);
  });
});

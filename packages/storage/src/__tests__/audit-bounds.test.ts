/**
 * Bounded audit (issue 9 finding 4): a record stays under 64 KiB whatever an
 * entry holds, and a page of records stays under 4 MiB whatever the records
 * hold, so a reader (GetRecords, Node.ReadAudit) never meets gRPC's limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { MAX_RECORD_BYTES, decodeRecord } from '@qsign/audit';
const MAX_PAGE_BYTES = 4 * 1024 * 1024;
import { AuditLogService, AuditNotary, LogStore, Sealer, buildRecord, loadOrCreateIdentity } from '../index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');

describe('bounded audit records', () => {
  it('keeps a record under 64 KiB whatever the entry holds, naming what it cut', () => {
    const reason = 'x'.repeat(1_000_000);
    const huge = 'é'.repeat(3_000_000);
    const { bytes, record } = buildRecord({
      event: 'refused',
      code: 'MALFORMED_REQUEST',
      reason,
      fileName: 'f'.repeat(100_000),
      files: Array.from({ length: 100_000 }, (_, i) => `/usr/share/${'d'.repeat(200)}/${i}`),
      nested: { deeper: { huge } },
    }, 0, 1);
    expect(bytes.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(decodeRecord(bytes)).toEqual(record);
    expect(record.reason).toContain(`1000000 characters, sha256 ${sha256hex(reason)}`);
    const files = record.details!.files as string[];
    expect(files.at(-1)).toBe('…[truncated: 100000 items]');
  });

  it('replaces details that would still be too large by their size and digest', () => {
    // 200 fields of 4,000 characters each: every field is under the string cap, all of them are not.
    const entry: Record<string, unknown> = { event: 'started' };
    for (let i = 0; i < 200; i++) entry[`f${i}`] = String(i).repeat(4000).slice(0, 4000);
    const { bytes, record } = buildRecord(entry as { event: string }, 0, 1);
    expect(bytes.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(record.details!.detailsTruncated).toMatchObject({ bytes: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((record.details!.detailsTruncated as { bytes: number }).bytes).toBeGreaterThan(800_000);
  });
});

describe('bounded audit pages', () => {
  it('serves pages of at most 4 MiB and a walk reads every record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qsign-bounds-'));
    dirs.push(dir);
    const store = await LogStore.open(dir, new Sealer(new Uint8Array(randomBytes(32))));
    try {
      const notary = await AuditNotary.open(store.audit, await loadOrCreateIdentity(store, 'qsign-node-1'));
      const service = new AuditLogService(store.audit, notary);
      // 150 records of ~40 KiB: 6 MiB in all, more than one page.
      const entries = Array.from({ length: 150 }, (_, i) => ({ event: 'started', i, blob: Array.from({ length: 10 }, (_, j) => `${i}-${j}-`.padEnd(4000, 'z')) }));
      for (let i = 0; i < entries.length; i += 50) await store.audit.appendMany(entries.slice(i, i + 50));
      const seen: number[] = [];
      let pages = 0;
      for (let from = 0; from < store.audit.size; pages++) {
        const page = await service.records(from, 10_000);
        const bytes = page.records.reduce((n, r) => n + r.record.length, 0);
        expect(bytes).toBeLessThanOrEqual(MAX_PAGE_BYTES);
        expect(page.records.length).toBeGreaterThan(0);
        seen.push(...page.records.map((r) => r.index));
        from = page.records.at(-1)!.index + 1;
      }
      expect(pages).toBeGreaterThan(1);
      expect(seen).toEqual(entries.map((_, i) => i));
    } finally {
      await store.close();
    }
  });
});

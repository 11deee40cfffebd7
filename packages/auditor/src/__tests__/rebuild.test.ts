import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { AuditRecord } from '@qsign/audit';
import { boundedFileList, canonicalFileList, type PackageInfo, type RpmFileEntry } from '@qsign/rpm';
import { compareRebuild, type FetchedLog } from '../index.js';

const files = (n: number, change?: number): RpmFileEntry[] =>
  Array.from({ length: n }, (_, i) => ({ path: `/usr/share/big/f${String(i).padStart(5, '0')}`, size: 10 + i, mode: 0o100644, digest: bytesToHex(sha256(new TextEncoder().encode(`${i}${i === change ? 'x' : ''}`))) }));
const info = (list: RpmFileEntry[]): PackageInfo => ({ name: 'big', version: '1', release: '1', arch: 'noarch', buildHost: 'h', buildTime: 1, fileDigestAlgo: 8, files: list }) as unknown as PackageInfo;

/** A node log holding one 'signed' record of package `big` with the file list a node records (payload.ts limits). */
function nodeLog(id: number, list: RpmFileEntry[], maxFiles = 1024): FetchedLog {
  const b = boundedFileList(list, { maxFiles, maxBytes: 32 * 1024, maxPath: 256 });
  const rpm = { name: 'big', version: '1', release: '1', arch: 'noarch', nevra: 'big-1-1.noarch', fileDigestAlgorithm: 'sha256', fileCount: b.count, files: b.files, ...(b.truncated && { filesTruncated: true }), filesSummary: { count: b.count, digest: b.sha256 } };
  const record = { seq: 0, timeMs: 1_700_000_000_000, event: 'signed', requestId: 'r1', keyName: 'k', rpm } as unknown as AuditRecord;
  return { target: { name: `node-${id}`, id, address: '', verifierKey: '' }, records: [{ index: 0, bytes: new Uint8Array(), record }], checkpoints: [], damaged: '', cosigned: '', witnessed: [] };
}

describe('compareRebuild over node logs', () => {
  it('a package too large to list whole: the digest of the whole list tells identical from changed, and a change among the listed files is named', () => {
    const signed = files(3000);
    const logs = [nodeLog(1, signed), nodeLog(2, signed)];
    const same = compareRebuild(logs, info(files(3000)));
    expect(same.builds).toHaveLength(1);
    expect(same.builds[0]!.signed.truncated).toBe(true);
    expect(same.builds[0]!.signed.recordedBy).toEqual([1, 2]);
    expect(same.builds[0]).toMatchObject({ identical: true, differences: [], unlistedDiffer: false });
    const listedChange = compareRebuild(logs, info(files(3000, 3)));
    expect(listedChange.builds[0]!.differences.map((d) => d.path)).toEqual(['/usr/share/big/f00003']);
    // A change beyond the listed entries is detected by the digest, and said to be among the unlisted files.
    const unlisted = compareRebuild(logs, info(files(3000, 2999)));
    expect(unlisted.builds[0]).toMatchObject({ identical: false, differences: [], unlistedDiffer: true });
    expect(bytesToHex(sha256(canonicalFileList(files(3000))))).toBe(same.builds[0]!.signed.listDigest);
  });

  it('nodes that recorded different file lists for one request are reported', () => {
    const r = compareRebuild([nodeLog(1, files(5)), nodeLog(2, files(5, 1))], info(files(5)));
    expect(r.disagreements).toEqual(['r1']);
  });

  it('the coordinator log (id 0) is not a source of file lists', () => {
    expect(compareRebuild([nodeLog(0, files(5))], info(files(5))).builds).toEqual([]);
  });
});

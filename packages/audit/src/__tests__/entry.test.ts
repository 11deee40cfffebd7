import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, holdDecidedEntry, refusedEntry, signedEntry, withDetails, type AuditRecord } from '../index.js';

const stamp = (e: object): AuditRecord => decodeRecord(encodeRecord({ ...e, seq: 0, timeMs: 1 } as AuditRecord));

describe('one audit vocabulary', () => {
  it('a signed record of a digest-only key keeps the message hash as digest; the opaque digest stays a detail', () => {
    const r = stamp(signedEntry({ clientId: 'copr' }, { digest: 'aa'.repeat(32), dataSha256: 'bb'.repeat(32), signers: [1, 2] }, { digestOnly: true, opaqueDigest: 'cc'.repeat(32) }));
    expect(r.digest).toBe('aa'.repeat(32));
    expect(r.digestAlgorithm).toBe('sha256');
    expect(r.details).toEqual({ digestOnly: true, opaqueDigest: 'cc'.repeat(32) });
  });
  it('names the client clientId in every record that has one (the console "who" column reads it)', () => {
    const ctx = withDetails({ clientId: 'copr', keyName: 'k' }, { rule: 'r1' });
    expect(stamp(refusedEntry(ctx, 'POLICY_REFUSED', 'no')).clientId).toBe('copr');
    const d = stamp(holdDecidedEntry({ holdId: 'h1', requestId: 'q', keyName: 'k', clientId: 'copr' }, true, 'alice', ''));
    expect(d).toMatchObject({ event: 'hold-approved', clientId: 'copr', details: { operator: 'alice', holdId: 'h1' } });
  });
});

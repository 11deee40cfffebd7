import { describe, expect, it } from 'vitest';
import { makeVerifierKey } from '@qsign/audit';
import { QsignError } from '@qsign/protocol';
import { auditPeers, parsePeers, pinnedEnrollmentKey } from '../peers.js';

const bad = (field: string, why: string): never => {
  throw new QsignError('CONFIG', `field "${field}": ${why}`);
};
const vkey = makeVerifierKey('qsign-node-2.abcd1234', new Uint8Array(32).fill(7));
const enroll = 'ab'.repeat(32);

describe('node config peers (one list for audit witnessing and DKG/reshare enrollment keys)', () => {
  it('accepts audit-only, enrollment-only and combined entries and splits them by use', () => {
    const peers = parsePeers([{ id: 2, address: '127.0.0.1:7402', verifierKey: vkey, enrollmentKey: enroll }, { id: 3, enrollmentKey: enroll }, { id: 4, address: 'h:1', verifierKey: vkey }], bad);
    expect(auditPeers(peers).map((p) => p.id)).toEqual([2, 4]);
    expect(pinnedEnrollmentKey(peers, 3)).toBe(enroll);
    expect(pinnedEnrollmentKey(peers, 4)).toBeUndefined();
  });
  it('refuses entries with clear field errors', () => {
    expect(() => parsePeers([{ id: 2 }], bad)).toThrow(/peers\[0\]": needs verifierKey .* or enrollmentKey/);
    expect(() => parsePeers([{ id: 2, verifierKey: vkey }], bad)).toThrow(/peers\[0\].address": is required with verifierKey/);
    expect(() => parsePeers([{ id: 2, enrollmentKey: 'XY' }], bad)).toThrow(/peers\[0\].enrollmentKey": must be a 32-byte X25519 key/);
    expect(() => parsePeers([{ id: 2, enrollmentKey: enroll }, { id: 2, enrollmentKey: enroll }], bad)).toThrow(/peers\[1\].id": duplicate peer id 2/);
    expect(() => parsePeers({}, bad)).toThrow(/"peers": must be a list/);
  });
});

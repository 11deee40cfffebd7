import { describe, expect, it } from 'vitest';
import { validateNodeConfig } from '../config.js';
import { enrolledNodes, lifecycleSigner, minDkgThreshold } from '../roles.js';
import { policyHash } from '../policy-audit.js';

const clientKey = '11'.repeat(32);
const keygenKey = '22'.repeat(32);
const officerKey = '33'.repeat(32);
const enroll = 'ab'.repeat(32);
const base = {
  nodeId: 1,
  listen: '127.0.0.1:7401',
  dataDir: 'data',
  development: true,
  insecurePlaintext: true,
  clients: [{ name: 'copr', publicKey: clientKey }, { name: 'copr-keygen', publicKey: keygenKey, permissions: ['keygen'] }],
  officers: [{ name: 'alice', publicKey: officerKey }],
  peers: [2, 3, 4, 5].map((id) => ({ id, enrollmentKey: enroll })),
};

describe('roles: officers, the keygen permission and lifecycle holds in the node config', () => {
  it('holds reshare and retire by default; an officer may start any lifecycle operation, a signing client none', () => {
    const cfg = validateNodeConfig(base);
    expect(cfg.lifecycle.hold).toEqual(['reshare', 'retire']);
    expect(lifecycleSigner(cfg, officerKey, 'reshare')).toEqual({ role: 'officer', name: 'alice' });
    expect(lifecycleSigner(cfg, officerKey, 'dkg')).toEqual({ role: 'officer', name: 'alice' });
    expect(lifecycleSigner(cfg, clientKey, 'reshare')).toMatch(/client copr is a signing client; a reshare must be signed by an officer/);
    expect(lifecycleSigner(cfg, clientKey, 'dkg')).toMatch(/client copr may not start a DKG/);
    expect(lifecycleSigner(cfg, keygenKey, 'dkg')).toEqual({ role: 'keygen-client', name: 'copr-keygen' });
    expect(lifecycleSigner(cfg, keygenKey, 'reshare')).toMatch(/copr-keygen is a signing client/);
    expect(lifecycleSigner(cfg, '44'.repeat(32), 'reshare')).toMatch(/is not an officer of this node/);
  });
  it('bounds a DKG by every enrolled node and a majority threshold unless lifecycle.minThreshold says more', () => {
    const cfg = validateNodeConfig(base);
    expect(enrolledNodes(cfg)).toEqual([1, 2, 3, 4, 5]);
    expect(minDkgThreshold(cfg)).toBe(3);
    expect(minDkgThreshold(validateNodeConfig({ ...base, lifecycle: { minThreshold: 4, hold: [] } }))).toBe(4);
    expect(validateNodeConfig({ ...base, lifecycle: { hold: [] } }).lifecycle.hold).toEqual([]);
  });
  it('a change of officers or lifecycle bounds changes the audited policy hash', () => {
    const h = policyHash(validateNodeConfig(base));
    expect(policyHash(validateNodeConfig(base))).toBe(h);
    expect(policyHash(validateNodeConfig({ ...base, officers: [{ name: 'mallory', publicKey: '55'.repeat(32) }] }))).not.toBe(h);
    expect(policyHash(validateNodeConfig({ ...base, lifecycle: { hold: [] } }))).not.toBe(h);
    expect(policyHash(validateNodeConfig({ ...base, clients: [{ name: 'copr', publicKey: clientKey }, { name: 'copr-keygen', publicKey: keygenKey }] }))).not.toBe(h);
  });
  it('refuses role fields with clear field errors', () => {
    expect(() => validateNodeConfig({ ...base, officers: [{ name: 'x', publicKey: clientKey }] })).toThrow(/"officers\[0\].publicKey": is also a signing client key/);
    expect(() => validateNodeConfig({ ...base, officers: [{ name: 'x', publicKey: 'AB' }] })).toThrow(/"officers\[0\].publicKey": must be a 32-byte Ed25519 public key/);
    expect(() => validateNodeConfig({ ...base, clients: [{ name: 'c', publicKey: clientKey, permissions: ['reshare'] }] })).toThrow(/"clients\[0\].permissions\[0\]": unknown permission "reshare"/);
    expect(() => validateNodeConfig({ ...base, lifecycle: { hold: ['dkg'] } })).toThrow(/"lifecycle.hold\[0\]": unknown operation "dkg"/);
    expect(() => validateNodeConfig({ ...base, lifecycle: { minThreshold: 1 } })).toThrow(/"lifecycle.minThreshold": must be an integer of at least 2/);
    expect(() => validateNodeConfig({ ...base, lifecycle: { holdReshare: true } })).toThrow(/"lifecycle.holdReshare": unknown field/);
  });
});

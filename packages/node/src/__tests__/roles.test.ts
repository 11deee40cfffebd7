import { describe, expect, it } from 'vitest';
import { validateNodeConfig } from '../config.js';
import { enrolledNodes, lifecycleSigner, minDkgThreshold, rsaDealerProblem } from '../roles.js';
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

describe('lifecycle.rsaDealers: which nodes may hold a new RSA key whole (issue 11, "a dealer node chosen by policy")', () => {
  it('allows no dealer by default, so a node with no rsaDealers neither deals nor accepts a dealt RSA key, and says what to configure', () => {
    const cfg = validateNodeConfig(base);
    expect(cfg.lifecycle.rsaDealers).toBeUndefined();
    expect(rsaDealerProblem(cfg, 1)).toBe("RSA keygen refused: this node may not be the dealer of a new RSA key (the dealer holds the whole key; this node's lifecycle.rsaDealers allows none (absent or []), so it takes part in no RSA keygen): set the coordinator's keygenDealerNode to a node that every node's lifecycle.rsaDealers allows");
    expect(rsaDealerProblem(cfg, 2)).toMatch(/^RSA keygen refused: dealer node 2 is not one this node accepts .*lifecycle.rsaDealers allows none \(absent or \[\]\)/);
  });
  it('deals only if its own id is listed and accepts shares only from a listed dealer', () => {
    const one = validateNodeConfig({ ...base, lifecycle: { rsaDealers: [1] } });
    expect(rsaDealerProblem(one, 1)).toBeUndefined();
    expect(rsaDealerProblem(one, 2)).toBe("RSA keygen refused: dealer node 2 is not one this node accepts (the dealer holds the whole key; this node's lifecycle.rsaDealers lists node 1): set the coordinator's keygenDealerNode to a node that every node's lifecycle.rsaDealers allows (this node allows 1)");
    const three = validateNodeConfig({ ...base, lifecycle: { rsaDealers: [5, 3] } });
    expect(three.lifecycle.rsaDealers).toEqual([3, 5]);
    expect(rsaDealerProblem(three, 3)).toBeUndefined();
    expect(rsaDealerProblem(three, 1)).toMatch(/^RSA keygen refused: this node may not be the dealer of a new RSA key .*lists node 3, 5\): .*\(this node allows 3, 5\)$/);
    expect(rsaDealerProblem(validateNodeConfig({ ...base, lifecycle: { rsaDealers: [] } }), 1)).toMatch(/this node may not be the dealer/);
  });
  it('refuses anything but distinct ids of this node or a pinned peer, naming the field', () => {
    const err = (rsaDealers: unknown, peers: unknown = base.peers) => () => validateNodeConfig({ ...base, peers, lifecycle: { rsaDealers } });
    expect(err(true)).toThrow(/"lifecycle.rsaDealers": must be a list of the node ids \(this node or pinned peers: 1, 2, 3, 4, 5\) that may generate and deal a new RSA key; \[\] allows none/);
    expect(err({ 1: true })).toThrow(/"lifecycle.rsaDealers": must be a list/);
    expect(err(['1'])).toThrow(/"lifecycle.rsaDealers\[0\]": must be a node id \(a whole number\), not "1"/);
    expect(err([1.5])).toThrow(/"lifecycle.rsaDealers\[0\]": must be a node id/);
    expect(err([1, 9])).toThrow(/"lifecycle.rsaDealers\[1\]": node 9 is neither this node nor a peer whose enrollment key it pins \(1, 2, 3, 4, 5\)/);
    expect(err([2, 2])).toThrow(/"lifecycle.rsaDealers\[1\]": node 2 is listed twice/);
    // A witness-only peer (no enrollment key) is not pinned for key material: it cannot deal.
    expect(err([2], [{ id: 2, address: '127.0.0.1:7402', verifierKey: 'qsign-node-2.99650df3+80ce7a6c+ARr25Z4Pb0BpMLmBUuoFObH2QKlILlFvuw/YQzHb0hi9' }])).toThrow(/"lifecycle.rsaDealers\[0\]": node 2 is neither this node nor a peer whose enrollment key it pins \(1\)/);
  });
  it('a change of rsaDealers changes the audited policy hash', () => {
    const h = policyHash(validateNodeConfig({ ...base, lifecycle: { rsaDealers: [1] } }));
    expect(policyHash(validateNodeConfig({ ...base, lifecycle: { rsaDealers: [2] } }))).not.toBe(h);
    expect(policyHash(validateNodeConfig(base))).not.toBe(h);
  });
});

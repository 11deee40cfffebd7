import { describe, expect, it } from 'vitest';
import { QsignError, simpleSigningPayload } from '@qsign/protocol';
import { RateCounter, evaluatePolicy, globToRegExp, parsePolicy, type PolicyInput } from '../policy.js';
import { jsonLines, lineOfField } from '../json-locate.js';

const bad = (field: string, why: string): never => {
  throw new QsignError('CONFIG', `field "${field}": ${why}`, { details: { field } });
};
const clients = new Set(['copr', 'other']);
const parse = (raw: unknown) => parsePolicy(raw, clients, bad);
const input = (o: Partial<PolicyInput> = {}): PolicyInput => ({ requestId: `r${Math.random()}`, keyName: 'copr-foo', clientName: 'copr', kind: 'raw', data: new Uint8Array(4), nowMs: 1_000_000, ...o });

describe('policy parsing', () => {
  it('accepts a full rule and fills defaults', () => {
    const p = parse({ keys: [{ match: 'copr-*', clients: ['copr'], payloadKinds: ['rpm-header'], rpmNames: ['foo-*'], rateLimit: { perClientPerHour: 5 }, approval: 'hold-if', holdIf: { digestOnly: true } }, { match: '*' }] });
    expect(p.rules).toHaveLength(2);
    expect(p.rules[1]!.payloadKinds).not.toContain('digest');
    expect(p.rules[1]!.approval).toBe('auto');
  });
  for (const [raw, field] of [
    [{ keys: [] }, 'policy.keys'],
    [{ keys: [{ match: '*', clients: ['nobody'] }] }, 'policy.keys[0].clients[0]'],
    [{ keys: [{ match: '*', payloadKinds: ['pdf'] }] }, 'policy.keys[0].payloadKinds[0]'],
    [{ keys: [{ match: '*', approval: 'maybe' }] }, 'policy.keys[0].approval'],
    [{ keys: [{ match: '*', approval: 'hold-if' }] }, 'policy.keys[0].holdIf'],
    [{ keys: [{ match: '*', rateLimit: { perClientPerHour: 0 } }] }, 'policy.keys[0].rateLimit.perClientPerHour'],
    [{ keys: [{ match: '*', rpmNames: ['a b'] }] }, 'policy.keys[0].rpmNames[0]'],
    [{ keys: [{ match: '*', colour: 'red' }] }, 'policy.keys[0].colour'],
  ] as const) {
    it(`refuses an invalid ${field}`, () => {
      try {
        parse(raw);
        expect.unreachable();
      } catch (e) {
        expect((e as QsignError).details?.field).toBe(field);
      }
    });
  }
});

describe('policy decisions', () => {
  const p = parse({
    keys: [
      { match: 'copr-*', clients: ['copr'], payloadKinds: ['raw', 'rpm-header'], rpmNames: ['foo*'], rateLimit: { perClientPerHour: 2, perKeyPerHour: 3 } },
      { match: 'held', approval: 'hold' },
      { match: 'maybe', approval: 'hold-if', payloadKinds: ['raw', 'digest'], holdIf: { digestOnly: true, perHourOver: 1 } },
    ],
  });
  it('refuses a client not listed, naming the rule', () => {
    const d = evaluatePolicy(p, input({ clientName: 'other' }), new RateCounter());
    expect(d).toMatchObject({ action: 'refuse', rule: 'policy.keys[0].clients' });
  });
  it('refuses a digest where not allowed', () => {
    expect(evaluatePolicy(p, input({ kind: 'digest' }), new RateCounter())).toMatchObject({ action: 'refuse', rule: 'policy.keys[0].payloadKinds' });
  });
  it('refuses an RPM name outside the patterns, and an unreadable header', () => {
    expect(evaluatePolicy(p, input({ kind: 'rpm-header', rpmName: 'evil' }), new RateCounter())).toMatchObject({ action: 'refuse', rule: 'policy.keys[0].rpmNames' });
    expect(evaluatePolicy(p, input({ kind: 'rpm-header', rpmName: 'foobar' }), new RateCounter())).toMatchObject({ action: 'allow' });
    const d = evaluatePolicy(p, input({ kind: 'rpm-header' }), new RateCounter());
    expect(d.action === 'refuse' && d.reason).toMatch(/cannot read the package name/);
  });
  it('rate-limits per client and per key, counting each request id once', () => {
    const rates = new RateCounter();
    const go = (o: Partial<PolicyInput>) => {
      const i = input(o);
      const d = evaluatePolicy(p, i, rates);
      if (d.action !== 'refuse') rates.note(i.requestId, i.keyName, i.clientName, i.nowMs);
      return d;
    };
    expect(go({ requestId: 'a' }).action).toBe('allow');
    expect(go({ requestId: 'a' }).action).toBe('allow');
    expect(go({ requestId: 'b' }).action).toBe('allow');
    expect(go({ requestId: 'c' })).toMatchObject({ action: 'refuse', rule: 'policy.keys[0].rateLimit.perClientPerHour' });
    // An hour later the window has moved on.
    expect(go({ requestId: 'd', nowMs: 1_000_000 + 3_600_000 }).action).toBe('allow');
  });
  it('holds, and hold-if holds only when a condition is met', () => {
    expect(evaluatePolicy(p, input({ keyName: 'held' }), new RateCounter())).toMatchObject({ action: 'hold', rule: 'policy.keys[1].approval' });
    const rates = new RateCounter();
    expect(evaluatePolicy(p, input({ keyName: 'maybe', requestId: 'x' }), rates).action).toBe('allow');
    rates.note('x', 'maybe', 'copr', 1_000_000);
    expect(evaluatePolicy(p, input({ keyName: 'maybe', requestId: 'y' }), rates)).toMatchObject({ action: 'hold', rule: 'policy.keys[2].holdIf.perHourOver' });
    expect(evaluatePolicy(p, input({ keyName: 'maybe', kind: 'digest' }), new RateCounter())).toMatchObject({ action: 'hold', rule: 'policy.keys[2].holdIf.digestOnly' });
  });
  it('refuses a key no rule matches; without a policy everything is allowed', () => {
    expect(evaluatePolicy(p, input({ keyName: 'unlisted' }), new RateCounter())).toMatchObject({ action: 'refuse', rule: 'policy.keys' });
    expect(evaluatePolicy(undefined, input({ keyName: 'unlisted' }), new RateCounter()).action).toBe('allow');
  });
  it('globs anchor and escape', () => {
    expect(globToRegExp('a.b*').test('a.bc')).toBe(true);
    expect(globToRegExp('a.b*').test('axbc')).toBe(false);
    expect(globToRegExp('foo').test('foobar')).toBe(false);
  });
});

describe('policy for published artifacts (repomd, container)', () => {
  const p = parse({
    keys: [
      { match: 'repo-*', payloadKinds: ['rpm-header', 'repomd'] },
      { match: 'images', payloadKinds: ['container'], containerReferences: ['registry.example/proj/*'] },
      { match: '*' },
    ],
  });
  const claim = (reference: string) => simpleSigningPayload({ reference, digest: `sha256:${'0'.repeat(64)}` });
  it('signs repository metadata only with keys whose rule allows "repomd"', () => {
    expect(evaluatePolicy(p, input({ keyName: 'repo-a', kind: 'repomd' }), new RateCounter()).action).toBe('allow');
    expect(evaluatePolicy(p, input({ keyName: 'other', kind: 'repomd' }), new RateCounter())).toMatchObject({ action: 'refuse', rule: 'policy.keys[2].payloadKinds' });
  });
  it('refuses a container reference outside the rule, naming it', () => {
    expect(evaluatePolicy(p, input({ keyName: 'images', kind: 'container', data: claim('registry.example/proj/app:1') }), new RateCounter()).action).toBe('allow');
    const d = evaluatePolicy(p, input({ keyName: 'images', kind: 'container', data: claim('registry.example/other/app:1') }), new RateCounter());
    expect(d).toMatchObject({ action: 'refuse', rule: 'policy.keys[1].containerReferences' });
    expect(d.action === 'refuse' && d.reason).toMatch(/docker reference registry\.example\/other\/app:1 is outside the allowed references registry\.example\/proj\/\*/);
    const u = evaluatePolicy(p, input({ keyName: 'images', kind: 'container', data: new TextEncoder().encode('{}') }), new RateCounter());
    expect(u.action === 'refuse' && u.reason).toMatch(/cannot read the docker reference/);
  });
  it('refuses container signatures on a node without a policy (no allowed references)', () => {
    expect(evaluatePolicy(undefined, input({ kind: 'container', data: claim('registry.example/proj/app:1') }), new RateCounter())).toMatchObject({ action: 'refuse', rule: 'policy' });
  });
  it('does not allow the publishing kinds by default, and requires containerReferences with "container"', () => {
    expect(p.rules[2]!.payloadKinds).not.toContain('repomd');
    expect(p.rules[2]!.payloadKinds).not.toContain('container');
    for (const [raw, field] of [
      [{ keys: [{ match: '*', payloadKinds: ['container'] }] }, 'policy.keys[0].containerReferences'],
      [{ keys: [{ match: '*', containerReferences: ['a/*'] }] }, 'policy.keys[0].containerReferences'],
      [{ keys: [{ match: '*', payloadKinds: ['container'], containerReferences: ['a b'] }] }, 'policy.keys[0].containerReferences[0]'],
    ] as const) {
      try {
        parse(raw);
        expect.unreachable();
      } catch (e) {
        expect((e as QsignError).details?.field).toBe(field);
      }
    }
  });
});

describe('json line locator', () => {
  const text = '{\n  "a": 1,\n  "policy": {\n    "keys": [\n      { "match": "*" },\n      {\n        "rpmNames": ["x", "y z"]\n      }\n    ]\n  }\n}\n';
  it('finds the line of nested fields', () => {
    const l = jsonLines(text);
    expect(l.get('a')).toBe(2);
    expect(l.get('policy.keys[0].match')).toBe(5);
    expect(l.get('policy.keys[1].rpmNames[1]')).toBe(7);
    expect(lineOfField(text, 'policy.keys[1].missing')).toBe(6);
  });
});

/**
 * A key operation that nodes refused fails with the nodes' reason as its code (POLICY_REFUSED
 * for a dealer policy, KEY_EXISTS…), not a generic one, and a transport failure of one node
 * does not hide another node's refusal.
 */
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { QsignError, isQsignError, signKeygenRequest } from '@qsign/protocol';
import { CoordinatorKeys, lifecycleFailureCode, type NodeKeysPort } from '../keys.js';

const q = (code: ConstructorParameters<typeof QsignError>[0]) => new QsignError(code, code.toLowerCase());

describe('lifecycleFailureCode', () => {
  it('says HELD only when every failure is a hold', () => {
    expect(lifecycleFailureCode([q('HELD'), q('HELD')])).toBe('HELD');
    expect(lifecycleFailureCode([q('HELD'), q('POLICY_REFUSED')])).toBe('POLICY_REFUSED');
  });
  it("prefers a node's decision over another node's transport failure, in node order", () => {
    expect(lifecycleFailureCode([q('NODE_UNAVAILABLE'), q('POLICY_REFUSED'), q('KEY_EXISTS')])).toBe('POLICY_REFUSED');
    expect(lifecycleFailureCode([q('KEY_EXISTS'), q('POLICY_REFUSED')])).toBe('KEY_EXISTS');
    expect(lifecycleFailureCode([q('DEADLINE'), q('NODE_UNAVAILABLE')])).toBe('DEADLINE');
    expect(lifecycleFailureCode([new Error('boom')])).toBe('SIGNING_FAILED');
  });
});

describe('CoordinatorKeys.generateKey', () => {
  it('fails with POLICY_REFUSED, naming each node, when the nodes refuse the dealer', async () => {
    const refusing = (id: number): NodeKeysPort =>
      ({
        dkgRound1: async () => {
          throw new QsignError('POLICY_REFUSED', `RSA keygen refused: dealer node 1 is not one this node accepts (node ${id})`);
        },
        close: () => undefined,
      }) as unknown as NodeKeysPort;
    const officer = ed25519.utils.randomSecretKey();
    const keys = new CoordinatorKeys([1, 2, 3].map((id) => ({ id, keys: refusing(id) })), { lookup: async () => undefined, forget: () => undefined, log: () => undefined });
    const auth = signKeygenRequest({ keyName: 'k@x.invalid', userId: 'K <k@x.invalid>', minSigners: 2, keyType: 'rsa2048' }, officer);
    const e = await keys.generateKey('k@x.invalid', 'K <k@x.invalid>', 2, auth).catch((x: unknown) => x);
    expect(isQsignError(e, 'POLICY_REFUSED'), String(e)).toBe(true);
    expect((e as Error).message).toMatch(/node 1: .*node 2: .*node 3: /);
  });
});

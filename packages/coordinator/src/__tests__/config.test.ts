/** Coordinator config: the key type and RSA dealer of new keys are validated at start. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isQsignError } from '@qsign/protocol';
import { loadCoordinatorConfig } from '../config.js';

const dir = mkdtempSync(join(tmpdir(), 'qsign-coordinator-config-'));
const write = (extra: Record<string, unknown>) => {
  const p = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, JSON.stringify({ listen: '127.0.0.1:7000', nodes: [1, 2, 3].map((id) => ({ id, address: `127.0.0.1:${7000 + id}` })), development: true, insecurePlaintext: true, ...extra }));
  return p;
};
const configError = (extra: Record<string, unknown>): string => {
  try {
    loadCoordinatorConfig(write(extra));
  } catch (e) {
    expect(isQsignError(e, 'CONFIG')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a CONFIG error');
};

describe('coordinator keygen settings', () => {
  it('reads keygenDefaultType and keygenDealerNode (absent: ed25519 and the lowest node, decided at keygen)', () => {
    expect(loadCoordinatorConfig(write({ keygenDefaultType: 'rsa4096', keygenDealerNode: 2 }))).toMatchObject({ keygenDefaultType: 'rsa4096', keygenDealerNode: 2 });
    const plain = loadCoordinatorConfig(write({}));
    expect(plain.keygenDefaultType).toBeUndefined();
    expect(plain.keygenDealerNode).toBeUndefined();
  });

  it('refuses an unknown default type and a dealer that is not a configured node, saying what is accepted', () => {
    expect(configError({ keygenDefaultType: 'rsa1024' })).toMatch(/field "keygenDefaultType": "rsa1024" is not a key type; use one of ed25519, rsa2048, rsa3072, rsa4096/);
    expect(configError({ keygenDefaultType: 4096 })).toMatch(/field "keygenDefaultType": 4096 is not a key type/);
    expect(configError({ keygenDealerNode: 9 })).toMatch(/field "keygenDealerNode": must be the id of a configured node \(1, 2, 3\)/);
  });
});

/**
 * Whose nonce pool a call acts on (pool-owner.ts): under mutual TLS only the
 * certificate's own coordinator name, in plaintext development mode the
 * message's coordinatorId.
 */
import { describe, expect, it } from 'vitest';
import { poolOwnerProblem } from '../pool-owner.js';

describe('poolOwnerProblem', () => {
  const a = { role: 'coordinator' as const, name: 'coordinator-a' };
  it('accepts a coordinator acting for its own name under TLS', () => {
    expect(poolOwnerProblem(true, a, 'coordinator-a')).toBeUndefined();
  });
  it('refuses another coordinator\'s name, an empty name and callers that are no coordinator under TLS', () => {
    expect(poolOwnerProblem(true, a, 'coordinator-b')).toMatch(/claims coordinator "coordinator-b", but the caller's certificate is qsign:coordinator:coordinator-a/);
    expect(poolOwnerProblem(true, a, '')).toMatch(/claims coordinator ""/);
    expect(poolOwnerProblem(true, { role: 'node', name: '2' }, '2')).toMatch(/names no coordinator/);
    expect(poolOwnerProblem(true, undefined, 'coordinator-a')).toMatch(/names no coordinator/);
  });
  it('takes the message\'s id in plaintext development mode', () => {
    expect(poolOwnerProblem(false, undefined, 'anything')).toBeUndefined();
  });
});

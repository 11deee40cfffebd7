/**
 * The suite-wide nonce-reuse detector itself must be able to fail.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { registerSignatures } from './helpers/r-registry.js';

describe('R registry', () => {
  it('refuses a signature whose R was already recorded in this run', () => {
    const a = new Uint8Array(randomBytes(64));
    const b = Uint8Array.from(a);
    b[40] ^= 1; // same R, different S
    registerSignatures([a]);
    expect(() => registerSignatures([b])).toThrow(/nonce reuse/);
    expect(() => registerSignatures([new Uint8Array(randomBytes(64)), new Uint8Array(randomBytes(64))])).not.toThrow();
  });
});

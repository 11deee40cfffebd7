/** The replay window's refusals say which way a request is off, with a positive number of seconds. */
import { describe, expect, it } from 'vitest';
import { checkFreshness, isQsignError } from '../index.js';

function refusal(createdAtMs: number, nowMs: number): string {
  try {
    checkFreshness(createdAtMs, nowMs, 300_000);
  } catch (e) {
    if (isQsignError(e) && e.code === 'STALE_REQUEST') return e.message;
    throw e;
  }
  throw new Error('not refused');
}

describe('checkFreshness', () => {
  it('says a future-dated request was created N s in the future, N positive', () => {
    expect(refusal(1_000_000 + 3_600_000, 1_000_000)).toContain('created 3600.0 s in the future');
  });
  it('says an old request was created N s ago', () => {
    expect(refusal(1_000_000, 1_000_000 + 3_600_000)).toContain('created 3600.0 s ago');
  });
  it('admits a request inside the window either way', () => {
    expect(() => checkFreshness(1_000_000 + 299_000, 1_000_000, 300_000)).not.toThrow();
    expect(() => checkFreshness(1_000_000 - 299_000, 1_000_000, 300_000)).not.toThrow();
  });
});

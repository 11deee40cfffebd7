import { describe, expect, it } from 'vitest';
import { CLOCK_OFFSET_ENV, isQsignError, lifecycleClock } from '../index.js';

const DAY_MS = 86_400_000;

describe('lifecycle clock (the renewal loop and renewal checks read it)', () => {
  it('refuses a clock offset unless the daemon config says "development": true (production cannot be moved by a stray variable)', () => {
    let err: unknown;
    try {
      lifecycleClock({ [CLOCK_OFFSET_ENV]: '1000' }, false, 'node 1');
    } catch (e) {
      err = e;
    }
    expect(isQsignError(err, 'CONFIG')).toBe(true);
    expect(String((err as Error).message)).toMatch(/node 1: QSIGN_CLOCK_OFFSET_MS is set, .*honoured only with "development": true.*refusing to start/);
  });

  it('refuses an offset that is not a whole number of milliseconds', () => {
    for (const bad of ['1e9', '1.5', 'tomorrow', '9999999999999999'])
      expect(() => lifecycleClock({ [CLOCK_OFFSET_ENV]: bad }, true, 'coordinator c')).toThrow(/whole number of milliseconds/);
  });

  it('moves the clock by the offset in development, and is the system clock without one', () => {
    const before = Date.now();
    const moved = lifecycleClock({ [CLOCK_OFFSET_ENV]: String(3 * DAY_MS) }, true, 'node 1')();
    const plain = lifecycleClock({}, false, 'node 1')();
    const back = lifecycleClock({ [CLOCK_OFFSET_ENV]: '-5000' }, true, 'node 1')();
    const after = Date.now(); // every reading above is taken before this one
    expect(moved).toBeGreaterThanOrEqual(before + 3 * DAY_MS);
    expect(moved).toBeLessThanOrEqual(after + 3 * DAY_MS);
    expect(plain).toBeGreaterThanOrEqual(before);
    expect(plain).toBeLessThanOrEqual(after);
    expect(back).toBeGreaterThanOrEqual(before - 5000);
    expect(back).toBeLessThanOrEqual(after - 5000);
  });
});

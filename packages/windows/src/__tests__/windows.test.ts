import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WINDOW_SECONDS,
  expiringWithin,
  formatDuration,
  parseDuration,
  planRenewals,
  subkeyFor,
  subkeysCovering,
  validateWindows,
  windowAt,
  WindowError,
  WindowSchedule,
  windowsToMake,
  type WindowedSubkey,
} from '../index.js';

const DAY = 86_400;
const T = 1_800_000_000;
const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return e instanceof WindowError ? e.code : `not a WindowError: ${String(e)}`;
  }
  return 'no error';
};
const week = (i: number, id = `k${i}`): WindowedSubkey => ({ id, start: T + i * 7 * DAY, end: T + (i + 1) * 7 * DAY });

describe('durations', () => {
  it('reads s/m/h/d/w, defaults to 7 days, and refuses zero, negatives, fractions and junk', () => {
    expect([parseDuration('90s'), parseDuration('30m'), parseDuration('12h'), parseDuration('7d'), parseDuration('2w'), parseDuration('45')]).toEqual([90, 1800, 43_200, 7 * DAY, 14 * DAY, 45]);
    expect(DEFAULT_WINDOW_SECONDS).toBe(parseDuration('7d'));
    expect(formatDuration(7 * DAY)).toBe('1w');
    expect(formatDuration(90)).toBe('90s');
    for (const bad of ['0d', '-1d', '1.5d', '7x', '', 'd', '99999999999d']) expect(code(() => parseDuration(bad))).toBe('INVALID_DURATION');
  });
});

describe('window arithmetic', () => {
  it('finds the window of a time, with the end exclusive', () => {
    expect(windowAt(T, 7 * DAY, T)).toEqual({ index: 0, start: T, end: T + 7 * DAY });
    expect(windowAt(T, 7 * DAY, T + 7 * DAY - 1).index).toBe(0);
    expect(windowAt(T, 7 * DAY, T + 7 * DAY).index).toBe(1);
    expect(code(() => windowAt(T, 7 * DAY, T - 1))).toBe('NO_WINDOW');
    expect(code(() => windowAt(T, 0, T))).toBe('INVALID_DURATION');
  });

  it('refuses overlapping, backwards and zero-length windows with clear errors', () => {
    expect(code(() => validateWindows([week(0), { id: 'late', start: T + 7 * DAY - 1, end: T + 14 * DAY }]))).toBe('OVERLAPPING_WINDOWS');
    expect(code(() => validateWindows([{ id: 'b', start: T + 10, end: T }]))).toBe('BACKWARDS_WINDOW');
    expect(code(() => validateWindows([{ id: 'z', start: T, end: T }]))).toBe('EMPTY_WINDOW');
    expect(() => validateWindows([{ id: 'z', start: T, end: T }])).toThrow(/window z is empty/);
    expect(() => validateWindows([week(0), { id: 'x', start: T + DAY, end: T + 2 * DAY }])).toThrow(/windows k0 .* and x .* overlap/);
    expect(validateWindows([week(1), week(0)]).map((w) => w.id)).toEqual(['k0', 'k1']); // adjacent is fine
  });

  it('picks the subkey whose window holds the signature time; a gap or an outside time has none', () => {
    const list = [week(0), week(2)];
    expect(subkeyFor(list, T + 3 * DAY).id).toBe('k0');
    expect(subkeyFor(list, T + 14 * DAY).id).toBe('k2');
    expect(code(() => subkeyFor(list, T + 8 * DAY))).toBe('NO_WINDOW');
    expect(code(() => subkeyFor(list, T - 1))).toBe('NO_WINDOW');
  });

  it('names the subkeys a revoked range covers, and refuses a range with none or running backwards', () => {
    const list = [week(0), week(1), week(2)];
    expect(subkeysCovering(list, T + 6 * DAY, T + 8 * DAY).map((w) => w.id)).toEqual(['k0', 'k1']);
    expect(subkeysCovering(list, T + 7 * DAY, T + 14 * DAY).map((w) => w.id)).toEqual(['k1']);
    expect(code(() => subkeysCovering(list, T + 30 * DAY, T + 31 * DAY))).toBe('NO_WINDOW');
    expect(code(() => subkeysCovering(list, T + 2 * DAY, T + DAY))).toBe('BACKWARDS_WINDOW');
    expect(code(() => subkeysCovering(list, T, T))).toBe('EMPTY_WINDOW');
  });
});

describe('subkeys made ahead, on an injected clock', () => {
  it('asks for the current and next window first, then only for windows that come into reach', () => {
    let now = T + DAY;
    const s = new WindowSchedule(T, 7 * DAY, () => now);
    expect(s.current().index).toBe(0);
    expect(s.toMake([]).map((w) => w.index)).toEqual([0, 1]);
    expect(s.toMake([week(0), week(1)])).toEqual([]);
    now = T + 8 * DAY; // the clock moves into window 1: window 2 is now within one window ahead
    expect(s.current().index).toBe(1);
    expect(s.toMake([week(0), week(1)]).map((w) => w.index)).toEqual([2]);
    expect(windowsToMake(T, 7 * DAY, [], T - DAY, 0)).toEqual([]); // before the first window, nothing in reach yet
    expect(windowsToMake(T, 7 * DAY, [], T - DAY, DAY).map((w) => w.index)).toEqual([0]);
  });
});

describe('renewal planner', () => {
  const policy = { horizon: 30 * DAY, validity: 365 * DAY };
  it('renews what expires within the horizon (or has expired), leaves the rest, and is idempotent', () => {
    const items = [
      { id: 'soon', kind: 'primary' as const, expires: T + 10 * DAY },
      { id: 'later', kind: 'primary' as const, expires: T + 100 * DAY },
      { id: 'past', kind: 'subkey' as const, expires: T - DAY },
      { id: 'never', kind: 'primary' as const },
    ];
    const plan = planRenewals(items, T, policy);
    expect(plan).toEqual([
      { id: 'soon', kind: 'primary', oldExpires: T + 10 * DAY, newExpires: T + 365 * DAY, expired: false },
      { id: 'past', kind: 'subkey', oldExpires: T - DAY, newExpires: T + 365 * DAY, expired: true },
    ]);
    const applied = items.map((i) => ({ ...i, expires: plan.find((p) => p.id === i.id)?.newExpires ?? i.expires }));
    expect(planRenewals(applied, T, policy)).toEqual([]);
    expect(expiringWithin(items, T, policy.horizon).map((i) => i.id)).toEqual(['past', 'soon']);
  });

  it('refuses a policy whose validity does not exceed its horizon', () => {
    expect(code(() => planRenewals([], T, { horizon: 30 * DAY, validity: 30 * DAY }))).toBe('INVALID_ARGUMENT');
  });
});

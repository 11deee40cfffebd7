/**
 * Signing windows: a windowed key has one signing subkey per window [start, end), the
 * windows laid end to end from the key's first window start. A request is signed by the
 * subkey whose window holds its signature creation time; subkeys are made ahead of their
 * window. Times are Unix seconds; "now" is always passed in (or read from an injected
 * {@link Clock}), never read from the system here.
 */
import { check } from './errors.js';

/** Returns the current Unix time in seconds; injected so tests can move time. */
export type Clock = () => number;

/** A half-open window [start, end) in Unix seconds. */
export interface Window {
  /** 0 for the first window of the schedule. */
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

/** A subkey and the window it signs in. */
export interface WindowedSubkey {
  /** Subkey fingerprint (hex) or any stable id. */
  readonly id: string;
  readonly start: number;
  readonly end: number;
}

function expectTime(t: unknown, what: string): asserts t is number {
  check(typeof t === 'number' && Number.isSafeInteger(t) && t >= 0 && t <= 0xffffffff, 'INVALID_ARGUMENT', `${what} must be a Unix time in seconds (0..2^32-1)`);
}

function expectDuration(d: unknown): asserts d is number {
  check(typeof d === 'number' && Number.isSafeInteger(d) && d > 0, 'INVALID_DURATION', 'the window duration must be a positive whole number of seconds');
}

/** Window number `index` of the schedule starting at `start` with windows of `duration` seconds. */
export function windowNumber(start: number, duration: number, index: number): Window {
  expectTime(start, 'start');
  expectDuration(duration);
  check(Number.isSafeInteger(index) && index >= 0, 'INVALID_ARGUMENT', 'window index must be a non-negative integer');
  const s = start + index * duration;
  expectTime(s + duration, 'window end');
  return { index, start: s, end: s + duration };
}

/**
 * The window of the schedule (start, duration) that holds time `t`.
 *
 * @throws WindowError NO_WINDOW if `t` is before the first window.
 */
export function windowAt(start: number, duration: number, t: number): Window {
  expectTime(start, 'start');
  expectDuration(duration);
  expectTime(t, 'time');
  check(t >= start, 'NO_WINDOW', `time ${t} is before the first window, which starts at ${start}`);
  return windowNumber(start, duration, Math.floor((t - start) / duration));
}

/**
 * Checks a list of subkey windows: each starts before it ends (no backwards or zero-length
 * window) and no two share time. Returns them sorted by start.
 *
 * @throws WindowError BACKWARDS_WINDOW, EMPTY_WINDOW, OVERLAPPING_WINDOWS, INVALID_ARGUMENT.
 */
export function validateWindows(list: readonly WindowedSubkey[]): WindowedSubkey[] {
  check(Array.isArray(list), 'INVALID_ARGUMENT', 'windows must be an array');
  for (const w of list) {
    check(typeof w?.id === 'string' && w.id.length > 0, 'INVALID_ARGUMENT', 'every window needs a subkey id');
    expectTime(w.start, `window ${w.id} start`);
    expectTime(w.end, `window ${w.id} end`);
    check(w.end >= w.start, 'BACKWARDS_WINDOW', `window ${w.id} runs backwards: it ends (${w.end}) before it starts (${w.start})`);
    check(w.end > w.start, 'EMPTY_WINDOW', `window ${w.id} is empty: it starts and ends at ${w.start}`);
  }
  const sorted = [...list].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    check(b.start >= a.end, 'OVERLAPPING_WINDOWS', `windows ${a.id} [${a.start}, ${a.end}) and ${b.id} [${b.start}, ${b.end}) overlap`);
  }
  return sorted;
}

/**
 * The subkey whose window holds signature creation time `t`.
 *
 * @throws WindowError NO_WINDOW if none does (a gap, or before the first / after the last).
 */
export function subkeyFor(list: readonly WindowedSubkey[], t: number): WindowedSubkey {
  expectTime(t, 'signature time');
  const hit = validateWindows(list).find((w) => w.start <= t && t < w.end);
  check(hit !== undefined, 'NO_WINDOW', `no subkey's window holds time ${t}`);
  return hit;
}

/** The subkeys whose windows share time with [from, to): what `revoke-window` revokes. */
export function subkeysCovering(list: readonly WindowedSubkey[], from: number, to: number): WindowedSubkey[] {
  expectTime(from, 'from');
  expectTime(to, 'to');
  check(to > from, to === from ? 'EMPTY_WINDOW' : 'BACKWARDS_WINDOW', `the range [${from}, ${to}) is ${to === from ? 'empty' : 'backwards'}`);
  const hits = validateWindows(list).filter((w) => w.start < to && from < w.end);
  check(hits.length > 0, 'NO_WINDOW', `no subkey's window overlaps [${from}, ${to})`);
  return hits;
}

/**
 * The windows of the schedule (start, duration) that share time with [now, now + ahead] and
 * have no subkey in `existing` yet: the subkeys to make now, in order. `ahead` ≥ 0 says how
 * far ahead subkeys must exist (e.g. one window, so the next subkey is ready before it is needed).
 */
export function windowsToMake(start: number, duration: number, existing: readonly WindowedSubkey[], now: number, ahead: number): Window[] {
  const have = validateWindows(existing);
  expectTime(now, 'now');
  check(Number.isSafeInteger(ahead) && ahead >= 0, 'INVALID_ARGUMENT', 'ahead must be a non-negative number of seconds');
  const first = windowAt(start, duration, Math.max(now, start));
  const out: Window[] = [];
  for (let w = first; w.start <= now + ahead; w = windowNumber(start, duration, w.index + 1)) {
    if (!have.some((h) => h.start < w.end && w.start < h.end)) out.push(w);
  }
  return out;
}

/** A schedule (first window start, window length) read against an injected clock. */
export class WindowSchedule {
  constructor(
    /** Start of window 0. */
    readonly start: number,
    /** Window length in seconds (default 7 days in callers: DEFAULT_WINDOW_SECONDS). */
    readonly duration: number,
    /** Where "now" comes from; tests pass a movable clock. */
    readonly clock: Clock,
  ) {
    windowNumber(start, duration, 0);
    check(typeof clock === 'function', 'INVALID_ARGUMENT', 'clock must be a function returning Unix seconds');
  }
  /** The window holding the clock's now. */
  current(): Window {
    return windowAt(this.start, this.duration, this.clock());
  }
  /** The windows still needing a subkey from now to now + ahead ({@link windowsToMake}). */
  toMake(existing: readonly WindowedSubkey[], ahead: number = this.duration): Window[] {
    return windowsToMake(this.start, this.duration, existing, this.clock(), ahead);
  }
}

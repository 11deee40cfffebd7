/** Durations as operators write them (`--window 7d`). */
import { check } from './errors.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** The default window of a windowed key: 7 days (the review thread's "one every week"). */
export const DEFAULT_WINDOW_SECONDS = 7 * 86_400;

/**
 * Parses "90s", "30m", "12h", "7d" or "2w" into seconds (a bare number is seconds).
 *
 * @throws WindowError INVALID_DURATION
 * @example parseDuration('7d') // 604800
 */
export function parseDuration(text: string): number {
  check(typeof text === 'string', 'INVALID_DURATION', 'a duration must be a string such as 7d');
  const m = /^([1-9][0-9]{0,9})([smhdw]?)$/.exec(text.trim());
  check(m !== null, 'INVALID_DURATION', `duration "${text}" is not a positive whole number of s, m, h, d or w (e.g. 7d)`);
  const secs = Number(m[1]) * UNITS[m[2] || 's']!;
  check(Number.isSafeInteger(secs) && secs <= 0xffffffff, 'INVALID_DURATION', `duration "${text}" is too long`);
  return secs;
}

/** Formats seconds the way {@link parseDuration} reads them, in the largest exact unit. */
export function formatDuration(seconds: number): string {
  for (const u of ['w', 'd', 'h', 'm'] as const) if (seconds % UNITS[u]! === 0 && seconds >= UNITS[u]!) return `${seconds / UNITS[u]!}${u}`;
  return `${seconds}s`;
}

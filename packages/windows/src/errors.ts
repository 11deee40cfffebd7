/** Typed errors for @qsign/windows; callers branch on `code`. */

/** Why a window, schedule or renewal request was refused. */
export type WindowErrorCode =
  /** A duration is not a positive whole number of s, m, h, d or w. */
  | 'INVALID_DURATION'
  /** A window ends before it starts. */
  | 'BACKWARDS_WINDOW'
  /** A window starts and ends at the same time. */
  | 'EMPTY_WINDOW'
  /** Two windows share time. */
  | 'OVERLAPPING_WINDOWS'
  /** No window holds the time asked about. */
  | 'NO_WINDOW'
  /** Any other bad argument. */
  | 'INVALID_ARGUMENT';

/** The only error this package throws. */
export class WindowError extends Error {
  override readonly name = 'WindowError';
  constructor(
    readonly code: WindowErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Throws `WindowError(code, message)` unless `cond` holds. */
export function check(cond: boolean, code: WindowErrorCode, message: string): asserts cond {
  if (!cond) throw new WindowError(code, message);
}

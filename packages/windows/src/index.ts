/**
 * @qsign/windows — pure scheduling for windowed signing keys (issue 13): window
 * arithmetic and validation, which subkey signs at a given time, which subkeys to make
 * ahead, which subkeys a revoked range covers, and the expiry renewal planner.
 * No I/O; "now" comes from the caller or an injected clock.
 */
export { WindowError, type WindowErrorCode } from './errors.js';
export { DEFAULT_WINDOW_SECONDS, formatDuration, parseDuration } from './duration.js';
export { subkeyFor, subkeysCovering, validateWindows, windowAt, windowNumber, WindowSchedule, windowsToMake, type Clock, type Window, type WindowedSubkey } from './schedule.js';
export { expiringWithin, planRenewals, type Expiring, type Renewal, type RenewalPolicy } from './renewal.js';

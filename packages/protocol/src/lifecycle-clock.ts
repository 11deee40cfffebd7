/**
 * The clock lifecycle work reads (renewal of self-signatures, docs/windows.md "No accidental
 * expiry"): the system clock, or — for tests that must move time past a key's expiry — the
 * system clock plus `QSIGN_CLOCK_OFFSET_MS`. The offset is honoured only by a daemon whose
 * config says `"development": true`; with any other config a set offset is a CONFIG error
 * and the daemon refuses to start, so a stray environment variable can never move a
 * production clock silently. Only lifecycle decisions read it: request freshness, nonce
 * expiry and audit timestamps keep the system clock.
 */
import { QsignError } from './errors.js';

/** The environment variable that moves the lifecycle clock (milliseconds, may be negative). */
export const CLOCK_OFFSET_ENV = 'QSIGN_CLOCK_OFFSET_MS';

/** Milliseconds since the epoch, as lifecycle work sees them. */
export type LifecycleClock = () => number;

/**
 * The lifecycle clock of a daemon with environment `env` and config `development` flag.
 *
 * @throws QsignError CONFIG when the offset is set without `"development": true`, or is not an integer.
 */
export function lifecycleClock(env: Readonly<Record<string, string | undefined>>, development: boolean, daemon: string): LifecycleClock {
  const raw = env[CLOCK_OFFSET_ENV];
  if (raw === undefined || raw === '') return () => Date.now();
  if (!development)
    throw new QsignError('CONFIG', `${daemon}: ${CLOCK_OFFSET_ENV} is set, but it moves the lifecycle clock for tests only and is honoured only with "development": true in the config; unset it (refusing to start)`);
  if (!/^-?\d{1,15}$/.test(raw)) throw new QsignError('CONFIG', `${daemon}: ${CLOCK_OFFSET_ENV} must be a whole number of milliseconds, got ${JSON.stringify(raw.slice(0, 40))}`);
  const offset = Number(raw);
  return () => Date.now() + offset;
}

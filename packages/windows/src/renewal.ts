/**
 * Keys that never expire by accident: which self-signatures (primary 0x13) or bindings
 * (0x18) must be re-issued with a later expiry, given the time now and a warning horizon.
 * Windowed signing subkeys are NOT renewed: their expiry is their window end on purpose.
 */
import { check } from './errors.js';

/** Something with an expiry that a renewal can move. */
export interface Expiring {
  /** Key or subkey id (fingerprint hex). */
  readonly id: string;
  /** 'primary' self-signature, or a 'subkey' binding that is not windowed. */
  readonly kind: 'primary' | 'subkey';
  /** Current expiry (Unix seconds); undefined → never expires, nothing to renew. */
  readonly expires?: number;
}

/** Renewal policy. */
export interface RenewalPolicy {
  /** Renew when the expiry is at most this far away (seconds), e.g. 30 days. */
  readonly horizon: number;
  /** The new expiry is `now + validity` (seconds), e.g. 1 year. */
  readonly validity: number;
}

/** One planned renewal. */
export interface Renewal {
  readonly id: string;
  readonly kind: 'primary' | 'subkey';
  /** The expiry being replaced. */
  readonly oldExpires: number;
  /** The expiry the new self-signature / binding carries. */
  readonly newExpires: number;
  /** True if the old expiry has already passed (the key could not sign until renewed). */
  readonly expired: boolean;
}

/**
 * The renewals due at `now`: every item whose expiry is at most `policy.horizon` away (or
 * past), with a new expiry of `now + policy.validity`. Deterministic and idempotent: right
 * after the renewals are applied the same call returns nothing.
 *
 * @throws WindowError INVALID_ARGUMENT when validity does not exceed the horizon (it would renew forever).
 */
export function planRenewals(items: readonly Expiring[], now: number, policy: RenewalPolicy): Renewal[] {
  check(Number.isSafeInteger(now) && now >= 0, 'INVALID_ARGUMENT', 'now must be a Unix time in seconds');
  const { horizon, validity } = policy;
  check(Number.isSafeInteger(horizon) && horizon >= 0, 'INVALID_ARGUMENT', 'horizon must be a non-negative number of seconds');
  check(Number.isSafeInteger(validity) && validity > horizon, 'INVALID_ARGUMENT', 'validity must be longer than the horizon, or every renewal would be due again at once');
  const out: Renewal[] = [];
  for (const it of items) {
    if (it.expires === undefined) continue;
    check(Number.isSafeInteger(it.expires) && it.expires >= 0, 'INVALID_ARGUMENT', `expiry of ${it.id} must be a Unix time`);
    if (it.expires - now > horizon) continue;
    out.push({ id: it.id, kind: it.kind, oldExpires: it.expires, newExpires: now + validity, expired: it.expires <= now });
  }
  return out;
}

/** The items whose expiry is within `horizon` of `now` (for `qsign key status` warnings), soonest first. */
export function expiringWithin(items: readonly Expiring[], now: number, horizon: number): Expiring[] {
  return items.filter((i) => i.expires !== undefined && i.expires - now <= horizon).sort((a, b) => a.expires! - b.expires!);
}

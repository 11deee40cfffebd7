/**
 * A node's checks of a key renewal (docs/windows.md "No accidental expiry"): a
 * certification (0x13) of a key that already has a certificate whose self-signature
 * expires, or one that carries a new expiry, is a renewal. The node signs it only when it
 * is a genuine one: asked by a client with the `renew` permission (the coordinator's
 * renewal client), for the same key and user ID (the prepared certification already
 * binds both), newer than the stored self-signature and not dated in the future, with a
 * later expiry than the stored one, at most {@link MAX_RENEWAL_VALIDITY_SECONDS} ahead.
 * A certification without an expiry for an expiring key is refused: it would make the
 * key never expire. A client with `renew` signs nothing but renewals. Each refusal says why (POLICY_REFUSED); the signer records it.
 * The checks are the same for Ed25519 and RSA keys (an RSA key's renewed certificate keeps the
 * stored one's other packets: `rsaRenewalProblem`, certificates.ts).
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { primaryExpiry, type PrimaryExpiry } from '@qsign/openpgp';
import { QsignError, errorMessage, type SignRequest } from '@qsign/protocol';
import type { StoredKey } from '@qsign/storage';
import type { ClientPermission } from './roles.js';

/** The longest validity a renewal may give a key, counted from the node's lifecycle clock: two years. */
export const MAX_RENEWAL_VALIDITY_SECONDS = 2 * 366 * 86_400;
/** How far in the future a renewal's self-signature may be dated (clock skew between daemons). */
export const RENEWAL_SKEW_SECONDS = 300;

const when = (t: number): string => new Date(t * 1000).toISOString();
const refuse = (why: string): never => {
  throw new QsignError('POLICY_REFUSED', why);
};

/** The stored certificate's primary expiry, or undefined when the key has no certificate yet. */
export function storedExpiry(key: Pick<StoredKey, 'certificate'>): PrimaryExpiry | undefined {
  if (!key.certificate) return undefined;
  try {
    return primaryExpiry(hexToBytes(key.certificate));
  } catch (e) {
    throw new QsignError('INTERNAL', `the stored certificate does not parse: ${errorMessage(e)}`);
  }
}

/**
 * Throws POLICY_REFUSED when `req` is a certification that would renew `key` (or lift its
 * expiry) without being a genuine renewal by a client with `renew`; resolves for anything else.
 */
export function checkRenewalRequest(req: SignRequest, key: Pick<StoredKey, 'name' | 'certificate'>, client: { name: string; permissions?: readonly ClientPermission[] }, nowSeconds: number): void {
  const expires = req.openpgp?.keyExpiresUnixSeconds;
  // The renewal identity is a lifecycle identity: a stolen renewal key signs no releases.
  if (client.permissions?.includes('renew') && (req.kind !== 'certification' || expires === undefined))
    refuse(`client ${client.name} has the renew permission: it signs only renewals (a certification carrying a later expiry), not a ${req.kind} request`);
  if (req.kind !== 'certification') return;
  const stored = storedExpiry(key);
  if (!stored) return; // the first certification: stored only once every holder checked it (certificates.ts)
  if (expires === undefined) {
    if (stored.expiresUnixSeconds !== undefined) refuse(`key ${key.name} expires at ${when(stored.expiresUnixSeconds)}: a self-signature without an expiry would make it never expire; renewals carry a later expiry`);
    return;
  }
  if (stored.expiresUnixSeconds === undefined) refuse(`key ${key.name} never expires: there is nothing to renew (an expiry would only shorten it)`);
  if (!client.permissions?.includes('renew')) refuse(`client ${client.name} may not renew key ${key.name}: only a client with the renew permission (the coordinator's renewal client) can (clients[].permissions)`);
  const created = req.openpgp!.createdUnixSeconds;
  if (created <= stored.selfSignatureCreatedUnixSeconds) refuse(`a renewal of key ${key.name} must be newer than its stored self-signature of ${when(stored.selfSignatureCreatedUnixSeconds)}; this one is dated ${when(created)}`);
  if (created > nowSeconds + RENEWAL_SKEW_SECONDS) refuse(`a renewal of key ${key.name} dated ${when(created)} is in this node's future (now ${when(nowSeconds)})`);
  if (expires <= stored.expiresUnixSeconds!)
    refuse(`a renewal of key ${key.name} must move its expiry later than ${when(stored.expiresUnixSeconds!)}; this one says ${when(expires)}`);
  if (expires > nowSeconds + MAX_RENEWAL_VALIDITY_SECONDS) refuse(`a renewal of key ${key.name} may extend it at most ${MAX_RENEWAL_VALIDITY_SECONDS / 86_400} days ahead; this one says ${when(expires)}`);
}

/**
 * Why `cert` is not a genuine renewal of the stored certificate of `key` (the node already
 * checked `cert` is the key's own), or its facts for the audit record when it is.
 */
export function renewalOf(key: Pick<StoredKey, 'name' | 'certificate'>, cert: Uint8Array): { problem: string } | { old: number; expires: number; created: number } {
  const stored = storedExpiry(key);
  let next: PrimaryExpiry;
  try {
    next = primaryExpiry(cert);
  } catch (e) {
    return { problem: `the certificate does not parse: ${errorMessage(e)}` };
  }
  if (!stored) return { problem: 'the key has no certificate to renew' };
  if (stored.expiresUnixSeconds === undefined) return { problem: 'the stored certificate never expires: there is nothing to renew' };
  if (next.expiresUnixSeconds === undefined) return { problem: `a renewal must carry an expiry (the stored certificate ${stored.expiresUnixSeconds === undefined ? 'never expires' : `expires at ${when(stored.expiresUnixSeconds)}`})` };
  if (next.selfSignatureCreatedUnixSeconds <= stored.selfSignatureCreatedUnixSeconds) return { problem: `its self-signature (${when(next.selfSignatureCreatedUnixSeconds)}) is not newer than the stored one (${when(stored.selfSignatureCreatedUnixSeconds)})` };
  if (next.expiresUnixSeconds <= stored.expiresUnixSeconds) return { problem: `its expiry ${when(next.expiresUnixSeconds)} is not later than the stored ${when(stored.expiresUnixSeconds)}` };
  return { old: stored.expiresUnixSeconds, expires: next.expiresUnixSeconds, created: next.selfSignatureCreatedUnixSeconds };
}

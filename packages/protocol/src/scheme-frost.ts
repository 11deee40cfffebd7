/**
 * FROST(Ed25519, SHA-512) (RFC 9591) behind the {@link ThresholdScheme} seam:
 * nodes prepare nonce commitments ahead (§5.1), sign with the attempt's
 * commitment list (§5.2), the coordinator aggregates (§5.3), verifies once
 * with the injected verifier and blames by per-share verification (§5.4).
 */
import * as frost from '@qsign/frost';
import type { SchemeShare, SignatureVerifier, ThresholdScheme } from './scheme.js';

/** FROST(Ed25519) with `verify` (daemons pass OpenSSL's) as the independent final check. */
export function frostEd25519Scheme(verify: SignatureVerifier): ThresholdScheme {
  return {
    id: 'frost-ed25519',
    preparesAhead: true,
    sharesBoundToSet: true,
    prepare(identifier, hedge) {
      const { nonces, commitments } = frost.commit(identifier, hedge);
      return { secret: nonces, public: commitments };
    },
    checkSession(session, ownIdentifier) {
      // Canonical, not identity, prime order (RFC 9591 §6.5); decoded points are cached for signShare.
      for (const c of session) if (c.identifier !== ownIdentifier) frost.validateSigningCommitments(c);
    },
    signShare(secret, key, prepared, session, message) {
      if (!prepared) throw new frost.FrostError('INVALID_PARAMETERS', 'FROST needs the nonces of this node\'s commitment');
      return frost.signShare(secret, key.groupPublicKey, prepared, session, message);
    },
    validatePrepared: (c) => frost.validateSigningCommitments(c),
    shareProblem: (s, expected) => (s.identifier !== expected || s.share.length !== 32 ? 'answered with a malformed signature share' : undefined),
    combine: (shares, key, session, message) => frost.aggregate(shares, key.groupPublicKey, session, message),
    verify: (signature, message, key) => verify(signature, message, key.groupPublicKey),
    blame(shares: SchemeShare[], key, session, message) {
      return shares.filter((s) => !frost.verifyShare(s, key.verifyingShares.get(s.identifier)!, key.groupPublicKey, session, message)).map((s) => s.identifier);
    },
  };
}

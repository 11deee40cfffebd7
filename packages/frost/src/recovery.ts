/**
 * @qsign/frost/recovery — reconstructs the group secret from shares (Lagrange interpolation at
 * zero, RFC 9591 App. C.1 secret_share_combine). For recovery kits and import checks only: it
 * defeats the point of threshold signing, so it is a separate subpath, never re-exported by
 * the main entry point.
 */
import { equalBytes } from './bytes.js';
import { FrostError } from './errors.js';
import { assertIdentifier } from './identifier.js';
import { mulBase } from './point.js';
import { deriveInterpolatingValue } from './polynomial.js';
import { decodeScalar, encodeScalar, mod } from './scalar.js';
import type { PublicKeyPackage, SecretSigningShare } from './types.js';

export { FrostError } from './errors.js';

/**
 * RFC 9591 App. C.1 secret_share_combine: the 32-byte group secret scalar from at least
 * minSigners distinct shares. With `publicKeyPackage` the count is checked against its
 * threshold and the result against its group key (INVALID_SHARE if they disagree).
 */
export function combineShares(shares: SecretSigningShare[], publicKeyPackage?: PublicKeyPackage): Uint8Array {
  if (!Array.isArray(shares) || shares.length < 2) throw new FrostError('INVALID_PARAMETERS', 'need at least two shares');
  if (publicKeyPackage !== undefined && shares.length < publicKeyPackage.minSigners)
    throw new FrostError('INVALID_PARAMETERS', `need at least ${publicKeyPackage.minSigners} shares`);
  const xs: bigint[] = [];
  for (const s of shares) {
    assertIdentifier(s?.identifier, 'share identifier');
    if (xs.includes(BigInt(s.identifier))) throw new FrostError('DUPLICATE_IDENTIFIER', `two shares for ${s.identifier}`);
    xs.push(BigInt(s.identifier));
  }
  let secret = 0n;
  shares.forEach((s, k) => {
    secret = mod(secret + deriveInterpolatingValue(xs, xs[k]!) * decodeScalar(s.share, `share of ${s.identifier}`, true));
  });
  if (secret === 0n) throw new FrostError('INVALID_SHARE', 'shares combine to zero');
  if (publicKeyPackage !== undefined && !equalBytes(mulBase(secret).toBytes(), publicKeyPackage.groupPublicKey))
    throw new FrostError('INVALID_SHARE', 'shares do not combine to the group key');
  return encodeScalar(secret);
}

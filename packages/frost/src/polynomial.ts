/** Polynomial helpers over the scalar field (RFC 9591 §4.2 and App. C.1). */
import { FrostError } from './errors.js';
import { invert, mod } from './scalar.js';

/** RFC 9591 App. C.1 polynomial_evaluate: Horner evaluation of `coeffs` (constant term first) at x. */
export function polynomialEvaluate(x: bigint, coeffs: readonly bigint[]): bigint {
  let value = 0n;
  for (let i = coeffs.length - 1; i >= 0; i--) value = mod(value * x + coeffs[i]!);
  return value;
}

/**
 * RFC 9591 §4.2 derive_interpolating_value: the Lagrange coefficient of `xi` at 0 over
 * the participant list `xs` (which must contain `xi` and be free of duplicates and zero).
 */
export function deriveInterpolatingValue(xs: readonly bigint[], xi: bigint): bigint {
  if (new Set(xs).size !== xs.length) throw new FrostError('DUPLICATE_IDENTIFIER', 'duplicate x-coordinate');
  if (!xs.includes(xi)) throw new FrostError('INVALID_PARAMETERS', 'x-coordinate not in the participant list');
  let num = 1n;
  let den = 1n;
  for (const xj of xs) {
    if (xj === 0n) throw new FrostError('INVALID_PARAMETERS', 'x-coordinate zero');
    if (xj === xi) continue;
    num = mod(num * xj);
    den = mod(den * (xj - xi));
  }
  return mod(num * invert(den));
}

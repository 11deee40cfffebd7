/** Known-answer and cross-check test run before a native modexp backend is installed. */
import { pureBackend, type ModexpBackend } from '@qsign/threshold-rsa';

// A fixed 2048-bit odd modulus (0xc5… repeated pattern, not an RSA key) and values.
const M = (1n << 2047n) + 0x1d3f5a7c9e2b4d6f8a1c3e5b7d9f2a4c6e8b1d3f5a7c9e2b4d6f8a1c3e5b7d9fn * (1n << 1000n) + 0x5bn;
const CASES: Array<[bigint, bigint]> = [
  [0x123456789abcdef0123456789abcdefn ** 7n % M, (1n << 2100n) - 12345n],
  [M - 2n, 3n],
  [2n, M - 1n],
  [(M >> 1n) + 1n, 0x10001n],
];

/** Throws unless `backend` agrees with the pure BigInt backend on fixed cases. */
export function selfTest(backend: ModexpBackend): void {
  for (const [b, e] of CASES) {
    const want = pureBackend.modPowSecret(b, e, M);
    const got = backend.modPowSecret(b, e, M);
    if (got !== want) throw new Error(`${backend.name} modexp self-test failed`);
  }
}

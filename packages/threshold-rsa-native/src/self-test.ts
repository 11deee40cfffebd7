/** Known-answer and cross-check test run before a native modexp backend is installed. */
import { pureBackend, type ModexpBackend } from '@qsign/threshold-rsa';

// A fixed 2048-bit odd modulus (not an RSA key) and values.
const M = (1n << 2047n) + 0x1d3f5a7c9e2b4d6f8a1c3e5b7d9f2a4c6e8b1d3f5a7c9e2b4d6f8a1c3e5b7d9fn * (1n << 1000n) + 0x5bn;
/** Full-size exponents with their known answers (computed once with the pure backend and a plain square-and-multiply; the unit test recomputes them), so a daemon's start-up does not spend ~50 ms on BigInt modexp. */
export const KNOWN_ANSWERS: Array<[base: bigint, exponent: bigint, result: bigint]> = [
  [0x123456789abcdef0123456789abcdefn ** 7n % M, (1n << 2100n) - 12345n, 0x7f1dc091cb30a8c2997b0f52808b94b94f99a484f990247253bf3e18361dbd1f9bb6b9408d07119e1502ad145c320ec622944482948fb885e56147b5034be2242d3b01e6bba50146dfa554cc27d0af06f241a7d6843ef9fa293625b3d21dadacffb819023335b3b10e3062b4acb6a4cff783642936f371b4bd54253401b5c06cb12a4076749d5204534b1f2d13cd9ee4fab6b1c2c2e868e67b5529150cf150dadc994c49ba14d54a19d0ee9977d3fdcf1baa93655f86aabce31f6a4c21b7c7d8ad88e33199342a53809076133b5cc31646ff26ebc1085987bc3dcd9ce009af2a620e02db5c6fd8e9ca52345c6d7c44d2c663d09fb06d565e3831b7cfc98f9971n],
  [2n, M - 1n, 0x78be500b2aa33ab311dbfb3471b147adffd1b610cbac7a5208fe1737cbf7d56594976bc8b3150d18ceaddf443562a81441b11670df5ae0c6af2188147a4105da70bf696311371ce82f63009ff6e0da5678531598bfb5021569e6b35ffce71e0e114059f22343a1a0fdcae6cd808ba4de31f867f57fdf5a2a4026fcc0e7dda82b5c0531cdb427764114374ed22b62b24f623743cd496810e5e81f73b90dcf51a5577d0199e25c025140c85a22db651843d0a76fb4bebef4baf0dc0afecd57130fc389ac41420e605e77810656d63154432934d29184caf288f2218964cfa25baf40752c3f1e7e78d86eea3f1b1bd2cdcf724123b0ec2c02dcce66491a79dc84f4n],
];
/** Short exponents, cross-checked live against the pure backend (cheap). */
const CROSS_CHECKS: Array<[bigint, bigint]> = [
  [M - 2n, 3n],
  [(M >> 1n) + 1n, 0x10001n],
];

/** The modulus of the self-test cases (for the unit test that recomputes {@link KNOWN_ANSWERS}). */
export const SELF_TEST_MODULUS = M;

/** Throws unless `backend` gives the known answers and agrees with the pure BigInt backend on short exponents. */
export function selfTest(backend: ModexpBackend): void {
  const cases: Array<[bigint, bigint, bigint]> = [...KNOWN_ANSWERS, ...CROSS_CHECKS.map(([b, e]): [bigint, bigint, bigint] => [b, e, pureBackend.modPowSecret(b, e, M)])];
  for (const [b, e, want] of cases) if (backend.modPowSecret(b, e, M) !== want) throw new Error(`${backend.name} modexp self-test failed`);
}

/**
 * @qsign/threshold-rsa-native — node:crypto/OpenSSL adapters for @qsign/threshold-rsa: the
 * constant-time modexp backend ({@link installNativeModexp}) and a safe-prime source for new
 * keys ({@link nodeSafePrime}). Not pure: it imports node:crypto.
 */
import { generatePrime, generatePrimeSync } from 'node:crypto';
import { backendName, pureBackend, setModexpBackend, type SafePrimeSource } from '@qsign/threshold-rsa';
import { opensslDhBackend } from './openssl-dh.js';
import { selfTest } from './self-test.js';

export { opensslDhBackend } from './openssl-dh.js';
export { selfTest } from './self-test.js';

/** Options for {@link installNativeModexp}. */
export interface InstallOptions {
  /** Where the one-line outcome goes (default: stderr). */
  log?: (message: string) => void;
  /** Environment; `QSIGN_RSA_BACKEND=bigint` keeps the pure backend (default: process.env). */
  env?: Record<string, string | undefined>;
}

/**
 * Makes OpenSSL's constant-time Montgomery exponentiation (via node:crypto DH) the share
 * backend if it passes {@link selfTest}; otherwise keeps the pure BigInt one. Logs one line
 * and returns the name of the backend that runs.
 *
 * @example installNativeModexp({ log }); // "threshold-rsa modexp backend: openssl-dh"
 */
export function installNativeModexp(opts: InstallOptions = {}): string {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const env = opts.env ?? process.env;
  if (env.QSIGN_RSA_BACKEND === 'bigint') {
    setModexpBackend(pureBackend);
    log('threshold-rsa modexp backend: bigint (QSIGN_RSA_BACKEND=bigint)');
    return pureBackend.name;
  }
  try {
    const native = opensslDhBackend();
    selfTest(native);
    setModexpBackend(native);
  } catch (e) {
    log(`threshold-rsa modexp backend: bigint (pure JS, slower, not constant-time) — OpenSSL unavailable: ${e instanceof Error ? e.message : String(e)}`);
    return backendName();
  }
  log(`threshold-rsa modexp backend: ${backendName()} (OpenSSL ${process.versions.openssl} BN_mod_exp_mont_consttime)`);
  return backendName();
}

/**
 * Safe primes from OpenSSL (node:crypto generatePrimeSync with `safe: true`). Slow: on this
 * 2-core host a 1024-bit safe prime (RSA-2048) takes seconds, a 2048-bit one (RSA-4096)
 * minutes; see docs/threshold-rsa.md for measured figures.
 */
export const nodeSafePrime: SafePrimeSource = (bits) => generatePrimeSync(bits, { safe: true, bigint: true });

/**
 * {@link nodeSafePrime} off the event loop: OpenSSL's safe-prime search in libuv's thread
 * pool (node:crypto generatePrime), so a daemon dealing a new key keeps serving meanwhile.
 */
export function nodeSafePrimeAsync(bits: number): Promise<bigint> {
  return new Promise((resolve, reject) => generatePrime(bits, { safe: true, bigint: true }, (err, p) => (err ? reject(err) : resolve(p))));
}

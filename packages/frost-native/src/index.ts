/**
 * @qsign/frost-native — libsodium (sodium-native, prebuilt) group arithmetic for @qsign/frost.
 *
 * Daemons call {@link installNativeBackend} once at start-up. It loads the addon, runs a
 * self-test against the noble backend (validation of crafted edge-case points, known answers),
 * and only then switches frost's point backend; on any failure it keeps noble and says why.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { nobleBackend, pointBackend, setPointBackend, setSha512, type PointBackend } from '@qsign/frost';
import { sodiumBackend, type SodiumBackend, type SodiumEd25519 } from './sodium-backend.js';
import { selfTest } from './self-test.js';

export { sodiumBackend, type SodiumBackend, type SodiumEd25519 } from './sodium-backend.js';
export { selfTest, edgeCasePoints, SMALL_ORDER_POINTS, KNOWN_ANSWERS, type EdgeCase } from './self-test.js';

/** Options for {@link installNativeBackend}. */
export interface InstallOptions {
  /** Where the one-line outcome goes (default: stderr). */
  log?: (message: string) => void;
  /** Environment; `QSIGN_FROST_BACKEND=noble` keeps the pure backend (default: process.env). */
  env?: Record<string, string | undefined>;
}

/** Loads sodium-native and returns the libsodium backend, or throws why it cannot. */
export function loadSodiumBackend(): SodiumBackend {
  const require = createRequire(import.meta.url);
  const sodium = require('sodium-native') as SodiumEd25519;
  return sodiumBackend(sodium);
}

let installed: PointBackend | undefined;

/** OpenSSL's SHA-512 (node:crypto), as a fresh Uint8Array. */
export const opensslSha512 = (m: Uint8Array): Uint8Array => new Uint8Array(createHash('sha512').update(m).digest());

/**
 * Makes libsodium frost's point backend if the addon loads and passes {@link selfTest};
 * otherwise leaves noble in place. Logs one line either way; returns the backend's name.
 *
 * @example
 * installNativeBackend({ log }); // "frost point backend: libsodium (sodium-native)"
 */
export function installNativeBackend(opts: InstallOptions = {}): string {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const env = opts.env ?? process.env;
  if (env.QSIGN_FROST_BACKEND === 'noble') {
    setPointBackend(nobleBackend);
    setSha512(undefined);
    log('frost point backend: noble (QSIGN_FROST_BACKEND=noble)');
    return nobleBackend.name;
  }
  if (installed !== undefined && pointBackend() === installed) {
    setSha512(opensslSha512);
    log('frost point backend: libsodium (sodium-native), SHA-512: OpenSSL');
    return installed.name; // already loaded and self-tested in this process
  }
  let native: PointBackend;
  try {
    native = loadSodiumBackend();
    selfTest(native);
  } catch (e) {
    log(`frost point backend: noble (pure JS, slower) — libsodium unavailable: ${e instanceof Error ? e.message : String(e)}`);
    return pointBackend().name;
  }
  setPointBackend(native);
  installed = native;
  // H1..H5 through OpenSSL too (checked against noble's known answers by setSha512).
  setSha512(opensslSha512);
  log('frost point backend: libsodium (sodium-native), SHA-512: OpenSSL');
  return native.name;
}

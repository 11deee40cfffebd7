/**
 * Where the bootstrap puts the native thin `sign` client (native/sign.c,
 * built when a C compiler exists; docs/agent.md).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Path of the compiled native `sign` client (it may not exist: no compiler). */
export const NATIVE_SIGN_BIN = fileURLToPath(new URL('./native/sign', import.meta.url));
/** Path of its C source. */
export const NATIVE_SIGN_SOURCE = fileURLToPath(new URL('../native/sign.c', import.meta.url));

/** The native client's path if the bootstrap built it, else undefined. */
export function nativeSignBin(): string | undefined {
  return existsSync(NATIVE_SIGN_BIN) ? NATIVE_SIGN_BIN : undefined;
}

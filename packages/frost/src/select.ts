/** Choosing the point backend (kept apart from point.ts so switching also drops the signing memo). */
import type { PointBackend } from './backend.js';
import { installBackend, nobleBackend, pointBackend } from './point.js';
import { clearSigningCache } from './signing-package.js';

/**
 * Makes `backend` the group arithmetic of every later FROST call (process-wide) and drops the
 * point and signing caches. Pass {@link nobleBackend} to go back to the pure default.
 *
 * @example
 * setPointBackend(sodiumBackend); // what @qsign/frost-native's installNativeBackend() does
 */
export function setPointBackend(backend: PointBackend): void {
  installBackend(backend);
  clearSigningCache();
}

export { nobleBackend, pointBackend };

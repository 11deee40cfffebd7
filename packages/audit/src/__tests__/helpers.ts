/** Shared test helpers of the audit package. */
import { AuditError } from '../index.js';

/** The AuditError code `f` throws, or undefined if it returns; other errors propagate. */
export function code(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof AuditError) return e.code;
    throw e;
  }
}

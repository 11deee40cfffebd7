/**
 * Canonical JSON for audit records: the RFC 8785 (JCS) serialisation
 * restricted to values with exactly one representation — object keys sorted
 * by UTF-16 code units (RFC 8785 §3.2.3), no whitespace, strings escaped as
 * ECMAScript `JSON.stringify` does (RFC 8785 §3.2.2.2), numbers limited to
 * safe integers (so RFC 8785 §3.2.2.3 number formatting is trivial), no
 * `null`, and `undefined` object members omitted.
 *
 * @module
 */
import { AuditError } from './errors.js';
import { isWellFormed } from './encoding.js';

/** A value {@link canonicalJson} accepts. */
export type JsonValue = string | number | boolean | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

const MAX_DEPTH = 32;

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Serialises `value` canonically; throws `invalid-argument` for anything
 * outside {@link JsonValue} (floats, unsafe integers, -0, null, bigint,
 * byte arrays, class instances, lone surrogates, nesting deeper than 32).
 *
 * @example `canonicalJson({ b: 1, a: [true, 'x'] })` → `{"a":[true,"x"],"b":1}`
 */
export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw new AuditError('invalid-argument', 'JSON nesting too deep');
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) throw new AuditError('invalid-argument', 'string contains a lone surrogate');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isSafeInteger(value) || Object.is(value, -0)) throw new AuditError('invalid-argument', 'numbers must be safe integers');
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) throw new AuditError('invalid-argument', 'null is not allowed; omit the member');
      if (Array.isArray(value)) {
        return `[${value.map((v: unknown) => {
          if (v === undefined) throw new AuditError('invalid-argument', 'arrays cannot hold undefined');
          return canonicalJson(v, depth + 1);
        }).join(',')}]`;
      }
      if (!isPlainObject(value)) throw new AuditError('invalid-argument', 'only plain objects are allowed');
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${canonicalJson(k, depth + 1)}:${canonicalJson(v, depth + 1)}`).join(',')}}`;
    }
    default:
      throw new AuditError('invalid-argument', `${typeof value} cannot be encoded`);
  }
}

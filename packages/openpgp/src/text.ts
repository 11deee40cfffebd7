/** Canonical text (RFC 4880 §5.2.1 type 0x01, RFC 9580 §5.2.1.2). */
import { expectBytes, utf8 } from './bytes.js';

/**
 * Converts text to its canonical form for a 0x01 (text) signature: every line
 * ending (CR LF, lone LF, lone CR) becomes CR LF. Nothing else changes; trailing
 * whitespace is kept (it is only stripped in the cleartext framework, RFC 4880 §7.1).
 *
 * @example canonicalText(utf8('a\nb')) // → 'a\r\nb'
 */
export function canonicalText(data: Uint8Array | string): Uint8Array {
  const b = typeof data === 'string' ? utf8(data) : data;
  expectBytes(b, undefined, 'text');
  let extra = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a && (i === 0 || b[i - 1] !== 0x0d)) extra++;
    else if (b[i] === 0x0d && b[i + 1] !== 0x0a) extra++;
  }
  const out = new Uint8Array(b.length + extra);
  let o = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x0a && (i === 0 || b[i - 1] !== 0x0d)) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
    } else if (c === 0x0d && b[i + 1] !== 0x0a) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
    } else out[o++] = c;
  }
  return out;
}

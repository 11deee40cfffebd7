import { describe, expect, it } from 'vitest';
import { MAX_FRAME, MAX_STRING, Program, WireError, checkFrameLength, decodeReply, decodeRequest, encodeOutput, encodeReply, encodeRequest, FrameReader } from '../wire.js';

const req = { program: Program.SIGN, config: '/home/copr/client.json', cwd: '/var/lib/copr', argv: ['-4', '-h', 'sha256', '-u', 'a#b@copr.fedorahosted.org', '-r', 'x é.rpm'] };
const body = (frame: Uint8Array) => frame.subarray(4);

describe('agent wire format v1', () => {
  it('a request round-trips, with and without stdin', () => {
    expect(decodeRequest(body(encodeRequest(req)))).toEqual(req);
    const withStdin = { ...req, argv: ['-u', 'k', '-c'], stdin: Uint8Array.of(0, 1, 2, 255) };
    expect(decodeRequest(body(encodeRequest(withStdin)))).toEqual(withStdin);
    expect(decodeRequest(body(encodeRequest({ ...req, stdin: new Uint8Array(0) }))).stdin).toEqual(new Uint8Array(0));
  });

  it('replies round-trip; long output is split into frames', () => {
    expect(decodeReply(body(encodeReply({ type: 'exit', code: 2 })))).toEqual({ type: 'exit', code: 2 });
    const big = new Uint8Array(2.5 * (1 << 20)).fill(7);
    const frames = encodeOutput('stdout', big);
    expect(frames).toHaveLength(3);
    const all = Buffer.concat(frames);
    const reader = new FrameReader();
    // Fed in odd-sized pieces, as a socket delivers them.
    const bodies: Uint8Array[] = [];
    for (let i = 0; i < all.length; i += 65_537) bodies.push(...reader.push(all.subarray(i, i + 65_537)));
    expect(reader.buffered).toBe(0);
    const out = Buffer.concat(bodies.map((b) => decodeReply(b)).map((r) => (r.type === 'stdout' ? r.data : new Uint8Array())));
    expect(Buffer.compare(out, big)).toBe(0);
  });

  it('refuses every truncation of a request', () => {
    const b = body(encodeRequest({ ...req, stdin: Uint8Array.of(1, 2, 3) }));
    for (let n = 0; n < b.length; n++) expect(() => decodeRequest(b.subarray(0, n)), `truncated at ${n}`).toThrow(WireError);
  });

  it('refuses trailing bytes, unknown versions, types, programs and flags', () => {
    const b = body(encodeRequest(req));
    expect(() => decodeRequest(Uint8Array.from([...b, 0]))).toThrow(/bytes after the end/);
    expect(() => decodeRequest(Uint8Array.from([2, ...b.subarray(1)]))).toThrow(/wire version 2 is not supported/);
    expect(() => decodeRequest(Uint8Array.from([1, 9, ...b.subarray(2)]))).toThrow(/expected a request frame/);
    expect(() => decodeRequest(Uint8Array.from([1, 1, 77, ...b.subarray(3)]))).toThrow(/unknown program 77/);
    expect(() => decodeRequest(Uint8Array.from([1, 1, 1, 0x80, ...b.subarray(4)]))).toThrow(/unknown flags/);
    expect(() => decodeReply(Uint8Array.of(1, 4, 0, 0))).toThrow(/exit frame of 2 bytes/);
    expect(() => decodeReply(Uint8Array.of(1, 42))).toThrow(/unknown reply frame type 42/);
  });

  it('refuses relative paths, non-UTF-8, NUL bytes and oversize strings', () => {
    expect(() => decodeRequest(body(encodeRequest({ ...req, cwd: 'relative' })))).toThrow(/working directory must be absolute/);
    expect(() => decodeRequest(body(encodeRequest({ ...req, config: 'client.json' })))).toThrow(/config path must be absolute/);
    expect(() => decodeRequest(body(encodeRequest({ ...req, argv: ['a\0b'] })))).toThrow(/NUL/);
    const bad = body(encodeRequest({ ...req, argv: ['xx'] }));
    bad.set([0xff, 0xfe], bad.length - 2);
    expect(() => decodeRequest(bad)).toThrow(/argument 1 is not UTF-8/);
    expect(() => encodeRequest({ ...req, argv: ['x'.repeat(MAX_STRING + 1)] })).toThrow(WireError);
  });

  it('refuses frame lengths below 2 or above the limit before any body is read', () => {
    expect(() => checkFrameLength(MAX_FRAME + 1)).toThrow(/larger than/);
    expect(() => checkFrameLength(1)).toThrow(/too short/);
    expect(() => new FrameReader().push(Uint8Array.of(0xff, 0xff, 0xff, 0xff))).toThrow(/larger than/);
    const r = new FrameReader();
    expect(r.push(Uint8Array.of(0, 0))).toHaveLength(0);
    expect(r.push(Uint8Array.of(0, 3, 1))).toHaveLength(0);
    expect(r.push(Uint8Array.of(2, 7, 0, 0, 0))).toEqual([Uint8Array.of(1, 2, 7)]);
    expect(r.buffered).toBe(3);
  });

  it('random garbage never decodes into anything but a WireError', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    for (let i = 0; i < 2000; i++) {
      const g = Uint8Array.from({ length: 2 + (rnd() % 64) }, rnd);
      g[0] = 1;
      g[1] = 1;
      try {
        decodeRequest(g);
      } catch (e) {
        expect(e).toBeInstanceOf(WireError);
      }
    }
  });
});

/**
 * The agent wire format, version 1 (docs/agent.md): length-prefixed frames
 * over a unix socket between a thin `sign` client (Node or C) and `qsign
 * agent`. Every frame is `u32 length (big-endian) ‖ body`, body =
 * `u8 version ‖ u8 type ‖ payload`. One request per connection:
 *   client → agent  REQUEST  u8 program (1 sign, 2 qsign sign) ‖ u8 flags ‖ str config ‖ str cwd ‖ u16 argc ‖ argc × str ‖ [u32 n ‖ n bytes stdin]
 *   agent → client  STDOUT bytes | STDERR bytes … then EXIT u8 code
 * where `str` is `u16 length ‖ UTF-8`. Decoding checks every field and the
 * exact length (no trailing bytes); nothing here does I/O.
 */

/** The wire version this code speaks. */
export const WIRE_VERSION = 1;
/** Largest frame body either side accepts: 64 MiB of stdin plus headroom for the arguments. */
export const MAX_FRAME = 64 * 1024 * 1024 + 512 * 1024;
/** Most stdin bytes a request may carry (a larger file is signed by path). */
export const MAX_STDIN = 64 * 1024 * 1024;
/** Most arguments, and the longest argument / path, in bytes. */
export const MAX_ARGS = 256;
export const MAX_STRING = 4096;

/** Frame types. */
export const FrameType = { REQUEST: 1, STDOUT: 2, STDERR: 3, EXIT: 4 } as const;
/** Programs an agent may run: 1 is the obs-sign compatible `sign`, 2 is `qsign sign` (gpg-style). */
export const Program = { SIGN: 1, QSIGN_SIGN: 2 } as const;
const FLAG_STDIN = 1;

/** A request: what `sign` was called with, where, and (filter mode) its stdin. */
export interface AgentRequest {
  program: number;
  /** Absolute path of the client config the caller found (the agent serves only its own). */
  config: string;
  /** Absolute working directory of the caller (relative file names are resolved against it). */
  cwd: string;
  argv: string[];
  stdin?: Uint8Array;
}

/** A frame the agent sends back. */
export type AgentReply = { type: 'stdout' | 'stderr'; data: Uint8Array } | { type: 'exit'; code: number };

/** A malformed frame: the message says which field and why. */
export class WireError extends Error {
  override readonly name = 'WireError';
}

const utf8 = new TextEncoder();
const strict = new TextDecoder('utf-8', { fatal: true });

function frame(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(6 + payload.length);
  new DataView(out.buffer).setUint32(0, 2 + payload.length);
  out[4] = WIRE_VERSION;
  out[5] = type;
  out.set(payload, 6);
  return out;
}

/** Encodes a request frame (length prefix included); throws WireError for what the agent would refuse. */
export function encodeRequest(r: AgentRequest): Uint8Array {
  const strs = [r.config, r.cwd, ...r.argv].map((s) => utf8.encode(s));
  if (r.argv.length > MAX_ARGS) throw new WireError(`too many arguments (${r.argv.length}, at most ${MAX_ARGS})`);
  if (strs.some((s) => s.length > MAX_STRING)) throw new WireError(`an argument or path is longer than ${MAX_STRING} bytes`);
  if (r.stdin && r.stdin.length > MAX_STDIN) throw new WireError(`stdin is ${r.stdin.length} bytes, more than the agent takes (${MAX_STDIN}); sign a file by name instead`);
  const size = 4 + strs.reduce((n, s) => n + 2 + s.length, 0) + (r.stdin ? 4 + r.stdin.length : 0);
  const p = new Uint8Array(size);
  const v = new DataView(p.buffer);
  p[0] = r.program;
  p[1] = r.stdin ? FLAG_STDIN : 0;
  let at = 2;
  const put = (s: Uint8Array) => {
    v.setUint16(at, s.length);
    p.set(s, at + 2);
    at += 2 + s.length;
  };
  put(strs[0]!);
  put(strs[1]!);
  v.setUint16(at, r.argv.length);
  at += 2;
  for (const s of strs.slice(2)) put(s);
  if (r.stdin) {
    v.setUint32(at, r.stdin.length);
    p.set(r.stdin, at + 4);
  }
  return frame(FrameType.REQUEST, p);
}

/** Encodes one reply frame; output longer than a frame is split by {@link encodeOutput}. */
export function encodeReply(r: AgentReply): Uint8Array {
  if (r.type === 'exit') return frame(FrameType.EXIT, Uint8Array.of(Math.min(255, Math.max(0, r.code | 0))));
  return frame(r.type === 'stdout' ? FrameType.STDOUT : FrameType.STDERR, r.data);
}

/** Output as reply frames of at most 1 MiB each. */
export function encodeOutput(type: 'stdout' | 'stderr', data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += 1 << 20) out.push(encodeReply({ type, data: data.subarray(i, i + (1 << 20)) }));
  return out;
}

/**
 * Collects frames from a byte stream: `push` each chunk as it arrives and get
 * back the frame bodies it completed. Chunks are joined only when a frame is
 * complete, so a 64 MiB frame costs one copy. A length prefix below 2 or over
 * `max` is a WireError as soon as its 4 bytes are in (the body is never read).
 */
export class FrameReader {
  #chunks: Uint8Array[] = [];
  #size = 0;
  #need = -1;
  constructor(private readonly max = MAX_FRAME) {}

  /** Bytes received but not yet part of a returned frame. */
  get buffered(): number {
    return this.#size;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    const bodies: Uint8Array[] = [];
    for (;;) {
      if (this.#need < 0) {
        if (this.#size < 4) break;
        const head = this.#take(4);
        this.#need = checkFrameLength(new DataView(head.buffer, head.byteOffset, 4).getUint32(0), this.max);
      }
      if (this.#size < this.#need) break;
      bodies.push(this.#take(this.#need));
      this.#need = -1;
    }
    return bodies;
  }

  #take(n: number): Uint8Array {
    let all = this.#chunks[0]!;
    if (this.#chunks.length > 1) {
      all = new Uint8Array(this.#size);
      let at = 0;
      for (const c of this.#chunks) {
        all.set(c, at);
        at += c.length;
      }
    }
    const rest = all.subarray(n);
    this.#chunks = rest.length ? [rest] : [];
    this.#size = rest.length;
    return all.subarray(0, n);
  }
}

/** A frame's length prefix if acceptable (2 ≤ len ≤ max); WireError otherwise. */
export function checkFrameLength(len: number, max = MAX_FRAME): number {
  if (len < 2) throw new WireError(`frame of ${len} bytes: too short for a version and a type`);
  if (len > max) throw new WireError(`frame of ${len} bytes is larger than the ${max}-byte limit`);
  return len;
}

function header(body: Uint8Array): number {
  if (body[0] !== WIRE_VERSION) throw new WireError(`wire version ${body[0]} is not supported (this agent speaks version ${WIRE_VERSION})`);
  return body[1]!;
}

/** Decodes and validates a REQUEST frame body. */
export function decodeRequest(body: Uint8Array): AgentRequest {
  if (header(body) !== FrameType.REQUEST) throw new WireError(`expected a request frame, got frame type ${body[1]}`);
  const p = body.subarray(2);
  const v = new DataView(p.buffer, p.byteOffset, p.length);
  let at = 0;
  const need = (n: number, what: string) => {
    if (p.length - at < n) throw new WireError(`request ends inside ${what}`);
  };
  const str = (what: string): string => {
    need(2, what);
    const n = v.getUint16(at);
    if (n > MAX_STRING) throw new WireError(`${what} is longer than ${MAX_STRING} bytes`);
    need(2 + n, what);
    const bytes = p.subarray(at + 2, at + 2 + n);
    at += 2 + n;
    let s: string;
    try {
      s = strict.decode(bytes);
    } catch {
      throw new WireError(`${what} is not UTF-8`);
    }
    if (s.includes('\0')) throw new WireError(`${what} contains a NUL byte`);
    return s;
  };
  need(2, 'the program and flags');
  const program = p[0]!;
  const flags = p[1]!;
  at = 2;
  if (!Object.values(Program).includes(program as 1)) throw new WireError(`unknown program ${program}`);
  if (flags & ~FLAG_STDIN) throw new WireError(`unknown flags 0x${flags.toString(16)}`);
  const config = str('the config path');
  const cwd = str('the working directory');
  if (!config.startsWith('/')) throw new WireError('the config path must be absolute');
  if (!cwd.startsWith('/')) throw new WireError('the working directory must be absolute');
  need(2, 'the argument count');
  const argc = v.getUint16(at);
  at += 2;
  if (argc > MAX_ARGS) throw new WireError(`too many arguments (${argc}, at most ${MAX_ARGS})`);
  const argv = Array.from({ length: argc }, (_, i) => str(`argument ${i + 1}`));
  let stdin: Uint8Array | undefined;
  if (flags & FLAG_STDIN) {
    need(4, 'the stdin length');
    const n = v.getUint32(at);
    if (n > MAX_STDIN) throw new WireError(`stdin of ${n} bytes is more than ${MAX_STDIN}`);
    need(4 + n, 'stdin');
    stdin = p.slice(at + 4, at + 4 + n);
    at += 4 + n;
  }
  if (at !== p.length) throw new WireError(`${p.length - at} bytes after the end of the request`);
  return { program, config, cwd, argv, ...(stdin && { stdin }) };
}

/** Decodes and validates a reply frame body. */
export function decodeReply(body: Uint8Array): AgentReply {
  const type = header(body);
  const data = body.subarray(2);
  if (type === FrameType.STDOUT) return { type: 'stdout', data };
  if (type === FrameType.STDERR) return { type: 'stderr', data };
  if (type === FrameType.EXIT) {
    if (data.length !== 1) throw new WireError(`exit frame of ${data.length} bytes (1 expected)`);
    return { type: 'exit', code: data[0]! };
  }
  throw new WireError(`unknown reply frame type ${type}`);
}

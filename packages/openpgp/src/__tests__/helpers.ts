// Shared test helpers: a noble signer, temp GnuPG homes, and gpg/sq runners.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { expect } from 'vitest';
import { OpenPgpError } from '../index.js';

/** A fresh random Ed25519 key and a signer callback over it. */
export function newKey(): { secretKey: Uint8Array; publicKey: Uint8Array; sign: (m: Uint8Array) => Promise<Uint8Array> } {
  const secretKey = ed25519.utils.randomSecretKey();
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey), sign: async (m) => ed25519.sign(m, secretKey) };
}

/** A temp directory removed by `cleanup()`. */
export function tempDir(prefix = 'qpgp-'): { dir: string; path: (f: string) => string; write: (f: string, d: Uint8Array | string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = (f: string) => join(dir, f);
  return {
    dir,
    path,
    write: (f, d) => {
      writeFileSync(path(f), d);
      return path(f);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a tool synchronously, capturing output. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Run {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', input, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Runs a tool synchronously and returns its stdout as bytes (throws with stderr on failure). */
export function runBytes(cmd: string, args: string[]): Uint8Array {
  const r = spawnSync(cmd, args, { timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.toString()}`);
  return new Uint8Array(r.stdout);
}

/** A temporary GNUPGHOME; `gpg(...)` runs gpg in batch mode against it. */
export function gnupgHome(): { home: string; gpg: (...args: string[]) => Run; gpgBytes: (...args: string[]) => Uint8Array; cleanup: () => void } {
  const t = tempDir('qgpg-');
  const base = ['--batch', '--no-tty', '--homedir', t.dir];
  return {
    home: t.dir,
    gpg: (...args: string[]) => run('gpg', [...base, ...args]),
    gpgBytes: (...args: string[]) => runBytes('gpg', [...base, ...args]),
    cleanup: () => {
      run('gpgconf', ['--homedir', t.dir, '--kill', 'all']);
      t.cleanup();
    },
  };
}

/** Runs `f` and returns the OpenPgpError code it throws (fails on any other throwable). */
export function errorCode(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(OpenPgpError);
    return (e as OpenPgpError).code;
  }
}

/** Deterministic PRNG (xorshift32) so fuzz failures are reproducible. */
export function prng(seed: number): { int: (n: number) => number; bytes: (n: number) => Uint8Array } {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return {
    int: (n) => next() % n,
    bytes: (n) => Uint8Array.from({ length: n }, () => next() & 0xff),
  };
}

/** One random mutation of `input` (bit flips, truncation, length corruption, 0xff runs, insertion, duplication or noise). */
export function mutate(r: ReturnType<typeof prng>, input: Uint8Array): Uint8Array {
  const b = input.slice();
  switch (r.int(7)) {
    case 0: // bit flips
      for (let i = r.int(4) + 1; i > 0 && b.length; i--) b[r.int(b.length)]! ^= 1 << r.int(8);
      return b;
    case 1: // truncation
      return b.subarray(0, r.int(b.length + 1));
    case 2: // length-field corruption near a header or subpacket area
      if (b.length) for (const v of [0x00, 0xff, 0xc0, 0xe0, 0xfe, r.int(256)].slice(r.int(6))) b[r.int(Math.min(b.length, 40))] = v;
      return b;
    case 3: // 0xff run (huge 5-octet lengths, 0xffff bit counts)
      if (b.length) b.fill(0xff, r.int(b.length), r.int(b.length) + 1 + r.int(6));
      return b;
    case 4: // insertion of random bytes
      {
        const at = r.int(b.length + 1);
        return Uint8Array.of(...b.subarray(0, at), ...r.bytes(1 + r.int(8)), ...b.subarray(at));
      }
    case 5: // chunk duplication
      {
        const from = r.int(b.length + 1);
        const to = from + r.int(b.length - from + 1);
        return Uint8Array.of(...b, ...b.subarray(from, to));
      }
    default: // pure noise, sometimes with a plausible first octet
      {
        const n = r.bytes(r.int(300));
        if (n.length && r.int(2)) n[0] = [0x94, 0x88, 0xc2, 0xc5, 0xc6, 0xb4][r.int(6)]!;
        return n;
      }
  }
}

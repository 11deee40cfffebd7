/**
 * Small CLI I/O helpers: reading inputs ("-" is stdin), writing outputs
 * ("-" or absent is stdout), and turning errors into one clear line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { QsignError, errorMessage } from '@qsign/protocol';

/** Reads a file, or stdin for "-"; errors name the file. */
export function readInput(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path === '-' ? 0 : path));
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `cannot read ${path === '-' ? 'standard input' : path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(e)}`);
  }
}

/** Writes bytes or text to a file, or to stdout when `path` is undefined or "-". */
export function writeOutput(path: string | undefined, data: Uint8Array | string): void {
  if (path === undefined || path === '-') {
    process.stdout.write(data);
    return;
  }
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `cannot write ${path}: ${errorMessage(e)}`);
  }
}

/** Parses a positive integer option. */
export function intOption(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) throw new QsignError('INVALID_ARGUMENT', `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return n;
  };
}

/** Prints an error as one line (no stack trace unless QSIGN_DEBUG=1) and returns the exit code. */
export function reportError(prog: string, e: unknown): number {
  if (process.env.QSIGN_DEBUG === '1') console.error(e);
  const msg = e instanceof QsignError ? e.message : errorMessage(e);
  process.stderr.write(`${prog}: ${msg}\n`);
  return e instanceof QsignError && e.code === 'UNKNOWN_KEY' ? 2 : 1;
}

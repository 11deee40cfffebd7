/**
 * Small CLI helpers: integer options and turning errors into one clear line.
 * Reading inputs / writing outputs ("-" is stdin/stdout) lives in @qsign/client (files.ts).
 */
import { QsignError, errorMessage } from '@qsign/protocol';

/** Parses a positive integer option. */
export function intOption(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) throw new QsignError('INVALID_ARGUMENT', `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return n;
  };
}

/** Prints an error as one line (no stack trace unless QSIGN_DEBUG=1) and returns the exit code. */
export function reportError(prog: string, e: unknown, write: (s: string) => void = (s) => void process.stderr.write(s)): number {
  if (process.env.QSIGN_DEBUG === '1') console.error(e);
  const msg = e instanceof QsignError ? e.message : errorMessage(e);
  write(`${prog}: ${msg}\n`);
  return e instanceof QsignError && e.code === 'UNKNOWN_KEY' ? 2 : 1;
}

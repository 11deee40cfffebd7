/**
 * Reading inputs ("-" is stdin) and writing outputs ("-" or absent is stdout),
 * with errors that name the file.
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

/**
 * Development mode: the master key that seals a node's (or the
 * coordinator's) store, read from a file of 64 lowercase hex characters.
 */
import { readFileSync } from 'node:fs';
import { hexToBytes } from '@noble/hashes/utils.js';
import { QsignError, errorMessage } from '@qsign/protocol';

/** Reads the 32-byte master key in `path`; errors name the file. */
export function readMasterKeyFile(path: string): Uint8Array {
  return readKeyFile(path, 'master key');
}

/** Reads a 32-byte secret key stored as 64 lowercase hex characters (`what` names it in errors, e.g. "keygen client key"). */
export function readKeyFile(path: string, what: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new QsignError('CONFIG', `cannot read ${what} file ${path}: ${errorMessage(e)}`);
  }
  if (!/^[0-9a-f]{64}$/.test(text)) throw new QsignError('CONFIG', `${what} file ${path} must hold 32 bytes as 64 lowercase hex characters`);
  return hexToBytes(text);
}

/**
 * Searching for secret bytes where they must never be: files on disk, log
 * files, metrics pages. A secret counts as found in any of the encodings a
 * leak would use: raw bytes, lowercase or uppercase hex, base64.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** The hex of each needle that occurs in any blob (raw bytes, hex in either case, or base64). */
export function findSecrets(blobs: Uint8Array[], needles: Uint8Array[]): string[] {
  const hay = blobs.map((b) => Buffer.from(b));
  return needles.flatMap((n) => {
    const hex = bytesToHex(n);
    const forms = [Buffer.from(n), Buffer.from(hex), Buffer.from(hex.toUpperCase()), Buffer.from(Buffer.from(n).toString('base64'))];
    return hay.some((b) => forms.some((f) => b.indexOf(f) >= 0)) ? [hex] : [];
  });
}

/** Which of the needles occur in any file under `dir`. */
export function grepDir(dir: string, needles: Uint8Array[]): string[] {
  return findSecrets(filesUnder(dir).map((f) => readFileSync(f)), needles);
}

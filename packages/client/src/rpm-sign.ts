/**
 * Signing RPM packages in place through the cluster, as `rpmsign --addsign`
 * does: a header-only OpenPGP signature over the main header in signature tag
 * 267 (RPMSIGTAG_DSA) for an EdDSA key, 268 (RPMSIGTAG_RSA) for an RSA key
 * (rpm's makeSigTag chooses by the packet's public-key algorithm). The nodes parse the header
 * themselves and record the package in their audit logs. Files are replaced
 * atomically (temp file + rename), so a failure never leaves a half-written package.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { type HashAlgorithm } from '@qsign/openpgp';
import { QsignError, errorMessage } from '@qsign/protocol';
import { addHeaderSignature, packageInfo, readRpm } from '@qsign/rpm';
import type { QsignClient } from './client.js';
import { signOpenPgp } from './openpgp-sign.js';
import type { RequestStatus } from '@qsign/proto';

/** Options of {@link signRpmFile}. */
export interface RpmSignOptions {
  hashAlgorithm?: HashAlgorithm;
  /** Signature creation time (default now). */
  createdUnixSeconds?: number;
  /** How long to wait for nodes whose operators must approve (ms). */
  waitMs?: number;
  /** Hears who holds the request while it waits for approval. */
  onStatus?: (s: RequestStatus) => void;
}

/** What happened to one package. */
export interface RpmSignResult {
  file: string;
  ok: boolean;
  /** name-[epoch:]version-release.arch when the package was readable. */
  nevra?: string;
  error?: string;
}

/** The NEVRA of a package's main header: name-[epoch:]version-release.arch. */
export function nevraOf(mainHeader: Uint8Array): string {
  const info = packageInfo(mainHeader);
  return `${info.name}-${info.epoch !== undefined ? `${info.epoch}:` : ''}${info.version}-${info.release}.${info.arch}`;
}

/**
 * Returns the package signed through the cluster (header-only signature in
 * tag 267 for EdDSA, 268 for RSA). Refuses packages without a payload digest (rpm < 4.14): a
 * header-only signature would not cover their payload.
 */
export async function signRpmBytes(client: QsignClient, keyName: string, bytes: Uint8Array, o: RpmSignOptions & { fileName?: string } = {}): Promise<Uint8Array> {
  const rpm = readRpm(bytes);
  if (packageInfo(rpm.mainHeader).payloadDigest === undefined)
    throw new QsignError('INVALID_ARGUMENT', 'package has no payload digest (built by rpm < 4.14): a header-only signature would not cover its payload');
  const packet = await signOpenPgp(client, keyName, rpm.mainHeader.slice(), {
    kind: 'rpm-header',
    hashAlgorithm: o.hashAlgorithm ?? 'sha256',
    createdUnixSeconds: o.createdUnixSeconds,
    claims: { fileName: o.fileName ?? '', size: bytes.length, sha256: sha256(bytes) },
    waitMs: o.waitMs,
    onStatus: o.onStatus,
  });
  return addHeaderSignature(bytes, packet); // the tag by the packet's algorithm: 22 → 267, 1 → 268
}

/** Signs one package in place; never throws, the result says what happened. */
export async function signRpmFile(client: QsignClient, keyName: string, file: string, o: RpmSignOptions = {}): Promise<RpmSignResult> {
  let nevra: string | undefined;
  try {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch (e) {
      throw new QsignError('INVALID_ARGUMENT', `cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(e)}`);
    }
    nevra = nevraOf(readRpm(bytes).mainHeader);
    replaceFile(file, await signRpmBytes(client, keyName, bytes, { ...o, fileName: basename(file) }));
    return { file, ok: true, nevra };
  } catch (e) {
    return { file, ok: false, ...(nevra && { nevra }), error: errorMessage(e) };
  }
}

/** Writes `data` beside `file` and renames it over `file`, keeping the file mode. */
export function replaceFile(file: string, data: Uint8Array): void {
  const tmp = join(dirname(file), `.${basename(file)}.qsign-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    const mode = statSync(file).mode & 0o7777;
    writeFileSync(tmp, data, { mode, flag: 'wx' });
    chmodSync(tmp, mode);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new QsignError('INVALID_ARGUMENT', `cannot write the signed package: ${errorMessage(e)}`);
  }
}

/**
 * Signs many packages with at most `concurrency` in flight; a failing file
 * does not stop the others. `onDone` is called after each file (progress).
 */
export async function signRpmFiles(
  client: QsignClient,
  keyName: string,
  files: readonly string[],
  o: Omit<RpmSignOptions, 'onStatus'> & { concurrency?: number; onDone?: (r: RpmSignResult) => void; onStatus?: (s: RequestStatus, file: string) => void } = {},
): Promise<RpmSignResult[]> {
  const results: RpmSignResult[] = new Array(files.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 4, files.length)) }, async () => {
    while (next < files.length) {
      const i = next++;
      const file = files[i]!;
      const r = await signRpmFile(client, keyName, file, { ...o, onStatus: o.onStatus && ((st) => o.onStatus!(st, file)) });
      results[i] = r;
      o.onDone?.(r);
    }
  });
  await Promise.all(workers);
  return results;
}

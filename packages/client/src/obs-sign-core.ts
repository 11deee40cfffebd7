/**
 * The signing core of the obs-sign compatible `sign` client
 * (openSUSE/obs-sign sign.8): one file (or stdin's bytes) signed the way
 * obs-sign would — an RPM in place, a clearsigned file in place, a detached
 * FILE.asc / FILE.sig, a repomd.xml as repository metadata — with
 * obs-sign's signature-time rules (-T). The `sign` command maps its flags
 * onto {@link ObsSignJob} and prints.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { keyId, toHex, type HashAlgorithm } from '@qsign/openpgp';
import { QsignError, errorMessage } from '@qsign/protocol';
import { packageInfo, readRpm } from '@qsign/rpm';
import type { RequestStatus } from '@qsign/proto';
import type { QsignClient } from './client.js';
import { clearsign, detachedSignature } from './openpgp-sign.js';
import { replaceFile, signRpmBytes } from './rpm-sign.js';
import { isRepomdFile, signRepomd } from './publish-sign.js';
import { DEFAULT_APPROVAL_WAIT_SECONDS, describeWait } from './wait-status.js';

/** What obs-sign does with a file: `unset` picks rpm for *.rpm / *.spm, else clearsign. */
export type ObsSignMode = 'unset' | 'rpm' | 'clearsign' | 'detached' | 'rawdetached';

/** One obs-sign signing job. */
export interface ObsSignJob {
  mode: ObsSignMode;
  /** The key name (obs-sign's -u user, an email address). */
  keyName: string;
  hash: HashAlgorithm;
  /** -T: unix seconds, "mtime" or "buildtime"; absent: now. */
  time?: string;
  /** -v: say what is signed. */
  verbose?: boolean;
}

/** Where a job's output goes in filter mode (no file), and what it says. */
export interface ObsSignIo {
  stdout: (s: string | Uint8Array) => void;
  stderr: (s: string) => void;
}

/** The short (32-bit) key id of the pinned key, obs-sign's `-k`, once the cluster's certificate (if any) checks out against the pin. */
export async function obsKeyId(client: QsignClient, keyName: string): Promise<string> {
  await client.certificate(keyName);
  return toHex(keyId(hexToBytes((await client.pinned(keyName)).fingerprint)).subarray(4));
}

/** The signature time obs-sign's -T asks for (unix seconds), or undefined for now. */
function signTime(a: ObsSignJob, file: string | undefined, data: Uint8Array | undefined): number | undefined {
  if (a.time === undefined) return undefined;
  if (/^\d+$/.test(a.time)) return Number(a.time);
  if (a.time === 'buildtime' && a.mode === 'rpm' && data) return packageInfo(readRpm(data).mainHeader).buildTime;
  if (!file) throw new QsignError('INVALID_ARGUMENT', 'cannot use mtime on pipes');
  return Math.floor(statSync(file).mtimeMs / 1000);
}

/**
 * Signs `file` (or, without one, `stdin`'s bytes, output to `io.stdout`) as
 * obs-sign does for `job.mode`; a request held for operator approval is
 * reported on `io.stderr` and waited for as long as `qsign sign` waits.
 */
export async function obsSignFile(client: QsignClient, a: ObsSignJob, file: string | undefined, io: ObsSignIo, stdin: () => Uint8Array = () => new Uint8Array(readFileSync(0))): Promise<void> {
  let mode = a.mode;
  if (mode === 'unset') mode = /\.(rpm|spm)$/.test(file!) ? 'rpm' : 'clearsign';
  if (a.verbose) (file ? io.stdout : io.stderr)(`${mode} ${file ?? '<stdin>'}${a.keyName ? ` user ${a.keyName}` : ''}\n`);
  let data: Uint8Array;
  try {
    data = file ? new Uint8Array(readFileSync(file)) : stdin();
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `${file ?? '<stdin>'}: ${errorMessage(e)}`);
  }
  const claims = { fileName: file ?? '<stdin>', size: data.length, sha256: sha256(data) };
  const createdUnixSeconds = signTime(a, file, data);
  // Held for operator approval: say so (stderr), and wait as long as qsign sign does.
  const wait = { waitMs: DEFAULT_APPROVAL_WAIT_SECONDS * 1000, onStatus: (st: RequestStatus) => io.stderr(`sign: ${file ?? '<stdin>'}: ${describeWait(st)}\n`) };
  if (mode === 'rpm') {
    // In place via a temp file and rename; filter mode: package on stdin, signed package on stdout.
    const signed = await signRpmBytes(client, a.keyName, data, { hashAlgorithm: a.hash, createdUnixSeconds, fileName: file, ...wait });
    if (file) replaceFile(file, signed);
    else io.stdout(signed);
    return;
  }
  if (mode === 'clearsign') {
    const text = new TextDecoder().decode(data);
    if (text.startsWith('-----BEGIN PGP SIGNED MESSAGE-----')) throw new QsignError('INVALID_ARGUMENT', `${file ?? '<stdin>'}: already signed`);
    const out = await clearsign(client, a.keyName, text, { hashAlgorithm: a.hash, createdUnixSeconds, claims, ...wait });
    if (file) replaceFile(file, new TextEncoder().encode(out));
    else io.stdout(out);
    return;
  }
  // OBS signs repositories with `sign -d repodata/repomd.xml`: send it as repository metadata, which every node parses and records.
  if (mode === 'detached' && file && isRepomdFile(file)) {
    writeFileSync(`${file}.asc`, await signRepomd(client, a.keyName, data, { hashAlgorithm: a.hash, createdUnixSeconds, fileName: file }));
    return;
  }
  const sig = await detachedSignature(client, a.keyName, data, { hashAlgorithm: a.hash, createdUnixSeconds, claims, armor: mode === 'detached', ...wait });
  if (file) writeFileSync(`${file}.${mode === 'detached' ? 'asc' : 'sig'}`, sig);
  else io.stdout(sig);
}

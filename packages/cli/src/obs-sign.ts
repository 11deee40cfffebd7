/**
 * An obs-sign compatible `sign` client (openSUSE/obs-sign sign.8, sign.c),
 * backed by the cluster. Covers the calls Fedora Copr makes:
 *   sign -u EMAIL -p                      public key (armored certificate) on stdout;
 *                                         a key without one yet is self-certified first
 *   sign -4 -h sha256 -u EMAIL -r F.rpm   sign an RPM in place
 *   sign -u EMAIL -d FILE | -D FILE       detached signature FILE.asc (armored) | FILE.sig (binary);
 *                                         -d on a repomd.xml is a repository-metadata request
 *   sign -u EMAIL -c FILE                 clearsign in place; without FILE, stdin → stdout
 *   sign -u EMAIL -k                      short key id
 *   sign -t                               ping the cluster
 * A key the cluster does not hold gives "unknown key: EMAIL" on stderr and
 * exit code 1 (Copr reacts by creating the key). Options are parsed one per
 * argument, as obs-sign does. The key name is the email given with -u.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { armor, keyId, toHex, type HashAlgorithm } from '@qsign/openpgp';
import { QsignError, errorMessage, isQsignError } from '@qsign/protocol';
import { packageInfo, readRpm } from '@qsign/rpm';
import { loadClientConfig } from '@qsign/client';
import { QsignClient } from '@qsign/client';
import { clearsign, detachedSignature, ensureCertificate } from '@qsign/client';
import { replaceFile, signRpmBytes } from '@qsign/client';
import { isRepomdFile, signRepomd } from '@qsign/client';
import { DEFAULT_APPROVAL_WAIT_SECONDS, describeWait } from '@qsign/client';
import type { RequestStatus } from '@qsign/proto';

type Mode = 'unset' | 'rpm' | 'clearsign' | 'detached' | 'rawdetached' | 'keyid' | 'pubkey' | 'ping';

/** Parsed command line of `sign`. */
export interface ObsSignArgs {
  mode: Mode;
  user: string;
  hash: HashAlgorithm;
  /** -T: a number, "mtime" or "buildtime". */
  time?: string;
  verbose: boolean;
  config?: string;
  files: string[];
}

/** Thrown for usage errors: message for stderr, exit code. */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

const USAGE = `usage:  sign [-v] [options]

  sign [-v] -c <file> [-u user] [-h hash]: add clearsign signature
  sign [-v] -d <file> [-u user] [-h hash]: create detached signature (FILE.asc)
  sign [-v] -D <file> [-u user] [-h hash]: create raw detached signature (FILE.sig)
  sign [-v] -r <file> [-u user] [-h hash]: add signature block to rpm
  sign [-v] -k [-u user] [-h hash]: print key id
  sign [-v] -p [-u user] [-h hash]: print public key
  sign [-v] -t: test connection to the qsign cluster

  -h sha1|sha256|sha512 (default sha256), -4 (v4 signatures: always), -T <unixtime>|mtime|buildtime
  --config FILE: qsign client config (default $QSIGN_CONFIG, else ./client.json)
  The user (-u) is the qsign key name: the key's email address.
`;

const UNSUPPORTED = new Set(['-g', '-x', '-C', '-O', '-a', '-S', '-P', '--appx', '--cert', '--othercerts', '--pkcs1pss', '--hashfile', '--noheaderonly']);

/** Parses obs-sign arguments (without argv[0..1]). */
export function parseObsSignArgs(argv: readonly string[]): ObsSignArgs | 'help' {
  const a: ObsSignArgs = { mode: 'unset', user: '', hash: 'sha256', verbose: false, files: [] };
  let i = 0;
  const value = (opt: string): string => {
    if (i >= argv.length) throw new UsageError(`sign: option ${opt} needs a value\n${USAGE}`);
    return argv[i++]!;
  };
  while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '-') {
    const opt = argv[i++]!;
    if (opt === '--') break;
    switch (opt) {
      case '--help':
        return 'help';
      case '-u':
        a.user = value(opt);
        break;
      case '-h': {
        const h = value(opt).toLowerCase();
        if (h !== 'sha1' && h !== 'sha256' && h !== 'sha512') throw new UsageError(`sign: unknown hash algorithm '${argv[i - 1]}'`);
        a.hash = h;
        break;
      }
      case '-T': {
        const t = value(opt);
        if (!/^\d+$/.test(t) && t !== 'mtime' && t !== 'buildtime') throw new UsageError(`illegal time argument: ${t}`);
        a.time = t;
        break;
      }
      case '--config':
        a.config = value(opt);
        break;
      case '-c': a.mode = 'clearsign'; break;
      case '-d': a.mode = 'detached'; break;
      case '-D': a.mode = 'rawdetached'; break;
      case '-r': a.mode = 'rpm'; break;
      case '-k': a.mode = 'keyid'; break;
      case '-p': a.mode = 'pubkey'; break;
      case '-t': a.mode = 'ping'; break;
      case '-v': a.verbose = true; break;
      case '-4': break; // v4 signatures are all qsign makes
      default:
        if (UNSUPPORTED.has(opt)) throw new UsageError(`sign: option ${opt} is not supported by the qsign sign client`);
        throw new UsageError(USAGE);
    }
  }
  a.files = argv.slice(i).map(String);
  return a;
}

function signTime(a: ObsSignArgs, file: string | undefined, data: Uint8Array | undefined): number | undefined {
  if (a.time === undefined) return undefined;
  if (/^\d+$/.test(a.time)) return Number(a.time);
  if (a.time === 'buildtime' && a.mode === 'rpm' && data) return packageInfo(readRpm(data).mainHeader).buildTime;
  if (!file) throw new UsageError('cannot use mtime on pipes');
  return Math.floor(statSync(file).mtimeMs / 1000);
}

function readStdin(): Uint8Array {
  return new Uint8Array(readFileSync(0));
}

/** Runs `sign` with its arguments; resolves to the exit code. Output goes to the given streams. */
export async function obsSign(argv: readonly string[], io: { stdout: (s: string | Uint8Array) => void; stderr: (s: string) => void } = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }): Promise<number> {
  let a: ObsSignArgs | 'help';
  try {
    a = parseObsSignArgs(argv);
  } catch (e) {
    io.stderr(`${errorMessage(e)}\n`);
    return e instanceof UsageError ? e.exitCode : 1;
  }
  if (a === 'help') {
    io.stderr(USAGE);
    return 0;
  }
  const args = a;
  let client: QsignClient | undefined;
  try {
    client = new QsignClient(loadClientConfig(args.config));
    if (args.mode === 'ping') {
      await client.status();
      return 0;
    }
    if (!args.user) throw new UsageError('no key given: pass -u EMAIL');
    if (args.mode === 'pubkey' || args.mode === 'keyid') {
      if (args.files.length > 0) throw new UsageError(`usage: sign ${args.mode === 'pubkey' ? '-p' : '-k'} [-u user]`);
      // Both answer from the pinned key: -k prints its key id once the cluster's certificate
      // (if it has one) checks out against the pin; -p prints only a certificate of the pinned key.
      if (args.mode === 'keyid') {
        await client.certificate(args.user);
        io.stdout(toHex(keyId(hexToBytes((await client.pinned(args.user)).fingerprint)).subarray(4)) + '\n');
      } else io.stdout(armor('PUBLIC KEY BLOCK', await ensureCertificate(client, args.user)));
      return 0;
    }
    if (args.files.length === 0) {
      if (args.mode === 'unset') throw new UsageError('please specify a mode for filter usage (see sign --help).');
      await signOne(client, args, undefined, io);
    } else {
      for (const f of args.files) await signOne(client, args, f, io);
    }
    return 0;
  } catch (e) {
    if (isQsignError(e, 'UNKNOWN_KEY')) io.stderr(`unknown key: ${args.user}\n`);
    else io.stderr(`sign: ${errorMessage(e)}\n`);
    return 1;
  } finally {
    client?.close();
  }
}

async function signOne(client: QsignClient, a: ObsSignArgs, file: string | undefined, io: { stdout: (s: string | Uint8Array) => void; stderr: (s: string) => void }): Promise<void> {
  let mode = a.mode;
  if (mode === 'unset') mode = /\.(rpm|spm)$/.test(file!) ? 'rpm' : 'clearsign';
  if (a.verbose) (file ? io.stdout : io.stderr)(`${mode} ${file ?? '<stdin>'}${a.user ? ` user ${a.user}` : ''}\n`);
  let data: Uint8Array;
  try {
    data = file ? new Uint8Array(readFileSync(file)) : readStdin();
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `${file ?? '<stdin>'}: ${errorMessage(e)}`);
  }
  const claims = { fileName: file ?? '<stdin>', size: data.length, sha256: sha256(data) };
  const createdUnixSeconds = signTime(a, file, data);
  // Held for operator approval: say so (stderr), and wait as long as qsign sign does.
  const wait = { waitMs: DEFAULT_APPROVAL_WAIT_SECONDS * 1000, onStatus: (st: RequestStatus) => io.stderr(`sign: ${file ?? '<stdin>'}: ${describeWait(st)}\n`) };
  if (mode === 'rpm') {
    // In place via a temp file and rename; filter mode: package on stdin, signed package on stdout.
    const signed = await signRpmBytes(client, a.user, data, { hashAlgorithm: a.hash, createdUnixSeconds, fileName: file, ...wait });
    if (file) replaceFile(file, signed);
    else io.stdout(signed);
    return;
  }
  if (mode === 'clearsign') {
    const text = new TextDecoder().decode(data);
    if (text.startsWith('-----BEGIN PGP SIGNED MESSAGE-----')) throw new QsignError('INVALID_ARGUMENT', `${file ?? '<stdin>'}: already signed`);
    const out = await clearsign(client, a.user, text, { hashAlgorithm: a.hash, createdUnixSeconds, claims, ...wait });
    if (file) replaceFile(file, new TextEncoder().encode(out));
    else io.stdout(out);
    return;
  }
  // OBS signs repositories with `sign -d repodata/repomd.xml`: send it as repository metadata, which every node parses and records.
  if (mode === 'detached' && file && isRepomdFile(file)) {
    writeFileSync(`${file}.asc`, await signRepomd(client, a.user, data, { hashAlgorithm: a.hash, createdUnixSeconds, fileName: file }));
    return;
  }
  const sig = await detachedSignature(client, a.user, data, { hashAlgorithm: a.hash, createdUnixSeconds, claims, armor: mode === 'detached', ...wait });
  if (file) writeFileSync(`${file}.${mode === 'detached' ? 'asc' : 'sig'}`, sig);
  else io.stdout(sig);
}

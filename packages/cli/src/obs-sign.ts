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
 * argument, as obs-sign does. -u names the key by its name (Copr: the email),
 * a user ID e-mail, key ID or fingerprint; RSA and Ed25519 keys alike.
 */
import { armor, type HashAlgorithm } from '@qsign/openpgp';
import { errorMessage, isQsignError } from '@qsign/protocol';
import { QsignClient, ensureCertificate, loadClientConfig, obsKeyId, obsSignFile, resolveKeyName, type ObsSignMode } from '@qsign/client';

type Mode = ObsSignMode | 'keyid' | 'pubkey' | 'ping';

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
  The user (-u) is the key: its name (Copr: the email), user ID e-mail, key ID or fingerprint.
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

/** The signing job `a` asks for (a signing mode, not -k / -p / -t). */
const job = (a: ObsSignArgs, keyName: string) => ({ mode: a.mode as ObsSignMode, keyName, hash: a.hash, time: a.time, verbose: a.verbose });

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
    const keyName = await resolveKeyName(client, args.user);
    if (args.mode === 'pubkey' || args.mode === 'keyid') {
      if (args.files.length > 0) throw new UsageError(`usage: sign ${args.mode === 'pubkey' ? '-p' : '-k'} [-u user]`);
      // Both answer from the pinned key: -k prints its key id once the cluster's certificate
      // (if it has one) checks out against the pin; -p prints only a certificate of the pinned key.
      if (args.mode === 'keyid') io.stdout((await obsKeyId(client, keyName)) + '\n');
      else io.stdout(armor('PUBLIC KEY BLOCK', await ensureCertificate(client, keyName)));
      return 0;
    }
    if (args.files.length === 0) {
      if (args.mode === 'unset') throw new UsageError('please specify a mode for filter usage (see sign --help).');
      await obsSignFile(client, job(args, keyName), undefined, io);
    } else {
      for (const f of args.files) await obsSignFile(client, job(args, keyName), f, io);
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


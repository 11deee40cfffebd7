/**
 * The command line of the obs-sign compatible `sign` (openSUSE/obs-sign
 * sign.8): parsed one option per argument, as obs-sign does. It imports
 * nothing heavy, so the thin client (bin/sign.ts) parses with it before it
 * decides between the agent and a direct connection.
 */
import type { HashAlgorithm } from '@qsign/openpgp';
import type { ObsSignMode } from '@qsign/client';

/** What `sign` was asked to do. */
export type Mode = ObsSignMode | 'keyid' | 'pubkey' | 'ping';

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

/** The usage text obs-sign prints. */
export const USAGE = `usage:  sign [-v] [options]

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


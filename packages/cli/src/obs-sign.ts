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
import { armor } from '@qsign/openpgp';
import { errorMessage, isQsignError } from '@qsign/protocol';
import { resolve } from 'node:path';
import { QsignClient, ensureCertificate, loadClientConfig, obsKeyId, obsSignFile, resolveKeyName, type ObsSignMode } from '@qsign/client';
import { parseObsSignArgs, UsageError, USAGE, type ObsSignArgs } from './obs-sign-args.js';

export { parseObsSignArgs, UsageError, type ObsSignArgs } from './obs-sign-args.js';

/** The signing job `a` asks for (a signing mode, not -k / -p / -t). */
const job = (a: ObsSignArgs, keyName: string) => ({ mode: a.mode as ObsSignMode, keyName, hash: a.hash, time: a.time, verbose: a.verbose });

/**
 * Where `sign` runs when `qsign agent` runs it for a thin client: the
 * agent's warm client, the caller's working directory and stdin bytes.
 */
export interface ObsSignContext {
  client: QsignClient;
  cwd: string;
  /** The caller's stdin (filter mode), if it sent any. */
  stdin?: Uint8Array;
}

/**
 * Runs `sign` with its arguments; resolves to the exit code. Output goes to
 * the given streams. With `ctx` (the agent), it uses ctx's client (and never
 * closes it), resolves file names against ctx.cwd, and ignores --config.
 */
export async function obsSign(argv: readonly string[], io: { stdout: (s: string | Uint8Array) => void; stderr: (s: string) => void } = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }, ctx?: ObsSignContext): Promise<number> {
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
    client = ctx?.client ?? new QsignClient(loadClientConfig(args.config));
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
      await obsSignFile(client, job(args, keyName), undefined, io, ctx && (() => stdinOf(ctx)));
    } else {
      for (const f of args.files) await obsSignFile(client, job(args, keyName), ctx ? resolve(ctx.cwd, f) : f, io);
    }
    return 0;
  } catch (e) {
    if (isQsignError(e, 'UNKNOWN_KEY')) io.stderr(`unknown key: ${args.user}\n`);
    else io.stderr(`sign: ${errorMessage(e)}\n`);
    return 1;
  } finally {
    if (!ctx) client?.close();
  }
}

function stdinOf(ctx: ObsSignContext): Uint8Array {
  if (!ctx.stdin) throw new UsageError('filter mode needs stdin, and the thin client sent none');
  return ctx.stdin;
}


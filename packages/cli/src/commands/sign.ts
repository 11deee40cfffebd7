/**
 * qsign sign, qsign pubkey, qsign certify: client commands. `qsign sign`
 * takes the gpg-style arguments rpmsign passes through `%__gpg_sign_cmd`
 * (`-u KEY -sbo OUT --no-armor --digest-algo ALGO -- FILE|-`), plus
 * `--armor`, `--detach-sign` and `--clearsign` for ordinary files.
 */
import type { RequestStatus } from '@qsign/proto';
import { Option, type Command } from 'commander';
import { sha256 } from '@noble/hashes/sha2.js';
import { armor, type HashAlgorithm } from '@qsign/openpgp';
import { QsignError } from '@qsign/protocol';
import { loadClientConfig } from '@qsign/client';
import { QsignClient, fileClaims } from '@qsign/client';
import { intOption } from '../io.js';
import { readInput as readLocal, writeOutput as writeLocal } from '@qsign/client';
import { certifyKey, clearsign, keyCertificate, looksLikeRpmHeader, resolveKeyName, signOpenPgp } from '@qsign/client';
import { DEFAULT_APPROVAL_WAIT_SECONDS, describeWait } from '@qsign/client';
import { CLIENT_CONFIG, noteFailover } from './options.js';
import { contextInput, contextOutput, type RunContext } from './run-context.js';

/** gpg options rpmsign and scripts pass that mean nothing here (no passphrase, no agent, no tty). */
const IGNORED_GPG_FLAGS = ['--batch', '--no-tty', '--yes', '--no-secmem-warning', '--verbose', '--no-verbose', '-q, --quiet', '--no-permission-warning'];
const IGNORED_GPG_VALUES = ['--pinentry-mode <mode>', '--passphrase-fd <fd>', '--passphrase-file <file>', '--homedir <dir>', '--status-fd <fd>', '--logger-fd <fd>'];

/** Parses a gpg `--digest-algo` value (SHA256, sha256, SHA-256, ...). */
export function digestAlgo(v: string): HashAlgorithm {
  const h = v.toLowerCase().replace('-', '');
  if (h === 'sha1' || h === 'sha256' || h === 'sha512') return h;
  throw new QsignError('INVALID_ARGUMENT', `--digest-algo must be SHA1, SHA256 or SHA512, got ${JSON.stringify(v)}`);
}

/**
 * Registers the commands of this module. With `ctx` (`qsign agent` running
 * `qsign sign` for a thin client), sign uses ctx's client, files and streams.
 */
export function register(program: Command, ctx?: RunContext): void {
  const sign = program
    .command('sign [file]')
    .description('sign a file through the cluster: OpenPGP detached (-b) or cleartext (--clearsign), or raw (--raw: Ed25519, or PKCS#1 v1.5 over SHA-256 for an RSA key); gpg-compatible for rpmsign')
    .option('--key <key>', 'key: its name, user ID e-mail, key ID (16 hex) or fingerprint (40 hex)')
    .option('-u, --local-user <key>', 'the same as --key (gpg spelling; rpmsign passes %_gpg_name)')
    .option('--raw <file>', 'write the raw signature of the file\'s bytes ("-" reads stdin): 64-byte Ed25519, or an RSA key\'s PKCS#1 v1.5 SHA-256 signature (as openssl dgst -sha256 -sign)')
    .option('-b, --detach-sign', 'OpenPGP detached signature')
    .option('-s, --sign', 'accepted with -b (gpg -sb); alone it would mean an inline signed message, which qsign does not make')
    .option('--clearsign', 'cleartext-signed message of a text file')
    .option('-a, --armor', 'ASCII-armored output')
    .option('--no-armor', 'binary output (default for -b)')
    .option('--digest-algo <algo>', 'hash: SHA256 (default), SHA512, SHA1 (legacy verifiers only)', digestAlgo)
    .option('-o, --output <file>', 'signature output (default: FILE.sig / FILE.asc, or stdout when reading stdin)')
    .option('--wait <seconds>', 'how long to wait for nodes whose operators must approve the request', intOption('--wait', 1, 7 * 86400), DEFAULT_APPROVAL_WAIT_SECONDS)
    .option(...CLIENT_CONFIG);
  for (const f of IGNORED_GPG_FLAGS) sign.addOption(new Option(f).hideHelp());
  for (const f of IGNORED_GPG_VALUES) sign.addOption(new Option(f).hideHelp());
  sign.action(async (file: string | undefined, o) => {
    const client = ctx?.client ?? new QsignClient(loadClientConfig(o.config), noteFailover);
    const readInput = (p: string) => (ctx ? contextInput(ctx, p) : readLocal(p));
    const writeOutput = (p: string | undefined, d: Uint8Array | string) => (ctx ? contextOutput(ctx, p, d) : writeLocal(p, d));
    const onStatus = (st: RequestStatus) => (ctx?.stderr ?? ((s: string) => process.stderr.write(s)))(`qsign: ${describeWait(st)}\n`);
    try {
      if (o.raw !== undefined) {
        if (!o.key && !o.localUser) throw new QsignError('INVALID_ARGUMENT', 'missing --key NAME');
        const data = readInput(o.raw);
        const res = await client.sign({ keyName: await resolveKeyName(client, o.key ?? o.localUser), kind: 'raw', data, claims: fileClaims(o.raw, data) }, o.wait * 1000, onStatus);
        writeOutput(o.output, res.signature);
        return;
      }
      const query: string | undefined = o.key ?? o.localUser;
      const wait = { waitMs: o.wait * 1000, onStatus };
      if (!query) throw new QsignError('INVALID_ARGUMENT', 'missing key: pass --key NAME or -u NAME');
      if (!o.detachSign && !o.clearsign)
        throw new QsignError('INVALID_ARGUMENT', 'say what to make: -b/--detach-sign (detached), --clearsign (cleartext) or --raw FILE; inline signed messages are not supported');
      const keyName = await resolveKeyName(client, query);
      const input = file ?? '-';
      const data = readInput(input);
      const claims = { fileName: input === '-' ? '(stdin)' : input, size: data.length, sha256: sha256(data) };
      const hashAlgorithm: HashAlgorithm = o.digestAlgo ?? 'sha256';
      let out: Uint8Array | string;
      if (o.clearsign) {
        out = await clearsign(client, keyName, new TextDecoder().decode(data), { hashAlgorithm, claims, ...wait });
      } else {
        const kind = looksLikeRpmHeader(data) ? 'rpm-header' : 'openpgp';
        const packet = await signOpenPgp(client, keyName, data, { kind, hashAlgorithm, claims, ...wait });
        out = o.armor ? armor('SIGNATURE', packet) : packet;
      }
      const dest = o.output ?? (input === '-' ? undefined : `${input}.${o.armor || o.clearsign ? 'asc' : 'sig'}`);
      writeOutput(dest, out);
    } finally {
      if (!ctx) client.close();
    }
  });

  program
    .command('pubkey')
    .description("print a key's OpenPGP certificate (binary, or --armor), or its raw group public key (--raw: 32-byte Ed25519, or an RSA key's MPI(n) ‖ MPI(e))")
    .requiredOption('--key <key>', 'key: its name, user ID e-mail, key ID or fingerprint')
    .option('-a, --armor', 'ASCII-armored certificate (what rpmkeys --import and gpg --import read)')
    .option('--raw', 'the 32-byte Ed25519 group public key instead of the certificate')
    .option('-o, --output <file>', 'output file (default stdout)')
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      const client = new QsignClient(loadClientConfig(o.config), noteFailover);
      try {
        const keyName = await resolveKeyName(client, o.key);
        if (o.raw) {
          writeLocal(o.output, (await client.key(keyName)).groupPublicKey);
          return;
        }
        const cert = await keyCertificate(client, keyName);
        writeLocal(o.output, o.armor ? armor('PUBLIC KEY BLOCK', cert) : cert);
      } finally {
        client.close();
      }
    });

  program
    .command('certify')
    .description("have the cluster self-certify a key's user ID and store the OpenPGP certificate on its nodes (cluster up does this)")
    .requiredOption('--key <name>', 'key name')
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      const client = new QsignClient(loadClientConfig(o.config));
      try {
        // A stored certificate is never replaced (a change is a lifecycle operation): say so instead of failing.
        const stored = await client.certificate(o.key);
        if (stored) {
          process.stdout.write(`key ${o.key} is already certified: its ${stored.length}-byte certificate is stored on its nodes and matches the pinned key\n`);
          return;
        }
        const cert = await certifyKey(client, o.key);
        process.stdout.write(`certified key ${o.key}: ${cert.length}-byte certificate stored on its nodes\n`);
      } finally {
        client.close();
      }
    });
}

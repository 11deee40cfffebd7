/**
 * qsign key rotate and qsign key verify-transition (docs/rotation.md): hand a key over to
 * its successor so that clients follow — the transition statement signed by the old key,
 * the successor certified by the old key, and a NAME-keyring RPM, signed by the OLD key
 * (the one clients trust now), that installs both certificates and makes rpm trust them.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { armor, dearmor, fingerprint, keyId, parsePackets, toBinary, toHex } from '@qsign/openpgp';
import { QsignError, TRANSITION_REASONS, errorMessage, verifyKeyTransition, parseKeyTransition, type TransitionReason } from '@qsign/protocol';
import { CoordinatorKeysRpcClient } from '@qsign/rpc';
import { OFFICER_OPTION, QsignClient, coordinatorTransport, ensureCertificate, loadClientConfig, loadOfficerKey, rotateKey, rpmCertificate, signRpmBytes } from '@qsign/client';
import { buildKeyringRpm } from '@qsign/keyring';
import { intOption } from '../io.js';
import { CLIENT_CONFIG } from './options.js';

/** The keyring package's base name for key `key`: its e-mail's local part, made safe for rpm (e.g. owner#proj@copr → owner-proj). */
export function keyringName(key: string): string {
  const base = key.replace(/\+r\d+$/, '').split('@')[0]!.replace(/[^A-Za-z0-9._+-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return base || 'qsign';
}

/** The primary key ID (16 hex) of a binary certificate. */
const primaryKeyId = (cert: Uint8Array) => toHex(keyId(fingerprint(parsePackets(cert)[0]!.body)));

/** Every armored block of a file holding one or more certificates, each as binary. */
function certificatesIn(file: string): Uint8Array[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `cannot read ${file}: ${errorMessage(e)}`);
  }
  const blocks = text.match(/-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g);
  if (!blocks) return [toBinary(new Uint8Array(readFileSync(file)), 'PUBLIC KEY BLOCK')];
  return blocks.map((b) => dearmor(b).bytes);
}

/** The certificate in `file` whose primary fingerprint is `fpr` (hex), else the file's first. */
function pick(file: string, fpr: string): Uint8Array {
  const all = certificatesIn(file);
  return all.find((c) => toHex(fingerprint(parsePackets(c)[0]!.body)).toUpperCase() === fpr) ?? all[0]!;
}

/** Options of {@link publishKeyring}. */
interface KeyringJob {
  /** Package base name: builds NAME-keyring, installs /etc/pki/rpm-gpg/RPM-GPG-KEY-NAME. */
  name: string;
  version: string;
  /** Binary certificates, in the file in this order. */
  certificates: Uint8Array[];
  /** The key clients trust now: it signs the package. */
  signingKey: string;
  out: string;
}

/** Builds NAME-keyring (rpmbuild) with all certificates in one file, signs it with `signingKey` through the cluster, writes it to `out`; returns its file name. */
async function publishKeyring(client: QsignClient, j: KeyringJob): Promise<{ rpm: string; certFile: string }> {
  const work = mkdtempSync(join(tmpdir(), 'qsign-keyring-'));
  try {
    const certFile = `RPM-GPG-KEY-${j.name}`;
    const bundle = j.certificates.map((c) => armor('PUBLIC KEY BLOCK', c)).join('');
    writeFileSync(join(j.out, certFile), bundle);
    process.stderr.write(`building ${j.name}-keyring-${j.version}-1 (rpmbuild), signed by ${j.signingKey}\n`);
    const built = await buildKeyringRpm({ name: j.name, version: j.version, release: '1', workDir: work, certificates: [{ fileName: certFile, keyIds: j.certificates.map(primaryKeyId), armored: bundle }] });
    const rpm = `${j.name}-keyring-${j.version}-1.noarch.rpm`;
    writeFileSync(join(j.out, rpm), await signRpmBytes(client, j.signingKey, built.bytes, { fileName: rpm }));
    return { rpm, certFile };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** INVALID_ARGUMENT unless `dir` is a directory (checked before any cluster work). */
function outputDir(dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new QsignError('INVALID_ARGUMENT', `--out ${dir} is not a directory`);
  return dir;
}

const packageName = (explicit: string | undefined, key: string): string => {
  const name = explicit ?? keyringName(key);
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,100}$/.test(name)) throw new QsignError('INVALID_ARGUMENT', `--package ${JSON.stringify(name)} must be letters, digits, . _ + -`);
  return name;
};

/** Registers the commands of this module. */
export function register(program: Command): void {
  const key = program.commands.find((c) => c.name() === 'key') ?? program.command('key');
  key
    .command('rotate')
    .description("hand key K over to its successor K+r2 (DKG): the old key certifies it and signs a transition statement, and NAME-keyring.rpm, signed by the OLD key, makes rpm clients trust the new key")
    .requiredOption('--key <name>', 'the key to rotate')
    .option('--reason <reason>', `why: ${TRANSITION_REASONS.join(' or ')}`, 'superseded')
    .option('--threshold <n>', "the successor's signers needed (default: the coordinator's)", intOption('--threshold', 2, 255))
    .option('--package <name>', 'keyring package base name: builds NAME-keyring and RPM-GPG-KEY-NAME (default: from the key\'s e-mail)')
    .option('--out <dir>', 'where the statement, certificates and keyring RPM go', '.')
    .option('--resume', 'the successor exists from an interrupted rotate: certify, sign and build again without a new DKG')
    .option(...OFFICER_OPTION)
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      if (!TRANSITION_REASONS.includes(o.reason)) throw new QsignError('INVALID_ARGUMENT', `--reason must be one of ${TRANSITION_REASONS.join(', ')}, got ${JSON.stringify(o.reason)}`);
      const name = packageName(o.package, o.key);
      outputDir(o.out);
      const config = loadClientConfig(o.config);
      const officer = loadOfficerKey(o.officer, config);
      const keys = new CoordinatorKeysRpcClient(config.coordinator, coordinatorTransport(config));
      const client = new QsignClient(config);
      try {
        const say = (m: string) => process.stderr.write(`${m}\n`);
        const r = await rotateKey(client, keys, { keyName: o.key, reason: o.reason as TransitionReason, officerSecretKey: officer.secretKey, threshold: o.threshold, resume: o.resume === true, say });
        writeFileSync(join(o.out, `${name}-transition.txt`), r.statement);
        writeFileSync(join(o.out, `${name}-transition.txt.asc`), armor('SIGNATURE', r.signature));
        // One file with both certificates, the file the repository's gpgkey= already names; signed by the OLD key.
        const oldForRpm = rpmCertificate(r.oldCertificate, (await client.key(o.key)).userId);
        const generation = /\+r(\d+)$/.exec(r.successor)![1]!;
        const { rpm, certFile } = await publishKeyring(client, { name, version: generation, certificates: [oldForRpm, r.newCertificate], signingKey: o.key, out: o.out });
        process.stdout.write(`${r.transition.newFingerprint}\n`);
        say(`key ${o.key} → ${r.successor} (${r.transition.newFingerprint}); in ${o.out}: ${name}-transition.txt(.asc), ${certFile}, ${rpm}`);
        say(`publish ${rpm} first; sign new packages with ${r.successor}; ${o.key} keeps signing keyring updates until it is retired`);
      } finally {
        keys.close();
        client.close();
      }
    });

  key
    .command('keyring')
    .description("build NAME-keyring.rpm with the keys' current certificates (new subkeys, revocations; hard-revoked window subkeys left out for rpm < 6), signed by a key clients trust now")
    .requiredOption('--key <name>', 'a key whose certificate the package carries; repeat (e.g. the old key and its successor)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .requiredOption('--keyring-version <v>', 'package version, higher than the last keyring package (e.g. 3)')
    .option('--sign-with <key>', 'the key that signs the package (default: the first --key)')
    .option('--package <name>', 'package base name (default: from the first key\'s e-mail)')
    .option('--out <dir>', 'where the certificate file and the RPM go', '.')
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      if (!o.key.length) throw new QsignError('INVALID_ARGUMENT', '--key is required');
      const name = packageName(o.package, o.key[0]);
      outputDir(o.out);
      const client = new QsignClient(loadClientConfig(o.config));
      try {
        const certificates = [];
        for (const k of o.key as string[]) certificates.push(rpmCertificate(await ensureCertificate(client, k), (await client.key(k)).userId));
        const { rpm, certFile } = await publishKeyring(client, { name, version: o.keyringVersion, certificates, signingKey: o.signWith ?? o.key[0], out: o.out });
        process.stdout.write(`${join(o.out, rpm)}\n`);
        process.stderr.write(`${rpm} installs /etc/pki/rpm-gpg/${certFile} and replaces rpm's stored copies after the transaction\n`);
      } finally {
        client.close();
      }
    });

  key
    .command('verify-transition')
    .description('check a key transition statement with the old certificate alone (offline): signed by the old key, naming the new certificate, which the old key certified')
    .requiredOption('--statement <file>', 'the transition statement (NAME-transition.txt)')
    .requiredOption('--signature <file>', 'its detached signature (NAME-transition.txt.asc)')
    .requiredOption('--old <file>', 'the old certificate, as you already trust it')
    .requiredOption('--new <file>', 'the new certificate (RPM-GPG-KEY-NAME, which may hold both)')
    .action((o) => {
      const read = (f: string) => {
        try {
          return readFileSync(f);
        } catch (e) {
          throw new QsignError('INVALID_ARGUMENT', `cannot read ${f}: ${errorMessage(e)}`);
        }
      };
      const statement = read(o.statement).toString('utf8');
      const said = parseKeyTransition(statement);
      const t = verifyKeyTransition({ statement, signature: new Uint8Array(read(o.signature)), oldCertificate: pick(o.old, said.oldFingerprint), newCertificate: pick(o.new, said.newFingerprint) });
      process.stdout.write(`good transition: ${t.oldKey} (${t.oldFingerprint}) → ${t.newKey} (${t.newFingerprint}), ${new Date(t.date * 1000).toISOString()}, ${t.reason}\n`);
    });
}

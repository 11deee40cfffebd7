/**
 * qsign key rotate and qsign key verify-transition (docs/rotation.md): hand a key over to
 * its successor so that clients follow — the transition statement signed by the old key,
 * the successor certified by the old key, and a NAME-keyring RPM, signed by the OLD key
 * (the one clients trust now), that installs both certificates and makes rpm trust them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { armor, dearmor, fingerprint, keyId, parsePackets, toBinary, toHex } from '@qsign/openpgp';
import { QsignError, TRANSITION_REASONS, errorMessage, verifyKeyTransition, parseKeyTransition, type TransitionReason } from '@qsign/protocol';
import { CoordinatorKeysRpcClient } from '@qsign/rpc';
import { OFFICER_OPTION, QsignClient, coordinatorTransport, loadClientConfig, loadOfficerKey, rotateKey, signRpmBytes } from '@qsign/client';
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
      const name = o.package ?? keyringName(o.key);
      if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,100}$/.test(name)) throw new QsignError('INVALID_ARGUMENT', `--package ${JSON.stringify(name)} must be letters, digits, . _ + -`);
      const config = loadClientConfig(o.config);
      const officer = loadOfficerKey(o.officer, config);
      const keys = new CoordinatorKeysRpcClient(config.coordinator, coordinatorTransport(config));
      const client = new QsignClient(config);
      const work = mkdtempSync(join(tmpdir(), 'qsign-keyring-'));
      try {
        const say = (m: string) => process.stderr.write(`${m}\n`);
        const r = await rotateKey(client, keys, { keyName: o.key, reason: o.reason as TransitionReason, officerSecretKey: officer.secretKey, threshold: o.threshold, resume: o.resume === true, say });
        const out = (f: string) => join(o.out, f);
        writeFileSync(out(`${name}-transition.txt`), r.statement);
        writeFileSync(out(`${name}-transition.txt.asc`), armor('SIGNATURE', r.signature));
        // One file with both certificates: the file the repository's gpgkey= already names.
        const bundle = armor('PUBLIC KEY BLOCK', r.oldCertificate) + armor('PUBLIC KEY BLOCK', r.newCertificate);
        const certFile = `RPM-GPG-KEY-${name}`;
        writeFileSync(out(certFile), bundle);
        const generation = /\+r(\d+)$/.exec(r.successor)![1]!;
        say(`building ${name}-keyring-${generation}-1 (rpmbuild), signed by ${o.key}`);
        const built = await buildKeyringRpm({ name, version: generation, release: '1', workDir: work, certificates: [{ fileName: certFile, keyIds: [primaryKeyId(r.oldCertificate), primaryKeyId(r.newCertificate)], armored: bundle }] });
        const rpmName = `${name}-keyring-${generation}-1.noarch.rpm`;
        writeFileSync(out(rpmName), await signRpmBytes(client, o.key, built.bytes, { fileName: rpmName }));
        process.stdout.write(`${r.transition.newFingerprint}\n`);
        say(`key ${o.key} → ${r.successor} (${r.transition.newFingerprint}); in ${o.out}: ${name}-transition.txt(.asc), ${certFile}, ${rpmName}`);
        say(`publish ${rpmName} first; sign new packages with ${r.successor}; ${o.key} keeps signing keyring updates until it is retired`);
      } finally {
        rmSync(work, { recursive: true, force: true });
        keys.close();
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

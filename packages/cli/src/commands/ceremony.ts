/**
 * qsign ceremony …: key ceremonies (split, verify, recover, reshare).
 */
import type { Command } from 'commander';
import { QSIGN_HINT, QsignError } from '@qsign/protocol';
import { ceremonySplit, ceremonyVerify, parseKofL, parseNodeList, recoverTo, type KeySource } from '@qsign/ceremony';
import { intOption } from '../io.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/** Registers the commands of this module. */
export function register(program: Command): void {
  const ceremony = program.command('ceremony').description('key ceremonies: split, verify, recover, reshare');
  ceremony
    .command('split')
    .description('generate or import a key and split it N-of-M with a trusted dealer (RFC 9591 App. C); each share encrypted to its node\'s enrollment key')
    .requiredOption('--threshold <n>', 'shares needed to sign (N)', intOption('--threshold', 0, 255))
    .option('--shares <m>', 'number of shares (M; default: the number of --node entries)', intOption('--shares', 0, 255))
    .requiredOption('--out <dir>', 'output directory (must be empty or absent)')
    .option('--key-name <name>', 'key name', 'demo')
    .option('--user-id <uid>', 'OpenPGP user ID for a generated key (default "LOCALPART <EMAIL>" for an email key name, as cluster up; an imported gpg key keeps its own)')
    .option('--node <id=enrollment-pub>', "node id and its enrollment public key (DIR/enrollment.pub of 'qsign node init'); repeat per node", collect, [])
    .option('--nodes-file <file>', 'file listing "ID=ENROLLMENT_PUB" lines')
    .option('--import-gpg <file>', 'import an unencrypted OpenPGP Ed25519 or RSA secret key (gpg --export-secret-keys); keeps its user ID and creation time, and so its fingerprint (RSA: also its expiry and self-signatures, dealt as Shoup threshold RSA shares)')
    .option('--import-seed <file>', 'import a raw 32-byte Ed25519 seed')
    .option('--created <unix-seconds>', 'key creation time for a generated key', intOption('--created', 1, 2 ** 32 - 1))
    .option('--recovery-kit <K/L>', 'also split the seed into L paper recovery shares, K to recover')
    .action(async (o) => {
      if (o.importGpg && o.importSeed) throw new QsignError('INVALID_ARGUMENT', 'give --import-gpg or --import-seed, not both');
      const source: KeySource = o.importGpg ? { kind: 'gpg', file: o.importGpg } : o.importSeed ? { kind: 'seed', file: o.importSeed } : { kind: 'generate' };
      const nodes = parseNodeList(o.node, o.nodesFile);
      if (nodes.length === 0) process.stderr.write('qsign: warning: no --node enrollment keys: share files are written in the clear (development only)\n');
      const r = await ceremonySplit({
        out: o.out,
        keyName: o.keyName,
        threshold: o.threshold,
        shares: o.shares ?? (nodes.length || undefined),
        nodes,
        source,
        userId: o.userId,
        createdUnixSeconds: o.created,
        recoveryKit: o.recoveryKit ? parseKofL(o.recoveryKit, '--recovery-kit') : undefined,
      });
      process.stdout.write(
        `split key ${o.keyName} ${o.threshold}-of-${o.shares ?? nodes.length}\n  group public key ${r.groupPublicKey}\n  OpenPGP fingerprint ${r.fingerprint.toUpperCase()}\n  user id ${r.userId}\n${r.files.map((w) => `  ${w}\n`).join('')}`,
      );
    });
  ceremony
    .command('verify')
    .description("check a ceremony directory: transcript hashes, public package, certificate, share files; with --node-config the node checks its own share with its enrollment key")
    .requiredOption('--dir <dir>', 'ceremony output directory')
    .option('--node-config <file>', "a running node's config: its operator socket decrypts and checks its own share (stores nothing)")
    .action(async (o) => {
      for (const line of await ceremonyVerify(o.dir, { nodeConfig: o.nodeConfig })) process.stdout.write(`ok  ${line}\n`);
      process.stdout.write('ceremony verifies\n');
    });
  ceremony
    .command('recover')
    .description('offline disaster recovery: rebuild the secret from K recovery-kit shares (--kit) or N plain share files (--shares), written to --out (mode 0600)')
    .option('--kit <files...>', 'recovery kit share files')
    .option('--shares <files...>', 'plain (v1) node share files')
    .option('--expect <hex>', 'expected group public key (hex)')
    .option('--created <unix-seconds>', "the key's creation time, for kit files that do not carry it (public-key.json createdUnixSeconds)", intOption('--created', 1, 2 ** 32 - 1))
    .requiredOption('--out <file>', 'where to write the 32-byte secret (seed for --kit, scalar for --shares)')
    .action(async (o) => {
      if (!!o.kit === !!o.shares) throw new QsignError('INVALID_ARGUMENT', 'give --kit or --shares');
      const r = await recoverTo(o.out, o.kit ? { kind: 'kit', files: o.kit, expectPublicKey: o.expect, createdUnixSeconds: o.created } : { kind: 'shares', files: o.shares, expectPublicKey: o.expect });
      process.stdout.write(`recovered the ${r.kind} of public key ${r.publicKey} into ${o.out}${r.kind === 'seed' ? ` (re-split it with: ${QSIGN_HINT} ceremony split --import-seed ${o.out} …)` : ''}\n`);
    });
}

/**
 * qsign keygen, qsign ceremony reshare and qsign pubkey --armor: key
 * lifecycle through a running cluster.
 */
import type { Command } from 'commander';
import { bytesToHex } from '@noble/hashes/utils.js';
import { armor } from '@qsign/openpgp';
import { QsignError, newResharePlan, signResharePlan } from '@qsign/protocol';
import { CoordinatorKeysRpcClient } from '@qsign/rpc';
import { coordinatorTransport, loadClientConfig } from '../client-config.js';
import { QsignClient } from '../client.js';
import { certifyKey, ensureCertificate } from '../openpgp-sign.js';
import { parseNodeList } from '../ceremony-split.js';
import { intOption, writeOutput } from '../io.js';
import { CLIENT_CONFIG } from './options.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/** Registers the commands of this module. */
export function register(program: Command): void {
  program
    .command('keygen')
    .description('create a key by dealerless DKG on the cluster (named by the email, as Copr\'s sign -u EMAIL expects) and print its OpenPGP fingerprint')
    .requiredOption('--name <real-name>', 'real name for the user id')
    .requiredOption('--email <email>', 'email: the key name and the user id address')
    .option('--threshold <n>', 'signers needed (default: the coordinator\'s, a majority)', intOption('--threshold', 2, 255))
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      const config = loadClientConfig(o.config);
      const keys = new CoordinatorKeysRpcClient(config.coordinator, coordinatorTransport(config));
      const client = new QsignClient(config);
      try {
        process.stderr.write(`running DKG for ${o.email}…\n`);
        const k = await keys.generateKey(o.email, `${o.name} <${o.email}>`, o.threshold ?? 0);
        if (!k.created) throw new QsignError('KEY_EXISTS', `key ${o.email} already exists (fingerprint ${bytesToHex(k.fingerprint).toUpperCase()})`);
        await certifyKey(client, o.email);
        process.stdout.write(`${bytesToHex(k.fingerprint).toUpperCase()}\n`);
        process.stderr.write(`key ${o.email}: ${k.minSigners}-of-${k.maxSigners}, group public key ${bytesToHex(k.groupPublicKey)}, self-certified by the cluster\n`);
      } finally {
        keys.close();
        client.close();
      }
    });

  program
    .command('certificate')
    .description("print a key's OpenPGP certificate (armored), self-certifying it through the cluster first if it has none")
    .requiredOption('--key <name>', 'key name')
    .option('-o, --output <file>', 'output file (default stdout)')
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      const config = loadClientConfig(o.config);
      const client = new QsignClient(config);
      try {
        writeOutput(o.output, armor('PUBLIC KEY BLOCK', await ensureCertificate(client, o.key)));
      } finally {
        client.close();
      }
    });

  const ceremony = program.commands.find((c) => c.name() === 'ceremony') ?? program.command('ceremony');
  ceremony
    .command('reshare')
    .description('move a key to a new node set / threshold without reconstructing it; the group key is unchanged, old shares outside the new set are retired')
    .requiredOption('--key <name>', 'key name')
    .requiredOption('--dealers <ids>', 'old holders that deal, comma-separated (at least the old threshold)')
    .requiredOption('--threshold <n>', 'new threshold', intOption('--threshold', 0, 255))
    .option('--node <id=enrollment-pub>', 'every dealer and new holder with its enrollment public key; repeat', collect, [])
    .option('--nodes-file <file>', 'file listing "ID=ENROLLMENT_PUB" lines')
    .requiredOption('--new <ids>', 'new holders, comma-separated')
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      const config = loadClientConfig(o.config);
      const client = new QsignClient(config);
      const keys = new CoordinatorKeysRpcClient(config.coordinator, coordinatorTransport(config));
      try {
        const ids = (s: string) => s.split(',').map((x) => Number(x.trim())).sort((a, b) => a - b);
        const enroll = new Map(parseNodeList(o.node, o.nodesFile).map((n) => [n.id, n.enrollmentKey]));
        const pick = (list: number[]) =>
          list.map((id) => {
            const k = enroll.get(id);
            if (!k) throw new QsignError('INVALID_ARGUMENT', `no enrollment key given for node ${id} (--node ${id}=…)`);
            return { id, enrollmentKey: k };
          });
        const info = await client.key(o.key);
        const plan = newResharePlan({
          keyName: o.key,
          groupPublicKey: bytesToHex(info.groupPublicKey),
          oldPackage: {
            minSigners: info.minSigners,
            maxSigners: info.maxSigners,
            groupPublicKey: bytesToHex(info.groupPublicKey),
            verifyingShares: Object.fromEntries(Object.entries(info.verifyingShares).map(([k, v]) => [k, bytesToHex(v)])),
            vssCommitment: [],
          },
          dealers: ids(o.dealers),
          dealerKeys: pick(ids(o.dealers)),
          newThreshold: o.threshold,
          newNodes: pick(ids(o.new)),
          userId: info.userId,
          createdUnixSeconds: info.createdUnixSeconds,
        });
        const r = await keys.reshare(signResharePlan(plan, config.secretKey));
        process.stdout.write(`key ${o.key} reshared: ${o.threshold}-of-${r.newHolders.length} on nodes ${r.newHolders.join(', ')}; retired on ${r.retired.join(', ') || 'none'}; group key unchanged ${bytesToHex(r.groupPublicKey)}\n`);
      } finally {
        client.close();
        keys.close();
      }
    });
}

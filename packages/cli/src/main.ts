/**
 * The `qsign` command tree.
 */
import { Command, CommanderError } from 'commander';
import { bytesToHex } from '@noble/hashes/utils.js';
import { QsignError } from '@qsign/protocol';
import { startNode, loadNodeConfig, openNodeStore, NodeSigner, nonceHedge } from '@qsign/node';
import { startCoordinator } from '@qsign/coordinator';
import { decodeShareFile } from '@qsign/protocol';
import { loadClientConfig } from './client-config.js';
import { QsignClient, fileClaims } from './client.js';
import { splitKey, wipeShares, writeSplit } from './ceremony.js';
import { clusterDown, clusterUp } from './cluster.js';
import { intOption, readInput, reportError, writeOutput } from './io.js';
import { readFileSync } from 'node:fs';

/** The client config option shared by client commands. */
const CLIENT_CONFIG = ['-c, --config <file>', 'client config (default: $QSIGN_CONFIG, else ./client.json)'] as const;

/** Runs a long-lived daemon until SIGTERM/SIGINT. */
async function runDaemon(start: () => Promise<{ stop(): Promise<void> }>): Promise<void> {
  const d = await start();
  await new Promise<void>((resolve) => {
    const stop = () => void d.stop().finally(resolve);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/** Builds the program; `main` parses and runs it. */
export function buildProgram(program: Command): Command {
  program
    .name('qsign')
    .description('Threshold signing cluster: N of M share-holder nodes make one ordinary Ed25519 / OpenPGP signature.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const cluster = program.command('cluster').description('a local development cluster (like `vault server -dev`)');
  cluster
    .command('up')
    .description('split a key "demo", start M nodes and a coordinator on loopback, wait until healthy')
    .requiredOption('--dir <dir>', 'directory for configs, data, logs, cluster.json and client.json')
    .option('--nodes <m>', 'number of share-holder nodes', intOption('--nodes', 2, 64), 5)
    .option('--threshold <n>', 'nodes needed to sign', intOption('--threshold', 2, 64), 3)
    .option('--key <name>', 'name of the key to create', 'demo')
    .action(async (o) => {
      if (o.threshold > o.nodes) throw new QsignError('INVALID_ARGUMENT', `--threshold ${o.threshold} is greater than --nodes ${o.nodes}`);
      const c = await clusterUp({ dir: o.dir, nodes: o.nodes, threshold: o.threshold, keyName: o.key, progress: (m) => process.stderr.write(`• ${m}\n`) });
      process.stdout.write(
        `cluster up: ${c.nodes.length} nodes, threshold ${c.threshold}, coordinator ${c.coordinator.address}\n` +
          `  key:        ${c.keyName}\n  state:      ${o.dir}/cluster.json\n  client:     ${c.clientConfig}\n\n` +
          `try:\n  export QSIGN_CONFIG=${c.clientConfig}\n  qsign sign --key ${c.keyName} --raw FILE -o FILE.sig\n  qsign pubkey --key ${c.keyName} --raw -o key.pub\n  qsign cluster down --dir ${o.dir}\n`,
      );
    });
  cluster
    .command('down')
    .description('stop every process of a development cluster')
    .requiredOption('--dir <dir>', 'the directory given to `cluster up`')
    .action(async (o) => {
      const n = await clusterDown(o.dir);
      process.stdout.write(`cluster down: stopped ${n} processes\n`);
    });
  cluster
    .command('status')
    .description('node health as the coordinator sees it')
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      const client = new QsignClient(loadClientConfig(o.config));
      try {
        const s = await client.status();
        for (const n of s.nodes) process.stdout.write(`node ${n.nodeId}  ${n.address}  ${n.healthy ? 'healthy' : `DOWN (${n.lastError})`}  commitments ${n.cachedCommitments}\n`);
      } finally {
        client.close();
      }
    });

  const ceremony = program.command('ceremony').description('key ceremonies');
  ceremony
    .command('split')
    .description('generate a key and split it N-of-M with a trusted dealer (RFC 9591 App. C); one share file per node')
    .requiredOption('--threshold <n>', 'shares needed to sign (N)', intOption('--threshold', 2, 255))
    .requiredOption('--shares <m>', 'number of shares (M)', intOption('--shares', 2, 255))
    .requiredOption('--out <dir>', 'output directory (must be empty or absent)')
    .option('--key-name <name>', 'key name', 'demo')
    .option('--user-id <uid>', 'OpenPGP user ID', '')
    .action(async (o) => {
      const { files, publicKeyPackage } = splitKey({ keyName: o.keyName, threshold: o.threshold, shares: o.shares, userId: o.userId || `${o.keyName}` });
      try {
        const written = writeSplit(o.out, files, publicKeyPackage);
        process.stdout.write(`split key ${o.keyName} ${o.threshold}-of-${o.shares}; group public key ${bytesToHex(publicKeyPackage.groupPublicKey)}\n${written.map((w) => `  ${w}\n`).join('')}`);
      } finally {
        wipeShares(files);
      }
    });

  const node = program.command('node').description('run and manage a share-holder node');
  node
    .command('start')
    .description('run a node daemon in the foreground')
    .requiredOption('--config <file>', 'node config (JSON)')
    .action(async (o) => runDaemon(() => startNode(o.config)));
  node
    .command('import')
    .description('import share files into a stopped node')
    .requiredOption('--config <file>', 'node config (JSON)')
    .argument('<share-files...>')
    .action(async (shareFiles: string[], o) => {
      const cfg = loadNodeConfig(o.config);
      const store = await openNodeStore(cfg);
      try {
        const signer = new NodeSigner(cfg, store, await nonceHedge(store));
        for (const f of shareFiles) {
          const share = decodeShareFile(readFileSync(f, 'utf8'), f);
          await signer.importShare(share);
          process.stdout.write(`imported key ${share.keyName} (identifier ${share.identifier})\n`);
        }
      } finally {
        await store.close();
      }
    });

  program
    .command('coordinator')
    .description('run the coordinator')
    .command('start')
    .description('run a coordinator daemon in the foreground')
    .requiredOption('--config <file>', 'coordinator config (JSON)')
    .action(async (o) => runDaemon(() => startCoordinator(o.config)));

  program
    .command('sign')
    .description('sign a file through the cluster')
    .requiredOption('--key <name>', 'key name')
    .requiredOption('--raw <file>', 'write the 64-byte Ed25519 signature of the file\'s bytes ("-" reads stdin)')
    .option('-o, --output <file>', 'signature output (default stdout)')
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      const data = readInput(o.raw);
      const client = new QsignClient(loadClientConfig(o.config));
      try {
        const res = await client.sign({ keyName: o.key, kind: 'raw', data, claims: fileClaims(o.raw, data) });
        writeOutput(o.output, res.signature);
      } finally {
        client.close();
      }
    });

  program
    .command('pubkey')
    .description("print a key's public key")
    .requiredOption('--key <name>', 'key name')
    .requiredOption('--raw', 'the 32-byte Ed25519 group public key')
    .option('-o, --output <file>', 'output file (default stdout)')
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      const client = new QsignClient(loadClientConfig(o.config));
      try {
        const k = await client.key(o.key);
        writeOutput(o.output, k.groupPublicKey);
      } finally {
        client.close();
      }
    });
  return program;
}

/** Parses argv and runs; resolves to the process exit code. */
export async function main(argv: string[], program: Command): Promise<number> {
  buildProgram(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    return reportError('qsign', e);
  }
}

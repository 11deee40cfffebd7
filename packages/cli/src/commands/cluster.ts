/**
 * qsign cluster up | down | status: a local development cluster.
 */
import type { Command } from 'commander';
import { QsignError } from '@qsign/protocol';
import { loadClientConfig } from '../client-config.js';
import { QsignClient } from '../client.js';
import { clusterDown, clusterUp } from '../cluster.js';
import { intOption } from '../io.js';
import { CLIENT_CONFIG } from './options.js';

/** Registers the commands of this module. */
export function register(program: Command): void {
  const cluster = program.command('cluster').description('a local development cluster (like `vault server -dev`)');
  cluster
    .command('up')
    .description('split a key "demo", start M nodes and a coordinator on loopback, wait until healthy')
    .requiredOption('--dir <dir>', 'directory for configs, data, logs, cluster.json and client.json')
    .option('--nodes <m>', 'number of share-holder nodes', intOption('--nodes', 2, 64), 5)
    .option('--threshold <n>', 'nodes needed to sign', intOption('--threshold', 2, 64), 3)
    .option('--key <name>', 'name of the key to create (an email for obs-sign clients: sign -u EMAIL)', 'demo')
    .option('--user-id <uid>', 'OpenPGP user ID of the key (default "LOCALPART <EMAIL>" for email names)')
    .option('--insecure-plaintext', 'development: plaintext gRPC on loopback instead of mutual TLS (default: TLS, CA and certificates in DIR/pki)')
    .action(async (o) => {
      if (o.threshold > o.nodes) throw new QsignError('INVALID_ARGUMENT', `--threshold ${o.threshold} is greater than --nodes ${o.nodes}`);
      const c = await clusterUp({ dir: o.dir, nodes: o.nodes, threshold: o.threshold, keyName: o.key, userId: o.userId, plaintext: o.insecurePlaintext === true, progress: (m) => process.stderr.write(`• ${m}\n`) });
      process.stdout.write(
        `cluster up: ${c.nodes.length} nodes, threshold ${c.threshold}, coordinator ${c.coordinator.address} (${o.insecurePlaintext ? 'PLAINTEXT, development' : `mutual TLS, CA ${o.dir}/pki/ca.crt`})\n` +
          `  key:        ${c.keyName}\n  state:      ${o.dir}/cluster.json\n  client:     ${c.clientConfig}\n\n` +
          `try:\n  export QSIGN_CONFIG=${c.clientConfig}\n  qsign sign --key ${c.keyName} --raw FILE -o FILE.sig\n  qsign pubkey --key ${c.keyName} --armor > key.asc\n  qsign cluster down --dir ${o.dir}\n`,
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

}

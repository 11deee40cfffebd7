/**
 * qsign cluster up | down | status: a local development cluster.
 */
import type { Command } from 'commander';
import { QSIGN_HINT, QsignError } from '@qsign/protocol';
import { loadClientConfig } from '@qsign/client';
import { QsignClient } from '@qsign/client';
import { clusterCoordinators, clusterDown, clusterUp, type ClusterFile } from '@qsign/devcluster';
import { clusterReload, clusterRestart, clusterStart, hasCluster } from '@qsign/devcluster';
import { intOption } from '../io.js';
import { CLIENT_CONFIG } from './options.js';
import { windowDuration } from './keys.js';

/** Registers the commands of this module. */
export function register(program: Command): void {
  const cluster = program.command('cluster').description('a local development cluster (like `vault server -dev`)');
  cluster
    .command('up')
    .description('split a key "demo", start M nodes and a coordinator (or several) on loopback, wait until healthy; on a directory that holds a stopped cluster, start it again')
    .requiredOption('--dir <dir>', 'directory for configs, data, logs, cluster.json and client.json')
    .option('--nodes <m>', 'number of share-holder nodes', intOption('--nodes', 2, 64), 5)
    .option('--threshold <n>', 'nodes needed to sign', intOption('--threshold', 2, 64), 3)
    .option('--key <name>', 'name of the key to create (an email for obs-sign clients: sign -u EMAIL)', 'demo')
    .option('--user-id <uid>', 'OpenPGP user ID of the key (default "LOCALPART <EMAIL>" for email names)')
    .option('--coordinators <n>', 'coordinators over the same nodes; client.json lists them all and the client fails over', intOption('--coordinators', 1, 8), 1)
    .option('--metrics', 'serve Prometheus metrics from every daemon on a loopback port (metricsListen)')
    .option('--insecure-plaintext', 'development: plaintext gRPC on loopback instead of mutual TLS (default: TLS, CA and certificates in DIR/pki)')
    .option('--key-type <type>', 'ed25519 (FROST), rsa2048 or rsa4096 (Shoup threshold RSA; a new safe-prime key dealt by this process)', 'ed25519')
    .option('--no-agent', 'do not start a qsign agent (docs/agent.md): sign calls then connect to the coordinator themselves')
    .option('--import-gpg <file>', 'the cluster key is this unencrypted RSA secret key (gpg --export-secret-keys); keeps its fingerprint and certificate')
    .option('--window <duration>', 'make the key windowed: a certification-only primary with one signing subkey per window of this length (e.g. 7d; s, m, h, d, w), the current window and the next made by DKG (docs/windows.md)')
    .action(async (o) => {
      const windowSeconds = o.window === undefined ? undefined : windowDuration(o.window);
      if (windowSeconds !== undefined && o.keyType !== 'ed25519') throw new QsignError('INVALID_ARGUMENT', `--window makes Ed25519 window subkeys; it does not go with --key-type ${o.keyType}`);
      if (!['ed25519', 'rsa2048', 'rsa4096'].includes(o.keyType)) throw new QsignError('INVALID_ARGUMENT', `--key-type must be ed25519, rsa2048 or rsa4096, got ${JSON.stringify(o.keyType)}`);
      if (o.threshold > o.nodes) throw new QsignError('INVALID_ARGUMENT', `--threshold ${o.threshold} is greater than --nodes ${o.nodes}`);
      const progress = (m: string) => process.stderr.write(`• ${m}\n`);
      if (hasCluster(o.dir)) {
        progress(`${o.dir} already holds a cluster: starting it again (its own nodes, threshold and keys)`);
        return printUp(await clusterStart(o.dir, { progress }), o.dir);
      }
      printUp(await clusterUp({ dir: o.dir, nodes: o.nodes, threshold: o.threshold, keyName: o.key, userId: o.userId, coordinators: o.coordinators, metrics: o.metrics === true, plaintext: o.insecurePlaintext === true, keyType: o.keyType, importGpg: o.importGpg, windowSeconds, agent: o.agent !== false, progress }), o.dir);
    });
  cluster
    .command('start')
    .description('start a stopped development cluster again from its cluster.json (after cluster down)')
    .requiredOption('--dir <dir>', 'the directory given to `cluster up`')
    .action(async (o) => printUp(await clusterStart(o.dir, { progress: (m) => process.stderr.write(`• ${m}\n`) }), o.dir));
  cluster
    .command('restart')
    .description('restart one process of a development cluster (e.g. after editing its config); cluster.json keeps its new pid')
    .argument('<node>', 'node id, or "coordinator"')
    .requiredOption('--dir <dir>', 'the directory given to `cluster up`')
    .action(async (which: string, o) => {
      const p = await clusterRestart(o.dir, which);
      process.stdout.write(`restarted ${p.id === 0 ? 'the coordinator' : `node ${p.id}`} (pid ${p.pid})\n`);
    });
  cluster
    .command('reload')
    .description("make a node re-read its policy (SIGHUP; audited as 'config-changed'); see its log for the outcome, or use `node reload`")
    .argument('<node>', 'node id')
    .requiredOption('--dir <dir>', 'the directory given to `cluster up`')
    .action(async (which: string, o) => {
      const p = clusterReload(o.dir, which);
      process.stdout.write(`asked node ${p.id} to reload its policy (log: ${p.log})\n`);
    });
  cluster
    .command('down')
    .description('stop every process of a development cluster (cluster start brings it back)')
    .requiredOption('--dir <dir>', 'the directory given to `cluster up`')
    .action(async (o) => {
      const n = await clusterDown(o.dir);
      process.stdout.write(`cluster down: stopped ${n} processes (start again: ${QSIGN_HINT} cluster start --dir ${o.dir})\n`);
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

/** What `cluster up` / `cluster start` print: where things are and commands that work as typed. */
function printUp(c: ClusterFile, dir: string): void {
  const coordinators = clusterCoordinators(c);
  process.stdout.write(
    `cluster up: ${c.nodes.length} nodes, threshold ${c.threshold}, coordinator${coordinators.length > 1 ? 's' : ''} ${coordinators.map((x) => x.address).join(', ')} (${loadClientConfig(c.clientConfig).transport.kind === 'insecure' ? 'PLAINTEXT, development' : `mutual TLS, CA ${dir}/pki/ca.crt`})\n` +
      (c.nodes[0]?.metrics ? `  metrics:    ${[...coordinators, ...c.nodes].map((x) => `http://${x.metrics}/metrics`).join(' ')}\n` : '') +
      `  key:        ${c.keyName}\n  state:      ${dir}/cluster.json\n  client:     ${c.clientConfig}\n` +
      (c.agent ? `  agent:      ${c.agent.address} (sign calls go through it; docs/agent.md)\n` : '') +
      '\n' +
      `try:\n  export QSIGN_CONFIG=${c.clientConfig}\n  echo hello > FILE\n  ${QSIGN_HINT} sign --key ${c.keyName} --raw FILE -o FILE.sig\n  ${QSIGN_HINT} pubkey --key ${c.keyName} --armor > key.asc\n  ${QSIGN_HINT} cluster down --dir ${dir}\n`,
  );
}

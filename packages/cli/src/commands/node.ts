/**
 * qsign node … and qsign coordinator start: run the daemons.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { startNode, loadNodeConfig, importOffline } from '@qsign/devcluster';
import { nodeInit, nodeUnseal, nodeImportOnline, canReachSocket } from '@qsign/devcluster';
import { startCoordinator } from '@qsign/devcluster';
import { NodeAdminRpcClient } from '@qsign/rpc';
import { runDaemon } from './options.js';
import { intOption } from '../io.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/** Registers the commands of this module. */
export function register(program: Command): void {
  const node = program.command('node').description('run and manage a share-holder node');
  node
    .command('start')
    .description('run a node daemon in the foreground')
    .requiredOption('--config <file>', 'node config (JSON)')
    .action(async (o) => runDaemon(() => startNode(o.config)));
  node
    .command('init')
    .description('create a node directory: node.json, store, X25519 enrollment key, and a master key split into unseal shares (or a dev master key file)')
    .requiredOption('--dir <dir>', 'node directory to create')
    .requiredOption('--id <n>', 'node id (its FROST identifier)', intOption('--id', 1, 0xffff))
    .option('--listen <host:port>', 'gRPC listen address (default 127.0.0.1:7400+id)')
    .option('--unseal <K/L>', 'unseal shares: L printed once, K needed to unseal', '3/5')
    .option('--dev-master-key', 'development: write the master key to DIR/master.key (node starts unsealed)')
    .option('--client <name=pubhex...>', 'allowed signing client key(s)', collect, [])
    .option('--officer <name=pubhex...>', 'officer key(s): may start DKG, reshare and retire (lifecycle operations)', collect, [])
    .option('--peer <id=enrollhex...>', "pinned peer enrollment key(s) (for DKG and reshare)", collect, [])
    .option('--tls-ca <file>', 'cluster CA certificate (mutual TLS, docs/tls.md)')
    .option('--tls-cert <file>', "this node's certificate (qsign pki issue --node ID)")
    .option('--tls-key <file>', "this node's TLS private key")
    .option('--coordinator <name>', 'a coordinator this node serves (tls.coordinators; repeatable)', collect, [])
    .action(async (o) => nodeInit(o));
  node
    .command('unseal')
    .description('unseal a running node with K unseal shares (from arguments, or one per line on stdin / prompted)')
    .requiredOption('--config <file>', 'node config (JSON); its adminSocket is used')
    .argument('[shares...]', 'unseal shares (hex); omit to read them from stdin')
    .action(async (shares: string[], o) => nodeUnseal(o.config, shares));
  node
    .command('import')
    .description('import share files (encrypted qsign-share/v2, or plain v1) into a node: over its operator socket if it runs, else offline (dev master key only)')
    .requiredOption('--config <file>', 'node config (JSON)')
    .argument('<share-files...>')
    .action(async (shareFiles: string[], o) => {
      const cfg = loadNodeConfig(o.config);
      const texts = shareFiles.map((f) => readFileSync(f, 'utf8'));
      if (await canReachSocket(cfg.adminSocket)) return nodeImportOnline(cfg.adminSocket, texts);
      for (const k of (await importOffline(cfg, { texts })).keys) process.stdout.write(`imported key ${k}\n`);
    });

  node
    .command('status')
    .description("a node's state, over its operator socket")
    .requiredOption('--config <file>', 'node config (JSON); its adminSocket is used')
    .action(async (o) => {
      const admin = new NodeAdminRpcClient(loadNodeConfig(o.config).adminSocket);
      try {
        const s = await admin.status();
        process.stdout.write(
          `node ${s.nodeId}  ${s.sealed ? 'SEALED' : 'unsealed'}  listening ${s.listen}  up since ${new Date(s.startedUnixMs).toISOString()}\n` +
            `  keys: ${s.keys.length} (${s.keys.slice(0, 10).join(', ')}${s.keys.length > 10 ? ', …' : ''})\n  unused nonces: ${s.unusedNonces}\n  audit records: ${s.auditSize}\n` +
            `  identity: ${s.verifierKey || '(sealed: unseal the node to read it)'}\n` +
            `  RSA keygen dealers accepted: ${s.rsaDealers.length ? `node ${s.rsaDealers.join(', ')}` : 'none'} (this node ${s.rsaDealers.includes(s.nodeId) ? 'may' : 'may not'} deal; lifecycle.rsaDealers)\n`,
        );
      } finally {
        admin.close();
      }
    });

  node
    .command('reload')
    .description("re-read a running node's policy from its config file (audited as 'config-changed'; same as SIGHUP); other changes need a restart")
    .requiredOption('--config <file>', 'node config (JSON); its adminSocket is used')
    .action(async (o) => {
      const admin = new NodeAdminRpcClient(loadNodeConfig(o.config).adminSocket);
      try {
        const r = await admin.reloadPolicy();
        process.stdout.write(`${r.changed ? 'policy reloaded' : 'policy unchanged'} (sha256 ${r.policySha256.slice(0, 16)}…)\n`);
        if (r.needsRestart.length) process.stdout.write(`not applied until the node restarts: ${r.needsRestart.join(', ')}\n`);
      } finally {
        admin.close();
      }
    });

  program
    .command('coordinator')
    .description('run the coordinator')
    .command('start')
    .description('run a coordinator daemon in the foreground')
    .requiredOption('--config <file>', 'coordinator config (JSON)')
    .action(async (o) => runDaemon(() => startCoordinator(o.config)));

}

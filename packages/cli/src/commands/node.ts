/**
 * qsign node … and qsign coordinator start: run the daemons.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { decodeShareFile } from '@qsign/protocol';
import { startNode, loadNodeConfig, openNodeStore, NodeSigner, nonceHedge } from '@qsign/node';
import { startCoordinator } from '@qsign/coordinator';
import { NodeAdminRpcClient } from '@qsign/rpc';
import { runDaemon } from './options.js';

/** Registers the commands of this module. */
export function register(program: Command): void {
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
            `  keys: ${s.keys.length} (${s.keys.slice(0, 10).join(', ')}${s.keys.length > 10 ? ', …' : ''})\n  unused nonces: ${s.unusedNonces}\n  audit records: ${s.auditSize}\n`,
        );
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

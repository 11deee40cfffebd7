/**
 * qsign node … and qsign coordinator start: run the daemons.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { decodeShareFile } from '@qsign/protocol';
import { startNode, loadNodeConfig, openNodeStore, NodeSigner, nonceHedge } from '@qsign/node';
import { startCoordinator } from '@qsign/coordinator';
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

  program
    .command('coordinator')
    .description('run the coordinator')
    .command('start')
    .description('run a coordinator daemon in the foreground')
    .requiredOption('--config <file>', 'coordinator config (JSON)')
    .action(async (o) => runDaemon(() => startCoordinator(o.config)));

}

/**
 * qsign sign and qsign pubkey: client commands.
 */
import type { Command } from 'commander';
import { loadClientConfig } from '../client-config.js';
import { QsignClient, fileClaims } from '../client.js';
import { intOption, readInput, writeOutput } from '../io.js';
import { describeWait } from './operator.js';
import { CLIENT_CONFIG } from './options.js';

/** Registers the commands of this module. */
export function register(program: Command): void {
  program
    .command('sign')
    .description('sign a file through the cluster')
    .requiredOption('--key <name>', 'key name')
    .requiredOption('--raw <file>', 'write the 64-byte Ed25519 signature of the file\'s bytes ("-" reads stdin)')
    .option('-o, --output <file>', 'signature output (default stdout)')
    .option('--wait <seconds>', 'how long to wait for nodes whose operators must approve the request', intOption('--wait', 1, 7 * 86400), 600)
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      const data = readInput(o.raw);
      const client = new QsignClient(loadClientConfig(o.config));
      try {
        const res = await client.sign({ keyName: o.key, kind: 'raw', data, claims: fileClaims(o.raw, data) }, o.wait * 1000, (s) => process.stderr.write(`qsign: ${describeWait(s)}\n`));
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
}

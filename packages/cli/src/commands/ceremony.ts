/**
 * qsign ceremony …: key ceremonies.
 */
import type { Command } from 'commander';
import { bytesToHex } from '@noble/hashes/utils.js';
import { splitKey, wipeShares, writeSplit } from '../ceremony.js';
import { intOption } from '../io.js';

/** Registers the commands of this module. */
export function register(program: Command): void {
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

}

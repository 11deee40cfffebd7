/**
 * qsign rpm sign: sign RPM packages in place through the cluster.
 */
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { QsignError } from '@qsign/protocol';
import { loadClientConfig } from '@qsign/client';
import { QsignClient } from '@qsign/client';
import { intOption } from '../io.js';
import { resolveKeyName, signRpmFiles } from '@qsign/client';
import { DEFAULT_APPROVAL_WAIT_SECONDS, describeWait } from '@qsign/client';
import { digestAlgo } from './sign.js';
import { CLIENT_CONFIG, noteFailover } from './options.js';

/** Registers the commands of this module. */
export function register(program: Command): void {
  const rpm = program.command('rpm').description('RPM packages');
  rpm
    .command('sign')
    .description('sign RPM packages in place (header signature in tag 267 for an EdDSA key, 268 for an RSA key, as rpmsign does); nodes record each package in their audit logs')
    .argument('<files...>', 'packages to sign')
    .requiredOption('--key <key>', 'key: its name, user ID e-mail, key ID (16 hex) or fingerprint (40 hex)')
    .option('--digest-algo <algo>', 'hash: SHA256 (default) or SHA512', digestAlgo)
    .option('-j, --jobs <n>', 'packages signed at once', intOption('--jobs', 1, 64), 4)
    .option('--wait <seconds>', 'how long to wait for nodes whose operators must approve a package', intOption('--wait', 1, 7 * 86400), DEFAULT_APPROVAL_WAIT_SECONDS)
    .option(...CLIENT_CONFIG)
    .action(async (files: string[], o) => {
      const client = new QsignClient(loadClientConfig(o.config), noteFailover);
      const bar = process.stderr.isTTY && files.length > 1 ? new SingleBar({ stream: process.stderr, format: 'signing {bar} {value}/{total} {file}', hideCursor: true }, Presets.shades_classic) : undefined;
      bar?.start(files.length, 0, { file: '' });
      try {
        const results = await signRpmFiles(client, await resolveKeyName(client, o.key), files, {
          hashAlgorithm: o.digestAlgo,
          concurrency: o.jobs,
          waitMs: o.wait * 1000,
          onStatus: (st, file) => process.stderr.write(`${bar ? '\n' : ''}qsign: ${file}: ${describeWait(st)}\n`),
          onDone: (r) => {
            if (bar) bar.increment({ file: r.file });
            if (!r.ok) process.stderr.write(`${bar ? '\n' : ''}qsign: ${r.file}: ${r.error}\n`);
          },
        });
        bar?.stop();
        const failed = results.filter((r) => !r.ok);
        for (const r of results) if (r.ok) process.stdout.write(`signed ${r.file} (${r.nevra})\n`);
        process.stdout.write(`${results.length - failed.length} signed, ${failed.length} failed\n`);
        if (failed.length > 0) throw new QsignError('SIGNING_FAILED', `${failed.length} of ${results.length} packages were not signed`);
      } finally {
        bar?.stop();
        client.close();
      }
    });
}

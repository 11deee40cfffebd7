/**
 * qsign key status: every key with its type, windows, revocations and expiry, warning about
 * what needs attention within `--warn` (docs/windows.md). Exit 0: nothing needs attention;
 * {@link EXIT_ATTENTION}: something does (the warnings say what); 1: an error.
 */
import type { Command } from 'commander';
import { QsignClient, keyStatus, loadClientConfig, statusKeyNames, type KeyStatus } from '@qsign/client';
import { QsignError } from '@qsign/protocol';
import { windowDuration } from './keys.js';
import { parseTime } from './audit.js';
import { CLIENT_CONFIG } from './options.js';

/** Exit status when a key needs attention (expiring, expired, windows running out, no certificate). */
export const EXIT_ATTENTION = 2;

const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
const collect = (v: string, prev: string[] = []) => [...prev, v];

function describe(k: KeyStatus): string {
  const lines = [`${k.name}  ${k.type}  ${k.windowed ? 'windowed' : 'not windowed'}  ${!k.hasCertificate ? 'no certificate' : k.expires === undefined ? 'never expires' : `expires ${iso(k.expires)}`}`];
  for (const s of k.subkeys) {
    const rev = s.revoked.map((r) => `REVOKED ${r.reason}${r.hard ? ' (hard: every signature by it is invalid)' : ' (soft)'} at ${iso(r.at)}`).join('; ');
    lines.push(`  subkey ${s.fingerprint.toUpperCase()}  window ${iso(s.start)} – ${iso(s.end)}${rev ? `  ${rev}` : ''}`);
  }
  return lines.join('\n');
}

/** Registers `qsign key status` under the `key` command. */
export function registerStatus(key: Command): void {
  key
    .command('status')
    .description(`every key with its type, windowed or not, subkeys with their windows, revoked windows and expiry; warns about keys needing attention within --warn (exit ${EXIT_ATTENTION} when one does)`)
    .option('--key <name>', 'only this key (repeatable; default: every key the client config pins)', collect)
    .option('--warn <duration>', 'warn about expiries and windows running out within this horizon (s, m, h, d, w)', '30d')
    .option('--at <time>', 'judge as of this time (ISO 8601 or POSIX seconds; default now)')
    .option('--json', 'one JSON object per key')
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      const horizon = windowDuration(o.warn, '--warn');
      const now = Math.floor((o.at ? parseTime(o.at, '--at') : Date.now()) / 1000);
      const config = loadClientConfig(o.config);
      const names = statusKeyNames(config, o.key ?? []);
      if (!names.length) throw new QsignError('INVALID_ARGUMENT', `the client config ${config.path ?? ''} pins no keys; name one with --key`);
      const client = new QsignClient(config);
      let attention = 0;
      try {
        for (const name of names) {
          const k = await keyStatus(client, name, now, horizon);
          if (k.warnings.length) attention++;
          if (o.json) process.stdout.write(JSON.stringify(k) + '\n');
          else process.stdout.write(describe(k) + '\n');
          for (const w of k.warnings) process.stderr.write(`warning: ${w}\n`);
        }
      } finally {
        client.close();
      }
      if (attention) process.exitCode = EXIT_ATTENTION;
    });
}

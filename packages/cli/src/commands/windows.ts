/**
 * qsign key revoke-window (and key status, key-status.ts): windowed keys' lifecycle through a running cluster
 * (docs/windows.md). Revokes the subkeys of a time range with threshold revocations,
 * then lists from the nodes' audit logs everything those subkeys signed.
 */
import type { Command } from 'commander';
import { fetchLog, querySignatures, type QueryRow } from '@qsign/auditor';
import { QsignClient, loadClientConfig, revokeWindows } from '@qsign/client';
import { parseTime, targets, withTargets } from './audit.js';
import { registerStatus } from './key-status.js';

/** One line per signing: time, client, file, NEVRA, signing nodes. */
function affectedTable(rows: QueryRow[]): string {
  const head = ['TIME', 'CLIENT', 'FILE', 'NEVRA', 'SIGNED BY NODES', 'SUBKEY'];
  const body = rows.map((r) => [r.time, r.client ?? '?', r.fileName ?? '', r.nevra ?? '', (r.recordedBy.length ? r.recordedBy : r.signers).join(','), r.key]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body].map((l) => l.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** Registers the commands of this module. */
export function register(program: Command): void {
  const key = program.command('key').description('key lifecycle: status, revoke windows (docs/windows.md), rotate, keyring packages (docs/rotation.md)');
  registerStatus(key);
  withTargets(key.command('revoke-window'), false)
    .description('revoke the signing subkeys of a time range with threshold revocations, then list everything they signed (from the nodes\' audit logs)')
    .requiredOption('--key <name>', 'the windowed key')
    .requiredOption('--from <time>', 'start of the range (ISO 8601 or POSIX seconds)')
    .requiredOption('--to <time>', 'end of the range, exclusive')
    .requiredOption('--reason <reason>', 'compromised (hard: every signature by the subkeys becomes invalid) or retired (soft)')
    .option('--json', 'the signed list as JSON lines')
    .action(async (o) => {
      const logs = targets(o).targets; // names the audit logs before anything is revoked
      const client = new QsignClient(loadClientConfig(o.config));
      try {
        const from = Math.floor(parseTime(o.from, '--from') / 1000);
        const to = Math.floor(parseTime(o.to, '--to') / 1000);
        const { revoked } = await revokeWindows(client, o.key, from, to, o.reason);
        for (const w of revoked) process.stderr.write(`revoked subkey ${w.fingerprint.toUpperCase()} (${new Date(w.start * 1000).toISOString()} to ${new Date(w.end * 1000).toISOString()}) as ${o.reason}\n`);
        const fetched: Awaited<ReturnType<typeof fetchLog>>[] = [];
        for (const t of logs) fetched.push(await fetchLog(t));
        // Everything the subkeys signed but their own back-signatures (key-binding), which is no release.
        const rows = revoked.flatMap((w) => querySignatures(fetched, { key: w.keyName })).filter((r) => r.payloadKind !== 'key-binding').sort((a, b) => a.time.localeCompare(b.time));
        if (o.json) for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
        else process.stdout.write(rows.length ? affectedTable(rows) : 'nothing was signed in the revoked windows\n');
      } finally {
        client.close();
      }
    });
}

/**
 * qsign audit verify | crosscheck | query | compare (audit-compare.ts) | export: the auditor's commands
 * (docs/audit.md). Logs are named by cluster.json (--cluster) or by
 * --log NAME@HOST:PORT@VKEY; verifier keys are never taken from the logs.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { leafHash, setEd25519Backend, setSha256 } from '@qsign/audit';
import { opensslEd25519, opensslSha256 } from '@qsign/rpc';
import { QsignError } from '@qsign/protocol';
import { crosscheck, fetchLog, fileDigests, parseTarget, querySignatures, verifyFetched, type Finding, type LogTarget, type QueryRow } from '@qsign/auditor';
import { targetsFromCluster } from '@qsign/devcluster';
import { intOption } from '../io.js';
import { readInput, writeOutput } from '@qsign/client';
import { groupSignatureOf } from '@qsign/auditor';
import { clientTransport, loadClientConfig } from '@qsign/client';
import { registerCompare } from './audit-compare.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

interface TargetOptions {
  cluster?: string;
  log?: string[];
  only?: string[];
  config?: string;
}

export function targets(o: TargetOptions): { targets: LogTarget[]; threshold?: number } {
  const out: LogTarget[] = [];
  let threshold: number | undefined;
  if (o.cluster) {
    const c = targetsFromCluster(o.cluster);
    out.push(...c.targets);
    threshold = c.threshold;
  }
  // --log targets are reached with the client config's TLS certificate (--config).
  const logs = (o.log ?? []).map(parseTarget);
  if (logs.length) {
    const security = clientTransport(loadClientConfig(o.config));
    for (const t of logs) t.security = security;
  }
  out.push(...logs);
  if (out.length === 0) throw new QsignError('INVALID_ARGUMENT', 'name the logs to audit: --cluster DIR or --log NAME@HOST:PORT@VKEY (repeatable)');
  const only = o.only;
  const chosen = only?.length ? out.filter((t) => only.includes(t.name) || only.includes(String(t.id))) : out;
  if (chosen.length === 0) throw new QsignError('INVALID_ARGUMENT', `--only ${only!.join(',')} matches none of ${out.map((t) => t.name).join(', ')}`);
  return { targets: chosen, threshold };
}

export function withTargets(cmd: Command, only = true): Command {
  cmd.option('--cluster <dir>', 'a cluster directory (its cluster.json names every log and pins its key)');
  cmd.option('--log <name@host:port@vkey>', 'a log to audit: NAME is coordinator or node-<id> (repeatable)', collect);
  if (only) cmd.option('--only <name>', 'audit only this log (coordinator, node-3 or 3; repeatable)', collect);
  cmd.option('-c, --config <file>', 'client config whose TLS certificate reaches the --log targets (default: $QSIGN_CONFIG, else ./client.json)');
  return cmd;
}

const progress = (m: string) => process.stderr.write(`• ${m}\n`);

function printFindings(findings: Finding[], json: boolean): void {
  for (const f of findings) {
    if (json) process.stdout.write(JSON.stringify({ type: 'finding', ...f }) + '\n');
    else process.stdout.write(`FAIL ${f.log}${f.index !== undefined ? ` index ${f.index}` : ''} [${f.kind}]: ${f.message}\n${f.record !== undefined ? `     record: ${JSON.stringify(f.record).slice(0, 400)}\n` : ''}`);
  }
}

export function parseTime(v: string, flag: string): number {
  const t = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (!Number.isFinite(t)) throw new QsignError('INVALID_ARGUMENT', `${flag} must be an ISO 8601 time or POSIX seconds, got ${JSON.stringify(v)}`);
  return t;
}

function table(rows: QueryRow[]): string {
  const head = ['TIME', 'KEY', 'REQUEST', 'FILE / DATA SHA-256', 'SIGNERS', 'RECORDED BY NODES', 'SIGNATURE'];
  const body = rows.map((r) => [
    r.time,
    r.key,
    r.requestId,
    r.fileName ?? (r.dataSha256 ? `sha256:${r.dataSha256.slice(0, 16)}…` : ''),
    r.signers.join(',') || '?',
    r.recordedBy.join(',') || 'none',
    r.signature ? `${r.signature.slice(0, 16)}…` : '(not in coordinator log)',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body].map((cols) => cols.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** Registers the commands of this module. */
export function register(program: Command): void {
  const audit = program.command('audit').description('verify, cross-check, query and export the tamper-evident audit logs');
  // Re-hashing whole logs and checking every checkpoint and cosignature: through OpenSSL, as the daemons do.
  audit.hook('preAction', () => {
    setEd25519Backend(opensslEd25519);
    setSha256(opensslSha256);
  });

  withTargets(audit.command('verify'))
    .description("recompute each log's tree from its records, check every checkpoint it issued and their consistency; report the first bad index")
    .option('--json', 'JSON lines output')
    .action(async (o) => {
      const { targets: ts } = targets(o);
      let bad = 0;
      for (const t of ts) {
        const v = await verifyFetched(await fetchLog(t), targetsFromOptionsAll(o));
        if (o.json) process.stdout.write(JSON.stringify({ type: 'log', log: t.name, ok: v.ok, size: v.size, checkpoints: v.checkpoints, checkpointedSize: v.checkpointedSize, cosigners: v.cosigners }) + '\n');
        else if (v.ok) process.stdout.write(`ok   ${t.name}: ${v.size} records, ${v.checkpoints} checkpoints (latest covers ${v.checkpointedSize}), ${v.cosigners} witness cosignatures\n`);
        printFindings(v.findings, o.json);
        if (!v.ok) bad++;
      }
      if (bad) throw new QsignError('AUDIT_LOG_DAMAGED', `${bad} of ${ts.length} logs failed verification`);
    });

  withTargets(audit.command('crosscheck'), false)
    .description('whole cluster: every coordinator signature recorded by ≥ N node logs with the same digest, every node signature in the coordinator log, checkpoints consistent with the kept state and with what peers witnessed')
    .option('--min-nodes <n>', 'node logs that must record each signature (default: the key\'s threshold when it was signed, from the node logs, else the signature\'s signer count)', intOption('--min-nodes', 1, 65535))
    .option('--state <file>', 'checkpoints kept from the last run (default: DIR/audit-state.json with --cluster, else ./qsign-audit-state.json)')
    .option('--no-state', 'do not read or update a state file')
    .option('--json', 'JSON lines output')
    .action(async (o) => {
      const { targets: ts } = targets(o);
      const statePath = o.state === false ? undefined : typeof o.state === 'string' ? o.state : o.cluster ? join(o.cluster, 'audit-state.json') : 'qsign-audit-state.json';
      const r = await crosscheck(ts, { minNodes: o.minNodes, statePath }, o.json ? () => undefined : progress);
      printFindings(r.findings, o.json);
      const line = { type: 'summary', issued: r.issued, accounted: r.accounted, nodeSignatures: r.nodeSignatures, sharesForFailedRequests: r.sharesForFailed, problems: r.findings.length, logs: r.logs };
      if (o.json) process.stdout.write(JSON.stringify(line) + '\n');
      else {
        for (const l of r.logs) process.stdout.write(`     ${l.name}: ${l.size} records, ${l.checkpoints} checkpoints, ${l.cosigners} witness cosignatures on the latest\n`);
        process.stdout.write(`${r.findings.length ? 'FAIL' : 'ok  '} ${r.accounted} of ${r.issued} issued signatures accounted for by at least ${o.minNodes ?? 'their key\'s threshold of'} node logs; ${r.nodeSignatures} node signature records; ${r.sharesForFailed} shares released for failed requests; ${r.findings.length} problems\n`);
      }
      if (r.findings.length) throw new QsignError('AUDIT_LOG_DAMAGED', `crosscheck found ${r.findings.length} problems`);
    });

  withTargets(audit.command('query'))
    .description('what did key K sign between T1 and T2; was this file, digest or signature signed, when, by which nodes')
    .option('--key <name>', 'only this key')
    .option('--since <time>', 'ISO 8601 time or POSIX seconds')
    .option('--until <time>', 'ISO 8601 time or POSIX seconds')
    .option('--file <path>', 'a file (an .rpm is matched by its main header, what rpm signs); repeatable', collect)
    .option('--digest <hex>', 'SHA-256 of the data signed (or of the file); repeatable', collect)
    .option('--signature <hex|file>', 'a signature: 128 hex characters, a file with the 64 raw bytes, an OpenPGP signature file (binary or armored, e.g. from sign -b), or a signed .rpm (its header signature)')
    .option('--request <id>', 'a request id')
    .option('--json', 'JSON lines output')
    .action(async (o) => {
      const { targets: ts } = targets(o);
      const digests = [...(o.digest ?? []).map((d: string) => d.toLowerCase()), ...(o.file ?? []).flatMap((p: string) => fileDigests(readInput(p)))];
      let signature: string | undefined;
      if (o.signature) signature = /^[0-9a-fA-F]{128}$/.test(o.signature) ? o.signature.toLowerCase() : groupSignatureOf(readInput(o.signature), o.signature);
      const logs = [];
      for (const t of ts) logs.push(await fetchLog(t));
      const rows = querySignatures(logs, {
        key: o.key,
        sinceMs: o.since ? parseTime(o.since, '--since') : undefined,
        untilMs: o.until ? parseTime(o.until, '--until') : undefined,
        digests: digests.length ? digests : undefined,
        signature,
        requestId: o.request,
      });
      if (o.json) for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stdout.write(rows.length ? table(rows) : 'no matching signatures\n');
      if (rows.length === 0 && (digests.length || signature || o.request)) process.exitCode = 3;
    });

  registerCompare(audit);

  withTargets(audit.command('export'))
    .description('every record of every log as JSON lines (for a SIEM)')
    .option('-o, --output <file>', 'write here instead of standard output')
    .action(async (o) => {
      const { targets: ts } = targets(o);
      const lines: string[] = [];
      for (const t of ts) {
        const f = await fetchLog(t);
        for (const r of f.records) {
          lines.push(JSON.stringify({ log: t.name, index: r.index, leafHash: bytesToHex(leafHash(r.bytes)), record: r.record ?? null, raw: r.record ? undefined : new TextDecoder().decode(r.bytes) }));
        }
      }
      writeOutput(o.output, lines.join('\n') + (lines.length ? '\n' : ''));
    });
}

/** Every log named by the options (for checking witnesses' cosignatures), ignoring --only. */
function targetsFromOptionsAll(o: TargetOptions): LogTarget[] {
  return targets({ cluster: o.cluster, log: o.log }).targets;
}

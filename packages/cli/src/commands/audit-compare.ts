/**
 * qsign audit compare REBUILT.rpm: compares a rebuild made elsewhere with the package of
 * the same NEVRA that the cluster signed, by the file lists the nodes recorded when they
 * signed it (docs/windows.md "Comparing with a rebuild"). Every log is fetched and verified
 * first; a log that fails verification is not used (and said so).
 */
import type { Command } from 'commander';
import { compareRebuild, fetchLog, verifyFetched, type BuildComparison, type FetchedLog } from '@qsign/auditor';
import { readInput } from '@qsign/client';
import { QsignError, errorMessage } from '@qsign/protocol';
import { packageInfo, readRpm, type PackageInfo } from '@qsign/rpm';
import { targets, withTargets } from './audit.js';

/** Exit status when the rebuild differs from the signed package. */
export const EXIT_DIFFERS = 1;
/** Exit status when no node log records a signed package of that NEVRA. */
export const EXIT_UNKNOWN = 3;

function describe(b: BuildComparison): string {
  const s = b.signed;
  const head = `signed ${s.time} by key ${s.keys.join(', ')} (request ${s.requestIds.join(', ')}; recorded by nodes ${s.recordedBy.join(',')}; ${s.fileCount} files)`;
  const lines = [head];
  if (s.truncated) lines.push(`  note: the nodes recorded ${s.files.length} of the ${s.fileCount} files one by one (list capped); the rest is compared by the digest of the whole list`);
  if (b.digestAlgorithmDiffers) lines.push(`  note: the signed package's file digests use ${s.fileDigestAlgorithm}, the rebuild's another algorithm: digests not compared`);
  if (b.identical && !b.differences.length) lines.push('  no difference: every file has the same digest, size and mode');
  for (const d of b.differences) {
    if (d.kind === 'changed') lines.push(`  changed  ${d.path}  (${d.properties.map((p) => `${p} ${String(d.signed![p])} → ${String(d.rebuilt![p])}`).join(', ')})`);
    else lines.push(`  ${d.kind === 'missing' ? 'missing' : 'added  '}  ${d.path}  (${d.kind === 'missing' ? 'only in the signed package' : 'only in the rebuild'})`);
  }
  if (b.unlistedDiffer) lines.push('  differs among the files the record does not list (the digests of the whole lists differ)');
  return lines.join('\n');
}

/** Registers `qsign audit compare` under the `audit` command. */
export function registerCompare(audit: Command): void {
  withTargets(audit.command('compare'))
    .argument('<rebuilt.rpm>', 'a rebuild of a package the cluster signed')
    .description("compare a rebuild with the signed package of the same NEVRA, by the file lists (path, digest, size, mode) in the nodes' audit records; exit 0: identical, 1: differs, 3: no signed package of that NEVRA")
    .option('--json', 'the report as one JSON object')
    .action(async (file: string, o) => {
      let info: PackageInfo;
      try {
        info = packageInfo(readRpm(readInput(file)).mainHeader);
      } catch (e) {
        throw new QsignError('INVALID_ARGUMENT', `${file} is not an RPM package this parser reads: ${errorMessage(e)}`);
      }
      const { targets: ts } = targets(o);
      const logs: FetchedLog[] = [];
      for (const t of ts) {
        const f = await fetchLog(t);
        const v = await verifyFetched(f, ts);
        if (v.ok) logs.push(f);
        else process.stderr.write(`warning: the log of ${t.name} failed verification (${v.findings[0]?.message ?? 'see qsign audit verify'}); not using it\n`);
      }
      if (!logs.some((l) => l.target.id !== 0)) throw new QsignError('AUDIT_LOG_DAMAGED', 'no node log passed verification: nothing to compare with (run qsign audit verify)');
      const report = compareRebuild(logs, info);
      const differs = report.builds.some((b) => !b.identical);
      if (o.json) process.stdout.write(JSON.stringify(report) + '\n');
      else if (!report.builds.length) process.stdout.write(`no node log records a signed package ${report.nevra}\n`);
      else {
        process.stdout.write(`${report.nevra}: ${report.builds.length} signed package${report.builds.length > 1 ? 's' : ''} with this NEVRA\n`);
        for (const b of report.builds) process.stdout.write(describe(b) + '\n');
      }
      for (const r of report.disagreements) process.stderr.write(`warning: the nodes' records of request ${r} disagree about the file list\n`);
      process.exitCode = !report.builds.length ? EXIT_UNKNOWN : differs ? EXIT_DIFFERS : 0;
    });
}

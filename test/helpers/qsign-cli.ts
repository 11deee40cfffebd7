/**
 * Runs the real `qsign` (and obs-sign compatible `sign`) binaries as child
 * processes and captures their outcome.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { QSIGN_BIN } from '@qsign/devcluster';

/** Path of the compiled obs-sign compatible `sign` client. */
export const SIGN_BIN = fileURLToPath(new URL('../../packages/cli/dist/bin/sign.js', import.meta.url));

/** Exit code, stdout and stderr of one `qsign` run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `qsign args…` (optionally feeding stdin, in directory `cwd`). */
export function qsign(args: string[], stdin?: string, cwd?: string): Promise<CliResult> {
  return run(QSIGN_BIN, args, stdin, cwd);
}

/** Runs `sign args…` (the obs-sign compatible client). */
export function sign(args: string[], stdin?: string): Promise<CliResult> {
  return run(SIGN_BIN, args, stdin);
}

function run(bin: string, args: string[], stdin?: string, cwd?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { maxBuffer: 64 << 20, cwd }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
    child.stdin!.end(stdin ?? '');
  });
}

/**
 * Runs the real `qsign` binary as a child process and captures its outcome.
 */
import { execFile } from 'node:child_process';
import { QSIGN_BIN } from '@qsign/cli';

/** Exit code, stdout and stderr of one `qsign` run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `qsign args…` (optionally feeding stdin). */
export function qsign(args: string[], stdin?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [QSIGN_BIN, ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
    child.stdin!.end(stdin ?? '');
  });
}

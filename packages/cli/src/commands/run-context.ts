/**
 * Where a client command runs when `qsign agent` runs it for a thin client
 * (docs/agent.md): the agent's warm client, the caller's working directory,
 * stdin bytes and output streams instead of this process's own.
 */
import { resolve } from 'node:path';
import { QsignError } from '@qsign/protocol';
import { readInput, writeOutput, type QsignClient } from '@qsign/client';

/** A command's surroundings inside the agent. */
export interface RunContext {
  client: QsignClient;
  cwd: string;
  /** The caller's stdin, if the thin client sent it (input "-"). */
  stdin?: Uint8Array;
  stdout: (d: string | Uint8Array) => void;
  stderr: (s: string) => void;
}

/** readInput for the caller: "-" is the stdin it sent; names are relative to its working directory. */
export function contextInput(ctx: RunContext, path: string): Uint8Array {
  if (path !== '-') return readInput(resolve(ctx.cwd, path));
  if (!ctx.stdin) throw new QsignError('INVALID_ARGUMENT', 'the input is standard input, and the thin client sent none');
  return ctx.stdin;
}

/** writeOutput for the caller: absent or "-" is its stdout; names are relative to its working directory. */
export function contextOutput(ctx: RunContext, path: string | undefined, data: Uint8Array | string): void {
  if (path === undefined || path === '-') ctx.stdout(data);
  else writeOutput(resolve(ctx.cwd, path), data);
}

/**
 * Runs `qsign sign ARGS` inside the agent: the sign command's own parser and
 * action (commands/sign.ts) with `ctx`; resolves to the exit code.
 */
export async function runQsignSign(args: readonly string[], ctx: RunContext): Promise<number> {
  const [{ Command, CommanderError }, { register }, { reportError }] = await Promise.all([import('commander'), import('./sign.js'), import('../io.js')]);
  const program = new Command()
    .name('qsign')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.stdout(s), writeErr: (s) => ctx.stderr(s) });
  register(program, ctx);
  try {
    await program.parseAsync(['sign', ...args], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    return reportError('qsign', e, ctx.stderr);
  }
}

/**
 * The `qsign` command tree: one module per command group under commands/.
 */
import { Command, CommanderError } from 'commander';
import { reportError } from './io.js';
import { register as cluster } from './commands/cluster.js';
import { register as ceremony } from './commands/ceremony.js';
import { register as node } from './commands/node.js';
import { register as sign } from './commands/sign.js';
import { register as keys } from './commands/keys.js';
import { register as rpm } from './commands/rpm.js';
import { register as publish } from './commands/publish.js';
import { register as operator } from './commands/operator.js';
import { register as audit } from './commands/audit.js';
import { register as pki } from './commands/pki.js';

/** Command groups, in help order. Each module registers its own commands. */
export const COMMAND_MODULES: Array<(program: Command) => void> = [cluster, sign, rpm, publish, ceremony, node, keys, operator, audit, pki];

/** Builds the program; `main` parses and runs it. */
export function buildProgram(program: Command): Command {
  program
    .name('qsign')
    .description('Threshold signing cluster: N of M share-holder nodes make one ordinary Ed25519 / OpenPGP signature.')
    .version('0.1.0', '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of COMMAND_MODULES) register(program);
  return program;
}

/** Parses argv and runs; resolves to the process exit code. */
export async function main(argv: string[], program: Command): Promise<number> {
  buildProgram(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    return reportError('qsign', e);
  }
}

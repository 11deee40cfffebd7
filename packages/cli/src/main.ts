/**
 * The `qsign` command tree: one module per command group under commands/.
 */
import { Command, CommanderError } from 'commander';
import { reportError } from './io.js';
type Register = (program: Command) => void;
type Loader = () => Promise<{ register: Register }>;

/**
 * Command groups, in help order. Each module registers its own commands and
 * is loaded only when needed (dynamic import), so `qsign --version` or
 * `qsign sign` does not load the packages of every other command.
 */
export const COMMAND_MODULES: Record<string, Loader> = {
  cluster: () => import('./commands/cluster.js'),
  sign: () => import('./commands/sign.js'),
  rpm: () => import('./commands/rpm.js'),
  publish: () => import('./commands/publish.js'),
  ceremony: () => import('./commands/ceremony.js'),
  node: () => import('./commands/node.js'),
  keys: () => import('./commands/keys.js'),
  operator: () => import('./commands/operator.js'),
  audit: () => import('./commands/audit.js'),
  key: () => import('./commands/windows.js'),
  rotate: () => import('./commands/rotate.js'),
  pki: () => import('./commands/pki.js'),
  agent: () => import('./commands/agent.js'),
};

/** Top-level command → the modules that register it (keys adds subcommands to `ceremony`). */
export const MODULES_OF: Record<string, string[]> = {
  cluster: ['cluster'], sign: ['sign'], pubkey: ['sign'], certify: ['sign'], rpm: ['rpm'], repo: ['publish'], container: ['publish'],
  ceremony: ['ceremony', 'keys'], node: ['node'], coordinator: ['node'], keygen: ['keys'], certificate: ['keys'], officer: ['keys'], trust: ['keys'],
  pending: ['operator'], show: ['operator'], approve: ['operator'], deny: ['operator'], console: ['operator'], audit: ['audit'], pki: ['pki'], key: ['key', 'rotate'], agent: ['agent'],
};

/** The modules `argv` needs: none for --version, one group for a known command, all for help or anything else. */
export function modulesFor(argv: readonly string[]): string[] {
  const first = argv[2];
  if (argv.length === 3 && (first === '--version' || first === '-V')) return [];
  return (first !== undefined ? MODULES_OF[first] : undefined) ?? Object.keys(COMMAND_MODULES);
}

/** Builds the program; `main` parses and runs it. */
export async function buildProgram(program: Command, argv: readonly string[] = []): Promise<Command> {
  program
    .name('qsign')
    .description('Threshold signing cluster: N of M share-holder nodes make one ordinary Ed25519 / OpenPGP signature.')
    .version('0.1.0', '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const wanted = argv.length ? modulesFor(argv) : Object.keys(COMMAND_MODULES);
  const loaded = await Promise.all(wanted.map((name) => COMMAND_MODULES[name]!()));
  for (const m of loaded) m.register(program);
  return program;
}

/** Parses argv and runs; resolves to the process exit code. */
export async function main(argv: string[], program: Command): Promise<number> {
  try {
    await buildProgram(program, argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    return reportError('qsign', e);
  }
}

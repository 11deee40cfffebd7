/**
 * qsign agent: the local signing agent (docs/agent.md). It runs the
 * obs-sign `sign` and `qsign sign` for thin clients with one warm client;
 * this module only maps flags and wires the programs in.
 */
import type { Command } from 'commander';
import { CLIENT_CONFIG, runDaemon } from './options.js';

/** Registers the commands of this module. */
export function register(program: Command): void {
  program
    .command('agent')
    .description('run the local signing agent: it holds the client key and a warm TLS connection, and thin `sign` clients (Node or C) reach it over a unix socket in a 0700 directory')
    .option(...CLIENT_CONFIG)
    .option('--socket <path>', 'socket path (default: "agent": {"socket"} of the client config)')
    .action(async (o) => {
      const [{ startAgent, Program }, { obsSign }, { runQsignSign }] = await Promise.all([import('@qsign/agent'), import('../obs-sign.js'), import('./run-context.js')]);
      const configPath: string = o.config ?? process.env.QSIGN_CONFIG ?? 'client.json';
      await runDaemon(() =>
        startAgent({
          configPath,
          socket: o.socket,
          programs: {
            [Program.SIGN]: (req, io, client) => obsSign(req.argv, io, { client, cwd: req.cwd, ...(req.stdin && { stdin: req.stdin }) }),
            [Program.QSIGN_SIGN]: (req, io, client) => runQsignSign(req.argv, { client, cwd: req.cwd, ...(req.stdin && { stdin: req.stdin }), ...io }),
          },
        }),
      );
    });
}

/**
 * Options and helpers shared by command modules.
 */

/** The client config option shared by client commands. */
export const CLIENT_CONFIG = ['-c, --config <file>', 'client config (default: $QSIGN_CONFIG, else ./client.json)'] as const;

/** Runs a long-lived daemon until SIGTERM/SIGINT. */
export async function runDaemon(start: () => Promise<{ stop(): Promise<void>; reload?: () => Promise<unknown> }>): Promise<void> {
  const d = await start();
  // SIGHUP: a node re-reads its policy (the node logs and audits the outcome itself).
  if (d.reload) process.on('SIGHUP', () => void d.reload!().catch(() => undefined));
  await new Promise<void>((resolve) => {
    const stop = () => void d.stop().finally(resolve);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/** Tells the user on stderr that the client moved to another coordinator. */
export const noteFailover = (msg: string): void => void process.stderr.write(`qsign: ${msg}\n`);

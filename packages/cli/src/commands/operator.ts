/**
 * Operator commands over a node's unix socket (issue 6): qsign pending, show,
 * approve, deny, console. The socket's file mode (0600, the node's user)
 * decides who is an operator; the caller's local user name is sent with each
 * decision and recorded in the node's audit log.
 */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { QsignError } from '@qsign/protocol';
import { loadNodeConfig } from '@qsign/devcluster';
import { NodeOperatorRpcClient } from '@qsign/rpc';
import type { HoldView } from '@qsign/proto';

const SOCKET_OPTS = [
  ['--socket <path>', "the node's operator socket (default: $QSIGN_NODE_SOCKET)"],
  ['--node-config <file>', "the node's config; its adminSocket is used (default: $QSIGN_NODE_CONFIG)"],
] as const;

/** Finds the operator socket: --socket, --node-config, $QSIGN_NODE_SOCKET, $QSIGN_NODE_CONFIG. */
export function operatorSocket(o: { socket?: string; nodeConfig?: string }): string {
  if (o.socket) return o.socket;
  if (o.nodeConfig) return loadNodeConfig(o.nodeConfig).adminSocket;
  if (process.env.QSIGN_NODE_SOCKET) return process.env.QSIGN_NODE_SOCKET;
  if (process.env.QSIGN_NODE_CONFIG) return loadNodeConfig(process.env.QSIGN_NODE_CONFIG).adminSocket;
  throw new QsignError('INVALID_ARGUMENT', 'which node? give --socket PATH or --node-config FILE (or set QSIGN_NODE_SOCKET / QSIGN_NODE_CONFIG)');
}

/** The local user running this command: the operator name recorded with decisions. */
export function localOperator(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}


const when = (ms: number) => (ms ? new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z') : '-');

/** A hold in full, for `qsign show`. */
export function formatHold(h: HoldView): string {
  const lines = [
    `hold ${h.holdId}  ${h.status.toUpperCase()}`,
    `  request   ${h.requestId}`,
    `  key       ${h.keyName}`,
    `  client    ${h.client}`,
    `  kind      ${h.kind}`,
    `  file      ${h.fileName || '-'} (${h.fileSize} bytes)`,
    `  data      sha256 ${h.dataSha256}`,
  ];
  if (h.rpmNevra) lines.push(`  rpm       ${h.rpmNevra}`, `  files     ${h.rpmFiles.length}`, ...h.rpmFiles.map((f) => `    ${f}`));
  lines.push(`  held      ${when(h.heldUnixMs)}`, `  expires   ${when(h.expiresUnixMs)}`, `  rule      ${h.rule}`, `  why       ${h.reason}`);
  if (h.decidedBy) lines.push(`  decided   ${h.status} by ${h.decidedBy} at ${when(h.decidedUnixMs)}${h.decisionNote ? `: ${h.decisionNote}` : ''}`);
  return lines.join('\n') + '\n';
}

/** Runs `fn` with an operator client on the chosen socket. */
async function withOperator<T>(o: { socket?: string; nodeConfig?: string }, fn: (c: NodeOperatorRpcClient) => Promise<T>): Promise<T> {
  const c = new NodeOperatorRpcClient(operatorSocket(o));
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** Registers the commands of this module. */
export function register(program: Command): void {
  const withSocket = (cmd: Command) => {
    for (const [flag, help] of SOCKET_OPTS) cmd.option(flag, help);
    return cmd;
  };
  withSocket(program.command('pending').description("list requests held for this node's operator").option('--all', 'also decided and expired ones')).action(async (o) =>
    withOperator(o, async (c) => {
      const { holds } = await c.listHolds(Boolean(o.all));
      if (holds.length === 0) return void process.stdout.write(o.all ? 'no held requests\n' : 'no pending requests\n');
      process.stdout.write(`${'HOLD'.padEnd(13)}${'STATUS'.padEnd(10)}${'KEY'.padEnd(20)}${'CLIENT'.padEnd(16)}${'KIND'.padEnd(12)}${'WHAT'.padEnd(40)}EXPIRES\n`);
      for (const h of holds)
        process.stdout.write(`${h.holdId.padEnd(13)}${h.status.padEnd(10)}${h.keyName.padEnd(20)}${h.client.padEnd(16)}${h.kind.padEnd(12)}${(h.rpmNevra || h.fileName || '-').slice(0, 38).padEnd(40)}${when(h.expiresUnixMs)}\n`);
    }),
  );
  withSocket(program.command('show').description('show what a held request would sign').argument('<id>', 'hold id (or a unique prefix), or request id')).action(async (id: string, o) =>
    withOperator(o, async (c) => void process.stdout.write(formatHold(await c.showHold(id)))),
  );
  withSocket(program.command('approve').description('approve a held request (recorded with your user name)').argument('<id>', 'hold id').option('--comment <text>', 'a comment for the audit log', '')).action(async (id: string, o) =>
    withOperator(o, async (c) => {
      const h = await c.decideHold(id, true, o.comment, localOperator());
      process.stdout.write(`approved hold ${h.holdId} (request ${h.requestId}, key ${h.keyName}) as ${h.decidedBy}\n`);
    }),
  );
  withSocket(program.command('deny').description('deny a held request; final for that request').argument('<id>', 'hold id').requiredOption('--reason <text>', 'why (shown to the client, recorded in the audit log)')).action(async (id: string, o) =>
    withOperator(o, async (c) => {
      const h = await c.decideHold(id, false, o.reason, localOperator());
      process.stdout.write(`denied hold ${h.holdId} (request ${h.requestId}, key ${h.keyName}) as ${h.decidedBy}: ${h.decisionNote}\n`);
    }),
  );
  withSocket(program.command('console').description("a one-time login token for the node's web console (valid 10 minutes)")).action(async (o) =>
    withOperator(o, async (c) => {
      const t = await c.consoleLogin(localOperator());
      process.stdout.write(`console: ${t.url}\ntoken:   ${t.token}\n(one use, until ${when(t.expiresUnixMs)}; reach the console through 'ssh -L PORT:127.0.0.1:PORT host')\n`);
    }),
  );
}

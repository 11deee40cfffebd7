/**
 * qsign pki init | issue: the cluster's certificate authority for mutual
 * TLS (docs/tls.md). Flags map to pki.ts and nothing more.
 */
import type { Command } from 'commander';
import { QsignError } from '@qsign/protocol';
import type { PeerIdentity } from '@qsign/rpc';
import { intOption } from '../io.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The one identity named by --node / --coordinator / --client. */
function identityOf(o: { node?: number; coordinator?: string; client?: string }): PeerIdentity {
  const given = [
    o.node !== undefined ? { role: 'node' as const, name: String(o.node) } : undefined,
    o.coordinator !== undefined ? { role: 'coordinator' as const, name: o.coordinator } : undefined,
    o.client !== undefined ? { role: 'client' as const, name: o.client } : undefined,
  ].filter((x) => x !== undefined);
  if (given.length !== 1) throw new QsignError('INVALID_ARGUMENT', 'name exactly one identity: --node ID, --coordinator NAME or --client NAME');
  return given[0]!;
}

/** Registers the commands of this module. */
export function register(program: Command): void {
  const pki = program.command('pki').description('the cluster certificate authority for mutual TLS (docs/tls.md)');
  pki
    .command('init')
    .description('create a cluster CA: DIR/ca.crt (give it to every party) and DIR/ca.key (keep it offline, mode 0600)')
    .requiredOption('--dir <dir>', 'CA directory to create')
    .option('--name <name>', 'CA common name', 'qsign cluster CA')
    .option('--days <n>', 'validity in days', intOption('--days', 1, 36500), 3650)
    .action(async (o) => {
      const { pkiInit } = await import('@qsign/devcluster'); // loaded on use: the X.509 library is large
      const p = await pkiInit(o.dir, { name: o.name, days: o.days });
      process.stdout.write(`CA certificate: ${p.caCert}\nCA private key: ${p.caKey} (keep it offline; it issues every identity)\n`);
    });
  pki
    .command('issue')
    .description('issue a certificate and key for one identity: a node (qsign:node:ID), the coordinator or a client')
    .requiredOption('--dir <dir>', 'CA directory (from pki init)')
    .option('--node <id>', 'a node, by its node id', intOption('--node', 1, 0xffff))
    .option('--coordinator <name>', 'a coordinator, by its coordinatorId')
    .option('--client <name>', 'a signing client, by its name in the nodes\' clients list')
    .option('--host <name-or-ip>', 'a host name or IP address it is reached at (repeatable)', collect)
    .option('--days <n>', 'validity in days (at most the CA\'s)', intOption('--days', 1, 36500), 825)
    .option('--out <prefix>', 'write PREFIX.crt and PREFIX.key (default DIR/ROLE-NAME)')
    .action(async (o) => {
      const id = identityOf(o);
      const { pkiIssue } = await import('@qsign/devcluster');
      const f = await pkiIssue(o.dir, id, { hosts: o.host, days: o.days, out: o.out });
      process.stdout.write(`qsign:${id.role}:${id.name}\ncertificate: ${f.cert}\nprivate key: ${f.key}\n`);
    });
}

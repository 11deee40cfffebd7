/**
 * The audit logs of a development cluster, from its cluster.json.
 */
import { QsignError } from '@qsign/protocol';
import { clientTransport, loadClientConfig } from '@qsign/client';
import type { LogTarget } from '@qsign/auditor';
import { readClusterFile } from './cluster.js';

/** The logs of a dev cluster, from its cluster.json (coordinator first). */
export function targetsFromCluster(dir: string): { targets: LogTarget[]; threshold: number } {
  const c = readClusterFile(dir);
  const security = clientTransport(loadClientConfig(c.clientConfig));
  const need = (p: { verifierKey?: string }, what: string) => {
    if (!p.verifierKey) throw new QsignError('CONFIG', `${dir}/cluster.json has no verifier key for ${what}; it was made before audit logs existed`);
    return p.verifierKey;
  };
  return {
    threshold: c.threshold,
    targets: [
      { name: 'coordinator', id: 0, address: c.coordinator.address, verifierKey: need(c.coordinator, 'the coordinator'), security },
      ...c.nodes.map((n) => ({ name: `node-${n.id}`, id: n.id, address: n.address, verifierKey: need(n, `node ${n.id}`), security })),
    ],
  };
}

/**
 * The node's operations surface, wired in one place: the metrics endpoint
 * (`metricsListen`), the SignShare observer feeding metrics and the log, and
 * the grpc.health.v1 status: SERVING while the node is unsealed, holds at
 * least one key share and its audit log is sound; NOT_SERVING otherwise
 * (sealed nodes sign nothing). Service names: "" and "qsign.v1.Node".
 */
import { ServingStatus, healthService, serveMetrics, startHealthListener, type HealthSource, type Log, type MetricsEndpoint } from '@qsign/rpc';
import type { AuditLogService, NodeStore } from '@qsign/storage';
import type { NodeConfig } from './config.js';
import type { Approvals } from './approvals.js';
import { NodeMetrics } from './metrics.js';
import { shareLogger } from './log.js';
import type { ShareObserver } from './server.js';

/** The health service names a node answers for. */
export const NODE_HEALTH_SERVICES = ['', 'qsign.v1.Node'];

/** The node's health source. */
export function nodeHealth(store: NodeStore): HealthSource {
  return (service) => {
    if (!NODE_HEALTH_SERVICES.includes(service)) return undefined;
    return !store.sealed && store.keyCount > 0 && !store.audit.damage ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  };
}

/** The running operations surface of a node. */
export interface NodeOps {
  observe: ShareObserver;
  health: ReturnType<typeof healthService>;
  metrics: MetricsEndpoint | undefined;
  close(): Promise<void>;
}

/** Starts the metrics endpoint (unless "off") and builds the observer and health service. */
export async function startNodeOps(config: NodeConfig, store: NodeStore, approvals: Approvals, audit: () => AuditLogService | undefined, log: Log): Promise<NodeOps> {
  const metrics = new NodeMetrics(config.nodeId, {
    sealed: () => store.sealed,
    unusedNonces: () => (store.sealed ? 0 : store.nonceCount),
    heldRequests: async () => (await approvals.list()).length,
    auditRecords: () => store.audit.size,
    checkpointAgeSeconds: () => audit()?.notary.checkpointAgeSeconds(),
    keys: () => store.keyCount,
  });
  const logShare = shareLogger(log);
  const endpoint = config.metricsListen === 'off' ? undefined : await serveMetrics(config.metricsListen, () => metrics.render(), log);
  if (endpoint) log(`Prometheus metrics at http://${endpoint.address}/metrics`);
  const health = config.healthListen === 'off' ? undefined : await startHealthListener(config.healthListen, nodeHealth(store));
  if (health) log(`plaintext health service (grpc.health.v1 only) on port ${health.port}`);
  return {
    observe: (o, seconds) => {
      metrics.signShare(o, seconds);
      logShare(o, seconds);
    },
    health: healthService(nodeHealth(store)),
    metrics: endpoint,
    close: async () => {
      await endpoint?.close();
      await health?.close();
    },
  };
}

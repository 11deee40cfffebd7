/**
 * The coordinator's Prometheus metrics (prom-client, its own registry):
 * signatures issued, failed requests by error code, Sign latency, and gauges
 * read at scrape time (requests waiting for approval, pooled commitments and
 * health per node, audit size and checkpoint age). Counts and durations only.
 * Also the grpc.health.v1 source: SERVING while enough nodes are healthy to
 * sign with a key of the default threshold.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS, ServingStatus, renderMetrics, scrapedGauge, type HealthSource } from '@qsign/rpc';
import type { AuditLogService } from '@qsign/storage';
import type { Coordinator } from './coordinator.js';

/** A coordinator's metrics. */
export class CoordinatorMetrics {
  readonly registry = new Registry();
  readonly #signatures: Counter<'key'>;
  readonly #failures: Counter<'code'>;
  readonly #latency: Histogram<'outcome'>;

  constructor(coordinatorId: string, coordinator: Coordinator, audit: AuditLogService | undefined) {
    const r = this.registry;
    r.setDefaultLabels({ coordinator: coordinatorId });
    this.#signatures = new Counter({ name: 'qsign_coordinator_signatures_total', help: 'Signatures issued, by key.', labelNames: ['key'], registers: [r] });
    this.#failures = new Counter({ name: 'qsign_coordinator_refusals_total', help: 'Sign requests that ended without a signature, by error code.', labelNames: ['code'], registers: [r] });
    this.#latency = new Histogram({ name: 'qsign_coordinator_sign_seconds', help: 'Sign request time, by outcome (signed or failed); held requests include the wait for approval.', labelNames: ['outcome'], buckets: LATENCY_BUCKETS, registers: [r] });
    scrapedGauge(r, 'qsign_coordinator_held_requests', 'Requests waiting for operator approval on some node.', () => coordinator.requests.waiting);
    scrapedGauge(r, 'qsign_coordinator_nonce_pool', 'Pooled commitments (fresh nonces handed to this coordinator), per node.', () => new Map(coordinator.status().map((n) => [String(n.nodeId), n.cachedCommitments])), 'node_id');
    scrapedGauge(r, 'qsign_coordinator_node_healthy', '1 if the node answered the last probe, per node.', () => new Map(coordinator.status().map((n) => [String(n.nodeId), Number(n.healthy)])), 'node_id');
    scrapedGauge(r, 'qsign_coordinator_audit_records', "Records in the coordinator's audit log (absent without dataDir).", () => audit?.log.size);
    scrapedGauge(r, 'qsign_coordinator_audit_checkpoint_age_seconds', 'Seconds audit records have waited for a signed checkpoint (0 while the latest covers all).', () => audit?.notary.checkpointAgeSeconds());
  }

  /** A Sign request ended: `code` set when it failed. */
  sign(outcome: { keyName: string; code?: string }, seconds: number): void {
    if (outcome.code) this.#failures.inc({ code: outcome.code });
    else this.#signatures.inc({ key: outcome.keyName });
    this.#latency.observe({ outcome: outcome.code ? 'failed' : 'signed' }, seconds);
  }

  /** The exposition text. */
  render(): Promise<{ contentType: string; body: string }> {
    return renderMetrics(this.registry);
  }
}

/** The health service names a coordinator answers for. */
export const COORDINATOR_HEALTH_SERVICES = ['', 'qsign.v1.Coordinator'];

/** SERVING while at least `need` nodes are healthy. */
export function coordinatorHealth(coordinator: Coordinator, need: number): HealthSource {
  return (service) => {
    if (!COORDINATOR_HEALTH_SERVICES.includes(service)) return undefined;
    return coordinator.status().filter((n) => n.healthy).length >= need ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  };
}

/**
 * The node's Prometheus metrics (prom-client, its own registry): signature
 * shares released, refusals by error code, SignShare latency, and gauges read
 * at scrape time (unused nonces, held requests, audit size, checkpoint age,
 * sealed, keys). Counts and durations only: no request content, no key material.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS, renderMetrics, scrapedGauge } from '@qsign/rpc';

/** What the gauges read when scraped. */
export interface NodeGaugeSource {
  sealed(): boolean;
  unusedNonces(): number;
  heldRequests(): Promise<number>;
  auditRecords(): number;
  /** Seconds audit records have waited for a checkpoint (0: all covered); undefined while sealed. */
  checkpointAgeSeconds(): number | undefined;
  keys(): number;
}

/** A node's metrics. */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly #shares: Counter<'key'>;
  readonly #refusals: Counter<'code'>;
  readonly #latency: Histogram<'outcome'>;

  constructor(nodeId: number, src: NodeGaugeSource) {
    const r = this.registry;
    r.setDefaultLabels({ node: String(nodeId) });
    this.#shares = new Counter({ name: 'qsign_node_signature_shares_total', help: 'Signature shares released, by key.', labelNames: ['key'], registers: [r] });
    this.#refusals = new Counter({ name: 'qsign_node_refusals_total', help: 'SignShare requests refused, by error code (each is also an audit record).', labelNames: ['code'], registers: [r] });
    this.#latency = new Histogram({ name: 'qsign_node_sign_share_seconds', help: 'SignShare handling time, by outcome (signed or refused).', labelNames: ['outcome'], buckets: LATENCY_BUCKETS, registers: [r] });
    scrapedGauge(r, 'qsign_node_sealed', '1 while the node is sealed (it signs nothing), else 0.', () => Number(src.sealed()));
    scrapedGauge(r, 'qsign_node_unused_nonces', 'Nonce pairs handed out as commitments and not yet used or expired.', () => src.unusedNonces());
    scrapedGauge(r, 'qsign_node_held_requests', 'Requests held for operator approval and not yet decided.', () => src.heldRequests());
    scrapedGauge(r, 'qsign_node_audit_records', 'Records in the audit log.', () => src.auditRecords());
    scrapedGauge(r, 'qsign_node_audit_checkpoint_age_seconds', 'Seconds audit records have waited for a signed checkpoint (0 while the latest covers all).', () => src.checkpointAgeSeconds());
    scrapedGauge(r, 'qsign_node_keys', 'Key shares held.', () => src.keys());
  }

  /** A SignShare call ended: `code` is the refusal's error code, absent when a share was released. */
  signShare(outcome: { keyName?: string; code?: string }, seconds: number): void {
    if (outcome.code) this.#refusals.inc({ code: outcome.code });
    else this.#shares.inc({ key: outcome.keyName ?? '' });
    this.#latency.observe({ outcome: outcome.code ? 'refused' : 'signed' }, seconds);
  }

  /** The exposition text. */
  render(): Promise<{ contentType: string; body: string }> {
    return renderMetrics(this.registry);
  }
}

/**
 * Where recent signing requests stand, for `GetRequestStatus`: a client
 * whose Sign call is waiting polls it to show "waiting for approval from
 * nodes 1, 3, 4". In memory; entries are forgotten 10 minutes after the end.
 */
import type { RequestStatus } from '@qsign/proto';
import type { NodeState } from './approval-wait.js';

const KEEP_MS = 10 * 60_000;

/** Request id → status. */
export class RequestTracker {
  readonly #m = new Map<string, { status: RequestStatus; endedAtMs?: number }>();

  /** A request started signing. */
  start(requestId: string): void {
    this.#gc();
    this.#m.set(requestId, { status: { requestId, state: 'signing', held: [], ready: [], refused: [], deadlineUnixMs: 0, needed: 0 } });
  }

  /** The wait loop's view of each node. */
  update(requestId: string, states: ReadonlyMap<number, NodeState>, needed: number, deadlineMs: number): void {
    const e = this.#m.get(requestId);
    if (!e) return;
    const all = [...states.entries()].sort(([a], [b]) => a - b);
    e.status = {
      requestId,
      state: 'waiting',
      held: all.flatMap(([nodeId, s]) => (s.kind === 'held' ? [{ nodeId, holdId: s.holdId, expiresUnixMs: s.expiresAtMs }] : [])),
      ready: all.flatMap(([nodeId, s]) => (s.kind === 'ready' || s.kind === 'signed' ? [nodeId] : [])),
      refused: all.flatMap(([nodeId, s]) => (s.kind === 'refused' ? [{ nodeId, reason: s.reason }] : [])),
      deadlineUnixMs: Number.isFinite(deadlineMs) ? deadlineMs : 0,
      needed,
    };
  }

  /** The request ended. */
  finish(requestId: string, state: 'done' | 'failed', why = ''): void {
    const e = this.#m.get(requestId);
    if (!e) return;
    e.status = { ...e.status, state, held: [], refused: why ? [...e.status.refused] : e.status.refused };
    e.endedAtMs = Date.now();
  }

  /** How many requests are waiting for operator approval now. */
  get waiting(): number {
    let n = 0;
    for (const e of this.#m.values()) if (e.status.state === 'waiting') n++;
    return n;
  }

  /** The status of a request ("unknown" if never seen or forgotten). */
  get(requestId: string): RequestStatus {
    return this.#m.get(requestId)?.status ?? { requestId, state: 'unknown', held: [], ready: [], refused: [], deadlineUnixMs: 0, needed: 0 };
  }

  #gc(): void {
    const now = Date.now();
    for (const [k, v] of this.#m) if (v.endedAtMs !== undefined && now - v.endedAtMs > KEEP_MS) this.#m.delete(k);
    if (this.#m.size > 100_000) this.#m.clear();
  }
}

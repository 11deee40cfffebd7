/**
 * Held requests and the policy gate in front of signing (issue 6). A request
 * the policy holds is stored durably (LevelDB h!, with a 'held' audit record)
 * WITHOUT touching any nonce; the coordinator is told HELD and asks again. An
 * operator approves or denies it (each decision an audit record naming the
 * operator). The approval is bound to the request id and the SHA-256 of the
 * exact client-signed body; freshness is checked at first arrival only, and
 * the hold keeps that verified request until it expires.
 *
 * Plain domain code: no gRPC, no HTTP.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { QSIGN_HINT, QsignError, checkFreshness, errorMessage, type ErrorCode, type SignRequest, type SignedRequest } from '@qsign/protocol';
import { packageInfo } from '@qsign/rpm';
import { heldEntry, holdDecidedEntry, holdEndedEntry, holdExpiredEntry, withDetails, type AuditContext } from '@qsign/audit';
import type { NodeStore, StoredHold } from '@qsign/storage';
import type { NodeConfig } from './config.js';
import { RateCounter, evaluatePolicy } from './policy.js';
import { describePublished } from './payload.js';
import { sha256Hex } from './digest.js';

/** Status of a held request. */
export type HoldStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'ended';

/** A held request as the node keeps it and the operator sees it. */
export interface Hold extends StoredHold {
  holdId: string;
  requestId: string;
  /** SHA-256 of the client-signed body bytes: what an approval is bound to. */
  bodySha256: string;
  keyName: string;
  client: string;
  kind: string;
  fileName: string;
  fileSize: number;
  /** SHA-256 of the data the node was sent (the RPM header, the file, or the digest itself). */
  dataSha256: string;
  rpm?: { name: string; nevra: string; files: string[] };
  rule: string;
  reason: string;
  heldAtMs: number;
  expiresAtMs: number;
  status: HoldStatus;
  decidedBy?: string;
  decidedAtMs?: number;
  note?: string;
}

/** A lifecycle operation that this node's policy holds for its operator (roles.ts `lifecycle.hold`). */
export interface LifecycleHoldRequest {
  /** Hold request id, one per operation and plan (e.g. "reshare-<plan id>"). */
  requestId: string;
  /** The signed bytes the approval is bound to (the plan). */
  body: Uint8Array;
  keyName: string;
  /** Name of the officer who signed it. */
  signer: string;
  kind: 'reshare' | 'retire';
  /** What the node will do once approved, for the operator. */
  reason: string;
  expirySeconds: number;
}

/** How a request got past the gate. */
export type Admission = { by: 'policy' } | { by: 'approval'; hold: Hold };

/** Throws a refusal after recording it (the signer's audited refusal path). */
export type Refuse = (code: ErrorCode, reason: string, ctx: AuditContext) => Promise<never>;

/** The short id an operator approves a hold by: bound to the request id and the exact signed body. */
function holdIdOf(requestId: string, bodySha256: string): string {
  return sha256Hex(`${requestId}\n${bodySha256}`).slice(0, 12);
}

/** How long decided or expired holds stay listed after their expiry. */
export const HOLD_RETENTION_MS = 7 * 86_400_000;

/** The node's policy gate and its book of held requests. */
export class Approvals {
  readonly rates = new RateCounter();
  #lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: NodeConfig,
    private readonly store: NodeStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs `fn` after every earlier gate or decision step (one at a time per node). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /**
   * The gate, after the client signature and request checks and before any
   * nonce is touched: an existing hold decides (approved → sign, pending →
   * HELD, denied → refused, expired → HOLD_EXPIRED); otherwise freshness,
   * then the policy: refuse (audited, naming the rule), hold (stored, audited,
   * HELD) or allow.
   */
  admit(signed: SignedRequest, req: SignRequest, clientName: string, ctx: AuditContext, refuse: Refuse): Promise<Admission> {
    return this.#serial(async () => {
      const bodySha = sha256Hex(signed.body);
      const existing = (await this.store.getHold(req.requestId)) as Hold | undefined;
      if (existing) return this.#existing(existing, bodySha, ctx, refuse);
      try {
        checkFreshness(req.createdAtMs, this.now(), this.config.freshnessWindowSeconds * 1000);
      } catch (e) {
        return refuse('STALE_REQUEST', errorMessage(e), ctx);
      }
      const nowMs = this.now();
      const decision = evaluatePolicy(this.config.policy, { requestId: req.requestId, keyName: req.keyName, clientName, kind: req.kind, data: req.data, nowMs }, this.rates);
      if (decision.action === 'refuse') return refuse('POLICY_REFUSED', `policy refused: ${decision.reason}`, withDetails(ctx, { rule: decision.rule }));
      this.rates.note(req.requestId, req.keyName, clientName, nowMs);
      if (decision.action === 'allow') return { by: 'policy' };
      const hold = this.#newHold(req, clientName, bodySha, decision.rule, decision.reason, nowMs, nowMs + decision.expirySeconds * 1000);
      await this.store.putHold(hold, heldEntry({ ...ctx, dataSha256: hold.dataSha256, fileName: hold.fileName || undefined }, { ...hold, nevra: hold.rpm?.nevra }));
      throw this.#held(hold);
    });
  }

  /**
   * The gate for a held lifecycle operation: the approved hold of `op`
   * admits it; a pending one answers HELD; a denied or expired one refuses;
   * without one a new hold is stored (audited) and HELD is thrown. The
   * approval is bound to the SHA-256 of the signed plan bytes.
   */
  admitLifecycle(op: LifecycleHoldRequest, ctx: AuditContext, refuse: Refuse): Promise<Hold> {
    return this.#serial(async () => {
      const bodySha = sha256Hex(op.body);
      const existing = (await this.store.getHold(op.requestId)) as Hold | undefined;
      if (existing) {
        await this.#existing(existing, bodySha, ctx, refuse);
        return existing;
      }
      const nowMs = this.now();
      const hold: Hold = {
        holdId: holdIdOf(op.requestId, bodySha),
        requestId: op.requestId,
        bodySha256: bodySha,
        keyName: op.keyName,
        client: op.signer,
        kind: op.kind,
        fileName: '',
        fileSize: op.body.length,
        dataSha256: bodySha,
        rule: `lifecycle.hold (${op.kind})`,
        reason: op.reason,
        heldAtMs: nowMs,
        expiresAtMs: nowMs + op.expirySeconds * 1000,
        status: 'pending',
      };
      await this.store.putHold(hold, heldEntry(ctx, hold));
      throw this.#held(hold);
    });
  }

  async #existing(h: Hold, bodySha: string, ctx: AuditContext, refuse: Refuse): Promise<Admission> {
    if (h.bodySha256 !== bodySha)
      return refuse('REPLAYED_REQUEST', `request id ${h.requestId} is already held (hold ${h.holdId}) for a different request body`, withDetails(ctx, { holdId: h.holdId }));
    if ((h.status === 'pending' || h.status === 'approved') && this.now() > h.expiresAtMs) await this.#expire(h);
    switch (h.status) {
      case 'pending':
        throw this.#held(h);
      case 'approved':
        return { by: 'approval', hold: h };
      case 'denied':
        return refuse('POLICY_REFUSED', `denied by operator ${h.decidedBy}: ${h.note}`, withDetails(ctx, { holdId: h.holdId }));
      case 'expired':
        return refuse('HOLD_EXPIRED', `hold ${h.holdId} expired at ${new Date(h.expiresAtMs).toISOString()}: no operator approved it in time`, withDetails(ctx, { holdId: h.holdId }));
      case 'ended':
        return refuse('HOLD_EXPIRED', `hold ${h.holdId} is over: ${h.note}`, withDetails(ctx, { holdId: h.holdId }));
    }
  }

  #held(h: Hold): QsignError {
    return new QsignError('HELD', `node ${this.config.nodeId}: request held for operator approval (hold ${h.holdId}, expires ${new Date(h.expiresAtMs).toISOString()}): ${h.reason}`, {
      details: { nodeId: this.config.nodeId, holdId: h.holdId, expiresAtMs: h.expiresAtMs },
    });
  }

  async #expire(h: Hold): Promise<void> {
    const was = h.status;
    h.status = 'expired';
    await this.store.putHold(h, holdExpiredEntry({ ...h, clientId: h.client, fileName: undefined }, was));
  }

  #newHold(req: SignRequest, client: string, bodySha: string, rule: string, reason: string, nowMs: number, expiresAtMs: number): Hold {
    let rpm: Hold['rpm'];
    if (req.kind === 'rpm-header') {
      try {
        const info = packageInfo(req.data);
        rpm = {
          name: info.name,
          nevra: `${info.name}-${info.epoch !== undefined ? `${info.epoch}:` : ''}${info.version}-${info.release}.${info.arch}`,
          files: info.files.slice(0, 2000).map((f) => `${f.path}${f.digest ? `  ${f.digest}` : ''}`),
        };
      } catch (e) {
        rpm = { name: '(unreadable)', nevra: `(header does not parse: ${errorMessage(e)})`, files: [] };
      }
    }
    return {
      holdId: holdIdOf(req.requestId, bodySha),
      requestId: req.requestId,
      bodySha256: bodySha,
      keyName: req.keyName,
      client,
      kind: req.kind,
      fileName: describePublished(req) ?? req.claims?.fileName ?? '',
      fileSize: req.claims?.size ?? req.data.length,
      dataSha256: req.kind === 'digest' ? bytesToHex(req.data) : sha256Hex(req.data),
      rpm,
      rule,
      reason,
      heldAtMs: nowMs,
      expiresAtMs,
      status: 'pending',
    };
  }

  /** Held requests, newest first: pending ones only unless `all`. Expired ones are marked on the way. */
  async list(all = false): Promise<Hold[]> {
    return this.#serial(async () => {
      const holds = (await this.store.listHolds()) as Hold[];
      for (const h of holds) if ((h.status === 'pending' || h.status === 'approved') && this.now() > h.expiresAtMs) await this.#expire(h);
      return holds.filter((h) => all || h.status === 'pending').sort((a, b) => b.heldAtMs - a.heldAtMs);
    });
  }

  /** One hold by id, unique id prefix, or request id. */
  async find(id: string): Promise<Hold> {
    const want = id.trim().toLowerCase();
    if (!/^[a-z0-9._:-]{4,128}$/.test(want)) throw new QsignError('INVALID_ARGUMENT', `not a hold id: ${JSON.stringify(id.slice(0, 80))} (use the id that '${QSIGN_HINT} pending' shows)`);
    const all = await this.list(true);
    // A full hold id wins. Otherwise a hold-id prefix and a request id (which the client chose)
    // may name different holds: refuse that instead of picking one, so a client cannot pick a
    // request id that captures what the operator typed.
    const exact = all.filter((h) => h.holdId === want);
    const found = exact.length === 1 ? exact : all.filter((h) => h.holdId.startsWith(want) || h.requestId === want);
    if (found.length === 0) throw new QsignError('INVALID_ARGUMENT', `no held request ${id} on node ${this.config.nodeId}`);
    if (found.length > 1)
      throw new QsignError('INVALID_ARGUMENT', `${id} is ambiguous: it matches ${found.length} held requests (${found.map((h) => `hold ${h.holdId}, request ${h.requestId}`).join('; ')}); give the full hold id`);
    return found[0]!;
  }

  /**
   * Approves or denies a pending hold, durably, with an audit record naming
   * the operator. A decision is final; a denial needs a reason.
   */
  async decide(id: string, approve: boolean, note: string, operator: string): Promise<Hold> {
    const h = await this.find(id);
    return this.#serial(async () => {
      const cur = ((await this.store.getHold(h.requestId)) as Hold | undefined) ?? h;
      if (cur.status === 'pending' && this.now() > cur.expiresAtMs) await this.#expire(cur);
      if (cur.status === 'ended') throw new QsignError('INVALID_ARGUMENT', `hold ${cur.holdId} is over: ${cur.note}; there is nothing left to ${approve ? 'approve' : 'deny'}`);
      if (cur.status !== 'pending') throw new QsignError('INVALID_ARGUMENT', `hold ${cur.holdId} is already ${cur.status}${cur.decidedBy ? ` (by ${cur.decidedBy})` : ''}; a decision is final`);
      const op = operator.trim().slice(0, 64);
      if (!/^[^\s\x00-\x1f]+$/.test(op)) throw new QsignError('INVALID_ARGUMENT', 'the operator name is missing or not printable');
      const text = note.trim().slice(0, 500);
      if (!approve && !text) throw new QsignError('INVALID_ARGUMENT', 'a denial needs a reason (--reason TEXT)');
      cur.status = approve ? 'approved' : 'denied';
      cur.decidedBy = op;
      cur.decidedAtMs = this.now();
      cur.note = text;
      await this.store.putHold(cur, holdDecidedEntry({ ...cur, clientId: cur.client, nevra: cur.rpm?.nevra }, approve, op, text));
      return cur;
    });
  }

  /**
   * Ends the pending or approved (not yet used) hold of a request that is
   * over without this node — signed by others, or abandoned by the
   * coordinator — so it no longer waits for an operator. Only the hold of
   * exactly this client-signed body ends (`bodySha256`); the audit record
   * names the coordinator and what it said happened. Returns whether a hold ended.
   */
  end(requestId: string, bodySha256: string, outcome: string, coordinatorId: string): Promise<boolean> {
    return this.#serial(async () => {
      const h = (await this.store.getHold(requestId)) as Hold | undefined;
      if (!h || h.bodySha256 !== bodySha256 || (h.status !== 'pending' && h.status !== 'approved')) return false;
      const was = h.status;
      h.status = 'ended';
      h.decidedAtMs = this.now();
      h.note = `${outcome.replace(/[\x00-\x1f]/g, ' ').trim().slice(0, 300) || 'the request is over'} (coordinator ${coordinatorId.slice(0, 64)})`;
      await this.store.putHold(h, holdEndedEntry({ ...h, clientId: h.client, fileName: undefined }, was, coordinatorId.slice(0, 64), h.note));
      return true;
    });
  }

  /** Marks expired holds and forgets those past retention; returns how many were forgotten. */
  async prune(): Promise<number> {
    const holds = await this.list(true);
    const old = holds.filter((h) => this.now() > h.expiresAtMs + HOLD_RETENTION_MS).map((h) => h.requestId);
    await this.store.deleteHolds(old);
    return old.length;
  }
}

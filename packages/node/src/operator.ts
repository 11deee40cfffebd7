/**
 * Thin gRPC adapters for issue 6: `NodeApproval.CheckRequest` (beside the
 * Node service, for the coordinator) and `NodeOperator` (on the 0600 admin
 * socket, for `qsign pending/show/approve/deny/console`).
 */
import type { HoldView, NodeApprovalServer, NodeOperatorServer } from '@qsign/proto';
import { QsignError, errorMessage } from '@qsign/protocol';
import { callerIdentity, decodeSignRequest, unaryHandler } from '@qsign/rpc';
import type { Approvals, Hold } from './approvals.js';
import type { NodeSigner } from './signer.js';
import type { PoolOwnerCheck } from './pool-owner.js';

/** The operator-facing view of a hold. */
export function holdView(h: Hold): HoldView {
  return {
    holdId: h.holdId,
    requestId: h.requestId,
    keyName: h.keyName,
    client: h.client,
    kind: h.kind,
    fileName: h.fileName,
    fileSize: h.fileSize,
    status: h.status,
    rule: h.rule,
    reason: h.reason,
    heldUnixMs: h.heldAtMs,
    expiresUnixMs: h.expiresAtMs,
    dataSha256: h.dataSha256,
    rpmNevra: h.rpm?.nevra ?? '',
    rpmName: h.rpm?.name ?? '',
    rpmFiles: h.rpm?.files ?? [],
    decidedBy: h.decidedBy ?? '',
    decidedUnixMs: h.decidedAtMs ?? 0,
    decisionNote: h.note ?? '',
  };
}

/** Builds the NodeApproval handlers (coordinator-facing; `owner` binds the caller, pool-owner.ts). */
export function approvalHandlers(signer: NodeSigner, owner: PoolOwnerCheck, log: (m: string) => void): NodeApprovalServer {
  return {
    checkRequest: unaryHandler(async (req, call) => {
      const coordinator = await owner('CheckRequest', callerIdentity(call), req.coordinatorId);
      if (!req.request) throw new QsignError('MALFORMED_REQUEST', 'CheckRequest has no request');
      const r = await signer.checkRequest(req.request, decodeSignRequest, coordinator);
      return { nodeId: signer.nodeId, ready: r.ready, holdId: r.holdId, expiresUnixMs: r.expiresAtMs };
    }, (e) => log(`internal error: ${errorMessage(e)}`)),
    endRequest: unaryHandler(async (req, call) => {
      const coordinator = await owner('EndRequest', callerIdentity(call), req.coordinatorId);
      if (!req.request) throw new QsignError('MALFORMED_REQUEST', 'EndRequest has no request');
      const ended = await signer.endRequest(req.request, decodeSignRequest, req.outcome, coordinator);
      if (ended) log(`hold of a request ended: ${req.outcome}`);
      return { ended };
    }, (e) => log(`internal error: ${errorMessage(e)}`)),
  };
}

/** What the operator service needs besides the holds. */
export interface OperatorContext {
  approvals: Approvals;
  /** Mints a console login token for `operator`, or throws if the console is off. */
  consoleLogin: (operator: string) => { url: string; token: string; expiresAtMs: number };
  log: (m: string) => void;
}

/** Builds the NodeOperator handlers (operator socket). */
export function operatorHandlers(ctx: OperatorContext): NodeOperatorServer {
  const internal = (e: unknown) => ctx.log(`operator internal error: ${errorMessage(e)}`);
  return {
    listHolds: unaryHandler(async (req) => ({ holds: (await ctx.approvals.list(req.all)).map(holdView) }), internal),
    showHold: unaryHandler(async (req) => holdView(await ctx.approvals.find(req.id)), internal),
    decideHold: unaryHandler(async (req) => {
      const h = await ctx.approvals.decide(req.id, req.approve, req.note, req.operator);
      ctx.log(`hold ${h.holdId} (request ${h.requestId}, key ${h.keyName}) ${h.status} by operator ${h.decidedBy} over the operator socket`);
      return holdView(h);
    }, internal),
    consoleLogin: unaryHandler(async (req) => {
      const op = req.operator.trim();
      if (!op) throw new QsignError('INVALID_ARGUMENT', 'operator name missing');
      const t = ctx.consoleLogin(op);
      ctx.log(`console login token issued to operator ${op} over the operator socket`);
      return { url: t.url, token: t.token, expiresUnixMs: t.expiresAtMs };
    }, internal),
  };
}

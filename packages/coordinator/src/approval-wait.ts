/**
 * Waiting for operator approval (issue 6). When a node answers a signing
 * attempt with HELD, its nonce is untouched, so the attempt is "parked": the
 * coordinator keeps the shares it already has and, as soon as each holding
 * node's operator approves, re-sends the same commitment list to that node.
 * If the parked list can no longer complete (a member denied, expired or
 * refused), a fresh list is formed from nodes that are ready (approved, or
 * auto). It asks every other holder of the key once (CheckRequest, no nonce
 * spent), so their operators see the request too, and keeps polling held
 * nodes until N signed, the deadline passed, or so many refused that N can no
 * longer be reached — then answers with each node's reason.
 *
 * No gRPC here: nodes are reached through callbacks the Coordinator supplies.
 */
import { QsignError, classifyRefusal, errorMessage, type ErrorCode, type PreparedCommitment, type SchemeShare, type SessionEntry, type SignedRequest } from '@qsign/protocol';
import { fromNode } from './node-reason.js';

/** A node as the wait loop sees it. */
export interface WaitNode {
  id: number;
  identifier: number;
}

/** A node's standing for this request. */
export type NodeState =
  | { kind: 'signed'; share: SchemeShare }
  | { kind: 'held'; holdId: string; expiresAtMs: number }
  | { kind: 'ready' }
  | { kind: 'refused'; reason: string; code: ErrorCode }
  | { kind: 'down'; reason: string }
  | { kind: 'unknown' };

/** What the coordinator supplies to the wait loop. */
export interface WaitPorts {
  /** CheckRequest on a node: ready, held, or throws (refusal / unreachable). */
  check(n: WaitNode): Promise<{ ready: boolean; holdId: string; expiresAtMs: number }>;
  /** SignShare on a node with a list. */
  signShare(n: WaitNode, list: SessionEntry[]): Promise<SchemeShare>;
  /** A fresh commitment of node `n` (from the pool). */
  takeCommitment(n: WaitNode): Promise<PreparedCommitment>;
  /** Aggregates and verifies; undefined if the aggregate does not verify. */
  finish(shares: SchemeShare[], list: SessionEntry[]): Uint8Array | undefined;
  /** Tells a node whose hold is now moot that the request is over (its hold ends). */
  end?(n: WaitNode, outcome: string): Promise<unknown>;
  /** Progress report (for GetRequestStatus). */
  report(states: ReadonlyMap<number, NodeState>): void;
  log(msg: string, fields?: { requestId?: string }): void;
}

/** The parked attempt and everything known so far. */
export interface WaitInput {
  requestId: string;
  keyName: string;
  need: number;
  maxSigners: number;
  holders: WaitNode[];
  /** Members of the parked attempt with the list they were sent. */
  parked: { members: WaitNode[]; list: SessionEntry[] };
  /** States already known (from the parked attempt and earlier ones), by node id. */
  states: Map<number, NodeState>;
  deadlineMs: number;
  pollMs: number;
  signed: SignedRequest;
}

/** The result: a verified signature and who made it. */
export interface WaitResult {
  signature: Uint8Array;
  signers: number[];
  list: SessionEntry[];
}

/** Maps a node error to its new state: a final refusal, or a transient outage. */
export function stateOfError(e: unknown): NodeState {
  const err = e as QsignError;
  if (err?.code === 'HELD') return { kind: 'held', holdId: String(err.details?.holdId ?? ''), expiresAtMs: Number(err.details?.expiresAtMs ?? 0) };
  if (err?.code && classifyRefusal(err.code).final) return { kind: 'refused', reason: errorMessage(err), code: err.code };
  // A transport error already says the node is unreachable (rpc status.ts); others get it said.
  return { kind: 'down', reason: err?.details?.transport === true ? errorMessage(e) : `unreachable: ${errorMessage(e)}` };
}

/**
 * Runs the wait loop; resolves with a signature or throws a clear, per-node
 * result. Either way the request is then over: every node still holding it
 * (pending, or approved but not used) is told so, and its hold ends.
 */
export async function waitForApprovals(w: WaitInput, p: WaitPorts): Promise<WaitResult> {
  let outcome = 'abandoned by the coordinator';
  try {
    const r = await waitLoop(w, p);
    outcome = `signed by nodes ${r.signers.join(', ')} without this node`;
    return r;
  } catch (e) {
    outcome = `abandoned by the coordinator: ${errorMessage(e).slice(0, 200)}`;
    throw e;
  } finally {
    await endHolds(w, p, outcome);
  }
}

/** Ends the holds of nodes that did not sign (best effort: a node that cannot be told keeps its hold until it expires). */
async function endHolds(w: WaitInput, p: WaitPorts, outcome: string): Promise<void> {
  if (!p.end) return;
  const moot = w.holders.filter((n) => ['held', 'ready'].includes(w.states.get(n.id)?.kind ?? ''));
  await Promise.all(
    moot.map((n) =>
      p.end!(n, outcome).catch((e) => p.log(`request ${w.requestId}: could not end the hold on node ${n.id}: ${errorMessage(e)}`)),
    ),
  );
}

async function waitLoop(w: WaitInput, p: WaitPorts): Promise<WaitResult> {
  const st = w.states;
  const byId = new Map(w.holders.map((n) => [n.id, n]));
  const poll = async (nodes: WaitNode[]) =>
    Promise.all(
      nodes.map(async (n) => {
        try {
          const r = await p.check(n);
          st.set(n.id, r.ready ? { kind: 'ready' } : { kind: 'held', holdId: r.holdId, expiresAtMs: r.expiresAtMs });
        } catch (e) {
          st.set(n.id, stateOfError(e));
        }
      }),
    );
  // Ask every holder outside the parked attempt once, so each operator sees the request.
  await poll(w.holders.filter((n) => !st.has(n.id) || st.get(n.id)!.kind === 'unknown'));
  let parkedAlive = true;
  for (;;) {
    p.report(st);
    if (parkedAlive && w.parked.members.some((m) => st.get(m.id)?.kind === 'refused')) {
      parkedAlive = false;
      p.log(`request ${w.requestId}: the parked attempt cannot complete (${w.parked.members.filter((m) => st.get(m.id)?.kind === 'refused').map((m) => `node ${m.id}`).join(', ')} refused); will use nodes that are ready`, { requestId: w.requestId });
    }
    const readyNow = w.holders.filter((n) => ['ready', 'signed'].includes(st.get(n.id)?.kind ?? '')).length;
    if (parkedAlive && readyNow >= w.need && w.parked.members.some((m) => !['ready', 'signed'].includes(st.get(m.id)?.kind ?? ''))) {
      // Enough nodes are ready, but not the parked attempt's members: do not wait for those.
      parkedAlive = false;
      p.log(`request ${w.requestId}: ${readyNow} nodes are ready but the parked attempt is still incomplete; starting a fresh attempt`, { requestId: w.requestId });
    }
    if (parkedAlive) {
      // Approved members sign the parked list with the nonce they kept.
      await Promise.all(
        w.parked.members
          .filter((m) => st.get(m.id)?.kind === 'ready')
          .map(async (m) => {
            try {
              st.set(m.id, { kind: 'signed', share: await p.signShare(m, w.parked.list) });
            } catch (e) {
              st.set(m.id, stateOfError(e));
            }
          }),
      );
      const shares = w.parked.members.map((m) => st.get(m.id)).filter((s): s is Extract<NodeState, { kind: 'signed' }> => s?.kind === 'signed').map((s) => s.share);
      if (shares.length === w.parked.members.length) {
        const signature = p.finish(shares, w.parked.list);
        if (signature) return { signature, signers: w.parked.members.map((m) => m.id).sort((a, b) => a - b), list: w.parked.list };
        throw new QsignError('SIGNING_FAILED', `request ${w.requestId}: the aggregate of the approved shares does not verify`);
      }
      if (w.parked.members.some((m) => st.get(m.id)?.kind === 'refused')) continue;
    } else {
      const ready = w.holders.filter((n) => ['ready', 'signed'].includes(st.get(n.id)?.kind ?? ''));
      if (ready.length >= w.need) {
        const done = await freshAttempt(w, p, ready.slice(0, w.need));
        if (done) return done;
      }
    }
    const possible = w.holders.filter((n) => st.get(n.id)?.kind !== 'refused');
    if (possible.length < w.need) throw impossible(w, st);
    if (Date.now() >= w.deadlineMs) throw timedOut(w, st);
    await new Promise((r) => setTimeout(r, Math.min(w.pollMs, Math.max(0, w.deadlineMs - Date.now()))));
    await poll([...byId.values()].filter((n) => ['held', 'down', 'unknown'].includes(st.get(n.id)?.kind ?? 'unknown')));
  }
}

/** One attempt with a fresh list among nodes that said they are ready. */
async function freshAttempt(w: WaitInput, p: WaitPorts, nodes: WaitNode[]): Promise<WaitResult | undefined> {
  let list: SessionEntry[];
  try {
    list = (await Promise.all(nodes.map(async (n) => ({ ...(await p.takeCommitment(n)), identifier: n.identifier })))).sort((a, b) => a.identifier - b.identifier);
  } catch (e) {
    p.log(`request ${w.requestId}: could not gather commitments: ${errorMessage(e)}`, { requestId: w.requestId });
    return undefined;
  }
  const results = await Promise.allSettled(nodes.map((n) => p.signShare(n, list)));
  const shares: SchemeShare[] = [];
  results.forEach((r, i) => {
    const n = nodes[i]!;
    if (r.status === 'fulfilled') {
      shares.push(r.value);
      w.states.set(n.id, { kind: 'ready' });
    } else w.states.set(n.id, stateOfError(r.reason));
  });
  if (shares.length < nodes.length) return undefined;
  const signature = p.finish(shares, list);
  if (!signature) throw new QsignError('SIGNING_FAILED', `request ${w.requestId}: the aggregate of the approved shares does not verify`);
  return { signature, signers: nodes.map((n) => n.id).sort((a, b) => a - b), list };
}

function describe(w: WaitInput, st: ReadonlyMap<number, NodeState>): string {
  return w.holders
    .map((n) => {
      const s = st.get(n.id);
      switch (s?.kind) {
        case 'refused':
          return fromNode(n.id, s.reason);
        case 'held':
          return `node ${n.id}: still waiting for its operator (hold ${s.holdId})`;
        case 'down':
          return fromNode(n.id, s.reason);
        case 'signed':
        case 'ready':
          return `node ${n.id}: ready`;
        default:
          return `node ${n.id}: no answer`;
      }
    })
    .join('; ');
}

function impossible(w: WaitInput, st: ReadonlyMap<number, NodeState>): QsignError {
  const refused = [...st.entries()].filter(([, s]) => s.kind === 'refused') as Array<[number, Extract<NodeState, { kind: 'refused' }>]>;
  const allExpired = refused.length > 0 && refused.every(([, s]) => s.code === 'HOLD_EXPIRED');
  const code: ErrorCode = allExpired ? 'HOLD_EXPIRED' : refused.find(([, s]) => s.code === 'POLICY_REFUSED')?.[1].code ?? refused[0]?.[1].code ?? 'NOT_ENOUGH_NODES';
  return new QsignError(code, `cannot sign: key ${w.keyName} needs ${w.need} of ${w.maxSigners} nodes and too many ${allExpired ? 'holds expired' : 'nodes denied or refused'} to reach ${w.need} (${describe(w, st)})`, {
    details: { needed: w.need, refused: Object.fromEntries(refused.map(([id, s]) => [id, s.reason])) },
  });
}

function timedOut(w: WaitInput, st: ReadonlyMap<number, NodeState>): QsignError {
  const pending = [...st.entries()].filter(([, s]) => s.kind === 'held').map(([id]) => id);
  return new QsignError('DEADLINE', `cannot sign: gave up waiting for operator approval at the deadline; still pending on node${pending.length === 1 ? '' : 's'} ${pending.join(', ') || '(none)'} (${describe(w, st)})`, {
    details: { needed: w.need, pending },
  });
}

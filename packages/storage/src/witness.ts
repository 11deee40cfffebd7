/**
 * Checkpoint witnessing between nodes (c2sp.org/tlog-cosignature, with the
 * add-checkpoint flow of c2sp.org/tlog-witness): a node cosigns a peer's
 * checkpoint only after checking it is signed by the peer's configured key and
 * consistent with the last checkpoint it accepted from that peer. A peer that
 * forks its log (rewrites or truncates records it had checkpointed) is caught:
 * the witness refuses, keeps its state, and appends a `fork-detected` record
 * with both checkpoints to its own audit log as evidence.
 */
import { checkOpenedConsistency, cosign, forkDetectedEntry, formatCheckpoint, openCheckpoint, parseVerifierKey, type Checkpoint, type VerifierKey } from '@qsign/audit';
import { QsignError, errorMessage } from '@qsign/protocol';
import type { AuditLog } from './audit-log.js';
import type { AuditIdentity } from './audit-notary.js';

/** A log this node witnesses. */
export interface WitnessedPeer {
  id: number;
  /** The peer's log verifier key (type 0x01 vkey); its name is the peer's origin. */
  verifierKey: string;
}

/** Outcome of {@link Witness.addCheckpoint}. */
export type CosignOutcome =
  | { kind: 'cosigned'; cosignature: string }
  /** The submitter's old size is not the size this witness holds (tlog-witness 409): retry from `knownSize`. */
  | { kind: 'conflict'; knownSize: number };

/** The witness side of one node. */
export class Witness {
  readonly #peers: Map<string, { id: number; key: VerifierKey }>;
  #tail: Promise<unknown> = Promise.resolve();
  /**
   * The last checkpoint accepted per origin, as opened (signature verified) when it was accepted
   * and made durable (`w!<origin>`): each new checkpoint costs one signature check, not four and
   * a read. Filled from the log on first use after start.
   */
  readonly #accepted = new Map<string, { note: string; checkpoint: Checkpoint }>();

  constructor(
    private readonly log: AuditLog,
    private readonly identity: AuditIdentity,
    peers: readonly WitnessedPeer[],
    private readonly now: () => number = Date.now,
  ) {
    this.#peers = new Map(peers.map((p) => {
      const key = parseVerifierKey(p.verifierKey);
      return [key.name, { id: p.id, key }];
    }));
  }

  /**
   * Handles a peer's checkpoint with a consistency proof from `oldSize` (the
   * size the submitter believes this witness holds). Serialised per node.
   *
   * @throws QsignError INVALID_ARGUMENT (unknown peer, bad signature), AUDIT_LOG_FORK (inconsistent: evidence recorded).
   */
  addCheckpoint(note: string, oldSize: number, proof: readonly Uint8Array[]): Promise<CosignOutcome> {
    const run = this.#tail.then(() => this.#add(note, oldSize, proof));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #add(note: string, oldSize: number, proof: readonly Uint8Array[]): Promise<CosignOutcome> {
    const origin = note.split('\n', 1)[0] ?? '';
    const peer = this.#peers.get(origin);
    if (!peer) throw new QsignError('INVALID_ARGUMENT', `not a witness for log ${JSON.stringify(origin.slice(0, 80))}`);
    let cp;
    try {
      cp = openCheckpoint(note, [peer.key], { origin }).checkpoint;
    } catch (e) {
      throw new QsignError('INVALID_ARGUMENT', `checkpoint of ${origin} does not verify: ${errorMessage(e)}`);
    }
    const prev = await this.#previous(origin, peer.key);
    if (prev !== undefined) {
      const prevSize = prev.checkpoint.size;
      if (oldSize !== prevSize) return { kind: 'conflict', knownSize: prevSize };
      try {
        checkOpenedConsistency(prev.checkpoint, cp, proof);
      } catch (e) {
        await this.log
          .append(forkDetectedEntry(`node ${peer.id} (${origin}) presented a checkpoint inconsistent with the one this node witnessed before: ${errorMessage(e)}`, { peer: peer.id, origin, previous: prev.note, presented: note }))
          .catch(() => undefined);
        throw new QsignError('AUDIT_LOG_FORK', `log ${origin} forked: checkpoint of size ${cp.size} is inconsistent with the witnessed size ${prevSize}: ${errorMessage(e)}`);
      }
    } else if (oldSize !== 0) {
      return { kind: 'conflict', knownSize: 0 };
    }
    await this.log.putWitnessed(origin, note);
    this.#accepted.set(origin, { note, checkpoint: cp });
    return { kind: 'cosigned', cosignature: cosign(formatCheckpoint(cp), this.identity.origin, this.identity.secretKey, Math.floor(this.now() / 1000)) };
  }

  /** The last checkpoint accepted from `origin` (memory, else the log, opened once), or undefined. */
  async #previous(origin: string, key: VerifierKey): Promise<{ note: string; checkpoint: Checkpoint } | undefined> {
    const known = this.#accepted.get(origin);
    if (known) return known;
    const note = await this.log.witnessed(origin);
    if (note === undefined) return undefined;
    const opened = { note, checkpoint: openCheckpoint(note, [key], { origin }).checkpoint };
    this.#accepted.set(origin, opened);
    return opened;
  }
}

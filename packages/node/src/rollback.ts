/**
 * Rollback detection (issue 9 finding 6): a node whose data directory is
 * restored from an older copy has its spent nonces back — signing with one
 * again would leak its share. Its own checkpoints were restored with the
 * data, but its witnesses kept the latest checkpoint they cosigned for it
 * (c2sp.org/tlog-witness). At start the node asks every witness for that
 * checkpoint; one signed by this node's own key for a larger tree, or for a
 * tree its records no longer extend, proves a rollback: the node records it
 * and refuses to sign (fail closed, AUDIT_ROLLBACK). Witnesses that do not
 * answer at start are asked again until each has answered once.
 */
import { openCheckpoint, parseVerifierKey, rollbackDetectedEntry } from '@qsign/audit';
import { errorMessage } from '@qsign/protocol';
import { AuditRpcClient, expectIdentity, expecting, type TransportSecurity } from '@qsign/rpc';
import { checkExtends, type AuditLog } from '@qsign/storage';
import type { AuditPeer } from './audit.js';

/** How long one witness may take to answer. */
const ASK_TIMEOUT_MS = 5000;

/** What a witness holds for a log, checked against the log: the rollback it proves, if any. */
export async function rollbackShownBy(log: AuditLog, verifierKey: string, witnessedNote: string, witness: string): Promise<string | undefined> {
  const key = parseVerifierKey(verifierKey);
  let checkpoint;
  try {
    checkpoint = openCheckpoint(witnessedNote, [key], { origin: key.name }).checkpoint;
  } catch {
    return undefined; // not signed by this log's key: proves nothing (a lying witness cannot forge one)
  }
  try {
    await checkExtends(log, checkpoint);
    return undefined;
  } catch (e) {
    return `rollback: ${witness} cosigned a checkpoint of this node's log at size ${checkpoint.size}, but the log holds ${log.size} records that do not extend it (${errorMessage(e)}); the data directory was restored from an older copy, so nonces already spent may be back`;
  }
}

/** Asks the witnesses once at start, and again until each has answered; holds the refusal once a rollback is seen. */
export class RollbackGuard {
  #refusal: string | undefined;
  readonly #unanswered: Set<AuditPeer>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly log: AuditLog,
    private readonly verifierKey: string,
    peers: readonly AuditPeer[],
    private readonly say: (m: string) => void,
    /** How to reach witnesses (mutual TLS: each must present its own node certificate). */
    private readonly security?: TransportSecurity,
  ) {
    this.#unanswered = new Set(peers);
  }

  /** Why this node refuses to sign, once a rollback was detected. */
  get refusal(): string | undefined {
    return this.#refusal;
  }

  /** Asks every witness that has not answered yet (one round at a time). */
  check(): Promise<void> {
    this.#running ??= this.#round().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Re-asks unanswered witnesses every `intervalMs` until all have answered. */
  start(intervalMs = 5000): void {
    if (this.#unanswered.size === 0) return;
    this.#timer = setInterval(() => {
      if (this.#unanswered.size === 0) clearInterval(this.#timer);
      else void this.check();
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops asking. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  async #round(): Promise<void> {
    const origin = parseVerifierKey(this.verifierKey).name;
    await Promise.all([...this.#unanswered].map(async (peer) => {
      const c = new AuditRpcClient(peer.address, `witness node ${peer.id}`, this.security && expecting(this.security, expectIdentity({ role: 'node', name: String(peer.id) })));
      let note: string | undefined;
      try {
        note = (await c.witnessed(ASK_TIMEOUT_MS)).find((w) => w.origin === origin)?.checkpoint;
      } catch (e) {
        this.say(`rollback check: witness node ${peer.id} did not answer (${errorMessage(e)}); asking again later`);
        return;
      } finally {
        c.close();
      }
      this.#unanswered.delete(peer);
      if (note === undefined || this.#refusal) return;
      const rollback = await rollbackShownBy(this.log, this.verifierKey, note, `witness node ${peer.id}`);
      if (!rollback) return;
      this.#refusal = rollback;
      this.say(`AUDIT LOG ROLLED BACK: ${rollback}. This node refuses to sign until an operator investigates.`);
      await this.log.append(rollbackDetectedEntry(rollback, { peer: peer.id, witnessed: note, size: this.log.size }))
        .catch((e) => this.say(`cannot record the rollback: ${errorMessage(e)}`));
    }));
  }
}

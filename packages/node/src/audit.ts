/**
 * Checkpoint publishing: after appends a node (or the coordinator) signs a
 * new checkpoint (at most once per interval), then submits it to each peer
 * witness with a consistency proof from the size that peer last accepted
 * (c2sp.org/tlog-witness add-checkpoint flow), and keeps the cosignatures
 * that verify. Peers that are down are retried on the next round.
 */
import { verifyCosignature, parseVerifierKey, formatCheckpoint, parseCheckpoint } from '@qsign/audit';
import { errorMessage } from '@qsign/protocol';
import { AuditRpcClient, expectIdentity, expecting, type TransportSecurity } from '@qsign/rpc';
import { witnessKeyOf, type AuditLogService } from '@qsign/storage';

/** A peer whose witness cosigns this log's checkpoints. */
export interface AuditPeer {
  id: number;
  address: string;
  /** The peer's log verifier key (type 0x01); its cosignature key is derived from it. */
  verifierKey: string;
}

/** What the publisher knows about one witness. */
interface PeerState {
  peer: AuditPeer;
  client: AuditRpcClient;
  /** Size this peer last accepted, if known. */
  known: number | undefined;
  name: string;
  /** The peer's cosignature verifier key (parsed once). */
  cosignKey: ReturnType<typeof parseVerifierKey>;
}

/** Signs checkpoints periodically and gathers peer cosignatures. */
export class CheckpointPublisher {
  readonly #peers: PeerState[];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #lastPublished = -1;

  constructor(
    private readonly service: AuditLogService,
    peers: readonly AuditPeer[],
    private readonly log: (m: string) => void,
    security: TransportSecurity = { kind: 'insecure' },
  ) {
    // Each witness must present its own node certificate (qsign:node:ID).
    const client = (peer: AuditPeer) => new AuditRpcClient(peer.address, `node ${peer.id} witness`, expecting(security, expectIdentity({ role: 'node', name: String(peer.id) })));
    this.#peers = peers.map((peer) => ({ peer, client: client(peer), known: undefined, name: parseVerifierKey(peer.verifierKey).name, cosignKey: parseVerifierKey(witnessKeyOf(peer.verifierKey)) }));
  }

  /** Starts the loop: every `intervalMs`, if the log grew, sign and publish. */
  start(intervalMs = 1000): void {
    this.#timer = setInterval(() => void this.publish(), intervalMs);
    this.#timer.unref();
  }

  /** Signs a checkpoint if the log grew and submits it to the witnesses (one round at a time). */
  publish(): Promise<void> {
    this.#running ??= this.#publish().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #publish(): Promise<void> {
    const log = this.service.log;
    if (log.damage) return;
    let note: string;
    try {
      if (log.size === 0) return;
      note = await this.service.notary.checkpoint();
    } catch (e) {
      this.log(`cannot sign an audit checkpoint: ${errorMessage(e)}`);
      return;
    }
    const cp = parseCheckpoint(note.slice(0, note.indexOf('\n\n') + 1));
    const size = cp.size;
    if (size === this.#lastPublished && this.#peers.every((p) => p.known === size)) return;
    const body = formatCheckpoint(cp);
    await Promise.all(this.#peers.map((p) => this.#submit(p, note, body, size)));
    this.#lastPublished = size;
  }

  async #submit(p: PeerState, note: string, body: string, size: number): Promise<void> {
    if (p.known === size) return;
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const old = p.known ?? 0;
        if (old > size) {
          this.log(`witness node ${p.peer.id} holds a checkpoint of size ${old}, beyond this log's ${size}`);
          return;
        }
        const proof = old === 0 || old === size ? [] : await this.service.consistencyProof(old, size);
        const r = await p.client.cosign(note, old, proof, 5000);
        if (r.conflict) {
          p.known = r.knownSize;
          continue;
        }
        verifyCosignature(body, r.cosignature, p.cosignKey);
        await this.service.log.putCosignature(size, p.name, r.cosignature);
        p.known = size;
        return;
      }
    } catch (e) {
      p.known = undefined;
      this.log(`witness node ${p.peer.id} did not cosign checkpoint ${size}: ${errorMessage(e)}`);
    }
  }

  /** Stops the loop and closes peer connections. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
    for (const p of this.#peers) p.client.close();
  }
}

/**
 * The log's identity and checkpoint signer. A node (or coordinator) holds an
 * Ed25519 identity key, sealed at rest and created on first start, and signs
 * c2sp.org/tlog-checkpoint notes over its audit tree. It never signs a
 * checkpoint inconsistent with the last one it signed: before signing it
 * proves consistency (RFC 9162 §2.1.4) from its stored hashes, and at start it
 * checks its tree against that last checkpoint, marking the log damaged (so
 * it refuses to append and to sign) if they disagree.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import {
  SIG_TYPE_COSIGNATURE_V1,
  consistencyProof,
  ed25519Backend,
  makeVerifierKey,
  openCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  verifyConsistency,
  type Checkpoint,
} from '@qsign/audit';
import { QsignError, errorMessage } from '@qsign/protocol';
import type { AuditLog } from './audit-log.js';

/** A log's signing identity: its key and its checkpoint origin (also the key name). */
export interface AuditIdentity {
  /** 32-byte Ed25519 secret key (RFC 8032 seed). Secret. */
  secretKey: Uint8Array;
  origin: string;
}

/** Sealed-metadata access the identity needs (NodeStore and CoordinatorStore provide it). */
export interface SecretMeta {
  getSecretMeta(name: string): Promise<Uint8Array | undefined>;
  putSecretMeta(name: string, value: Uint8Array): Promise<void>;
}

const IDENTITY_META = 'audit-identity';

/**
 * Loads the log identity, creating it on first use. The origin is
 * `<prefix>.<8 hex of SHA-256(public key)>`: the prefix names the process
 * (`qsign-node-3`), the suffix keeps origins unique across clusters.
 */
export async function loadOrCreateIdentity(meta: SecretMeta, prefix: string): Promise<AuditIdentity> {
  const stored = await meta.getSecretMeta(IDENTITY_META);
  if (stored) {
    const o = JSON.parse(new TextDecoder().decode(stored)) as { secretKey: string; origin: string };
    return { secretKey: hexToBytes(o.secretKey), origin: o.origin };
  }
  const secretKey = ed25519.utils.randomSecretKey();
  const origin = `${prefix}.${bytesToHex(sha256(ed25519Backend().publicKey(secretKey))).slice(0, 8)}`;
  await meta.putSecretMeta(IDENTITY_META, new TextEncoder().encode(JSON.stringify({ secretKey: bytesToHex(secretKey), origin })));
  return { secretKey, origin };
}

/** The signed-note verifier key (type 0x01) of an identity (its public key through the audit package's Ed25519 backend: OpenSSL in the daemons). */
export function identityVerifierKey(id: AuditIdentity): string {
  return makeVerifierKey(id.origin, ed25519Backend().publicKey(id.secretKey));
}

/** The cosignature verifier key (type 0x04) matching a log verifier key: the same key acting as a witness. */
export function witnessKeyOf(verifierKey: string): string {
  const k = parseVerifierKey(verifierKey);
  return makeVerifierKey(k.name, k.publicKey, SIG_TYPE_COSIGNATURE_V1);
}

/** Signs checkpoints over one {@link AuditLog}. */
export class AuditNotary {
  #tail: Promise<unknown> = Promise.resolve();
  #last: { note: string; checkpoint: Checkpoint } | undefined;
  /** When this process last signed (or, at open, loaded) the latest checkpoint. */
  #lastAtMs = Date.now();

  private constructor(
    readonly log: AuditLog,
    private readonly identity: AuditIdentity,
  ) {}

  /**
   * Opens the notary: reads the last checkpoint signed and checks that the
   * current tree extends it. If it does not, the log is marked damaged.
   */
  static async open(log: AuditLog, identity: AuditIdentity): Promise<AuditNotary> {
    const n = new AuditNotary(log, identity);
    const note = await log.latestCheckpoint();
    if (note !== undefined) {
      const { checkpoint } = openCheckpoint(note, [parseVerifierKey(n.verifierKey)], { origin: identity.origin });
      n.#last = { note, checkpoint };
      if (!log.damage) {
        try {
          await n.#checkConsistent(checkpoint, log.size, log.root());
        } catch (e) {
          log.markDamaged({ firstBadIndex: Math.min(checkpoint.size, log.size), reason: errorMessage(e) });
        }
      }
    }
    return n;
  }

  /** The checkpoint origin (also the signing key's name). */
  get origin(): string {
    return this.identity.origin;
  }

  /** This log's verifier key (c2sp.org/signed-note vkey, type 0x01). */
  get verifierKey(): string {
    return identityVerifierKey(this.identity);
  }

  /** This identity's cosignature (witness) verifier key, type 0x04. */
  get witnessKey(): string {
    return witnessKeyOf(this.verifierKey);
  }

  /**
   * How long audit records have waited for a checkpoint: 0 while the latest
   * checkpoint covers every record, else seconds since it was signed (the
   * `checkpoint age` metric; it grows when checkpointing stalls).
   */
  checkpointAgeSeconds(nowMs = Date.now()): number {
    if ((this.#last?.checkpoint.size ?? 0) === this.log.size) return 0;
    return Math.max(0, (nowMs - this.#lastAtMs) / 1000);
  }

  /** The last signed checkpoint note, if any. */
  get latest(): string | undefined {
    return this.#last?.note;
  }

  /**
   * Returns a checkpoint covering every record: the last one if nothing was
   * appended since, else a new one — signed only after proving it consistent
   * with the last.
   *
   * @throws QsignError AUDIT_LOG_DAMAGED if the log is damaged or the new tree does not extend the last checkpoint.
   */
  checkpoint(): Promise<string> {
    const run = this.#tail.then(() => this.#checkpoint());
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #checkpoint(): Promise<string> {
    const damage = this.log.damage;
    if (damage) throw new QsignError('AUDIT_LOG_DAMAGED', `not signing a checkpoint: the audit log is damaged from index ${damage.firstBadIndex}: ${damage.reason}`);
    const state = this.log.state();
    const size = state.size;
    const root = state.root();
    if (this.#last && this.#last.checkpoint.size === size) return this.#last.note;
    if (this.#last) {
      try {
        await this.#checkConsistent(this.#last.checkpoint, size, root);
      } catch (e) {
        this.log.markDamaged({ firstBadIndex: this.#last.checkpoint.size, reason: errorMessage(e) });
        throw new QsignError('AUDIT_LOG_DAMAGED', `refusing to sign a checkpoint inconsistent with the last one: ${errorMessage(e)}`);
      }
    }
    const checkpoint: Checkpoint = { origin: this.identity.origin, size, rootHash: root, extensions: [] };
    const note = signCheckpoint(checkpoint, this.identity.secretKey);
    await this.log.putCheckpoint(note);
    this.#last = { note, checkpoint };
    this.#lastAtMs = Date.now();
    return note;
  }

  async #checkConsistent(prev: Checkpoint, size: number, root: Uint8Array): Promise<void> {
    return checkExtends(this.log, prev, size, root);
  }
}

/**
 * Proves from `log`'s stored hashes that its tree (size, root) extends the
 * checkpoint `prev` (RFC 9162 §2.1.4.2); throws an Error saying how it does not.
 */
export async function checkExtends(log: AuditLog, prev: Checkpoint, size = log.size, root = log.root()): Promise<void> {
  if (size < prev.size) throw new Error(`the log holds ${size} records but checkpoint ${prev.size} was signed (records were removed)`);
  if (prev.size === 0) return;
  if (size === prev.size) {
    if (Buffer.compare(Buffer.from(root), Buffer.from(prev.rootHash)) !== 0) throw new Error(`the tree of ${size} records does not match the signed checkpoint of that size`);
    return;
  }
  const proof = await consistencyProof(log, prev.size, size);
  try {
    verifyConsistency(prev.size, size, prev.rootHash, root, proof);
  } catch (e) {
    throw new Error(`the first ${prev.size} records no longer hash to the signed checkpoint of that size: ${errorMessage(e)}`);
  }
}

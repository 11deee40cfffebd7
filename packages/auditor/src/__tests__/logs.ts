/**
 * Audit logs built in-process with the real @qsign/audit code (typed entry
 * constructors, canonical record encoding, the RFC 6962 MemoryTree, signed
 * checkpoints), served as the auditor's FetchedLog and LogProofs — no
 * daemons. A test may tamper with a record's bytes after fetching.
 */
import {
  type AuditEntry,
  consistencyProof,
  encodeRecord,
  ed25519Backend,
  inclusionProof,
  makeVerifierKey,
  MemoryTree,
  signCheckpoint,
  signedEntry,
  issuedEntry,
  keyImportedEntry,
} from '@qsign/audit';
import { decodeFetched, type FetchedLog, type LogProofs, type LogTarget } from '../index.js';

/** One log as its owner keeps it: records, tree, signed checkpoints. */
export class TestLog {
  readonly #secret = crypto.getRandomValues(new Uint8Array(32));
  readonly #tree = new MemoryTree();
  readonly #bytes: Uint8Array[] = [];
  readonly #checkpoints: string[] = [];
  readonly target: LogTarget;

  /** `id` 0 is the coordinator, else node-<id>. */
  constructor(readonly id: number) {
    const name = id === 0 ? 'coordinator' : `node-${id}`;
    const origin = `${name}.qsign.test/audit`;
    this.target = { name, id, address: 'in-process:0', verifierKey: makeVerifierKey(origin, ed25519Backend().publicKey(this.#secret)) };
  }

  /** Appends `entry` as the next record (the log stamps seq and time). */
  append(entry: AuditEntry): this {
    const bytes = encodeRecord({ ...entry, seq: this.#bytes.length, timeMs: 1_700_000_000_000 + this.#bytes.length } as Parameters<typeof encodeRecord>[0]);
    this.#bytes.push(bytes);
    this.#tree.appendEntry(bytes);
    return this;
  }

  /** Signs a checkpoint over the log as it is now. */
  checkpoint(): this {
    const origin = `${this.target.name}.qsign.test/audit`;
    this.#checkpoints.push(signCheckpoint({ origin, size: this.#tree.size, rootHash: this.#tree.root(), extensions: [] }, this.#secret));
    return this;
  }

  /** What the auditor fetches (copies: tampering with it leaves the log's own tree alone). */
  fetched(): FetchedLog {
    return { target: this.target, records: this.#bytes.map((b, index) => ({ index, bytes: b.slice(), record: decodeFetched(b) })), checkpoints: [...this.#checkpoints], damaged: '', cosigned: '', witnessed: [] };
  }

  /** Proofs from the log's own tree, as its Audit service answers them. */
  proofs(): LogProofs {
    return { inclusionProof: (i, size) => inclusionProof(this.#tree, i, size), consistencyProof: (m, n) => consistencyProof(this.#tree, m, n) };
  }
}

const hex = (n: number, len: number): string => n.toString(16).padStart(len, '0');

/** The digest a test request signs. */
export const digestOf = (requestId: string): string => hex([...requestId].reduce((a, c) => a * 31 + c.charCodeAt(0), 7) % 2 ** 48, 64);

/** A node's `signed` record for `requestId` under `keyName`. */
export function signed(requestId: string, keyName: string, signers: number[], digest = digestOf(requestId)): AuditEntry {
  return signedEntry({ requestId, keyName, clientId: 'copr' }, { digest, dataSha256: digest, signers }, {});
}

/** The coordinator's `issued` record for `requestId`. */
export function issued(requestId: string, keyName: string, signers: number[], digest = digestOf(requestId)): AuditEntry {
  return issuedEntry({ requestId, keyName, clientId: 'copr' }, { digest, signature: 'ab'.repeat(64), signers });
}

/** A node's `key-imported` record: it holds share `id` of a t-of-n key. */
export function imported(keyName: string, id: number, threshold: string): AuditEntry {
  return keyImportedEntry({ keyName, groupPublicKey: 'cd'.repeat(32), identifier: id, threshold });
}

/**
 * Pure audit-log verification: recompute the RFC 6962 tree over a node's
 * records and check its signed checkpoints (c2sp.org/tlog-checkpoint), and
 * the client-side "is the new checkpoint consistent with the one I kept?"
 * check (RFC 9162 §2.1.4, as golang.org/x/mod/sumdb's client does).
 *
 * @module
 */
import { AuditError, check } from './errors.js';
import { bytesEqual } from './encoding.js';
import { CompactRange } from './compact.js';
import { EMPTY_ROOT, leafHash } from './hash.js';
import { type Checkpoint, openCheckpoint } from './checkpoint.js';
import { type NoteLimits, type VerifierKey, parseVerifierKey } from './note.js';
import { decodeRecord } from './record.js';
import { verifyConsistency } from './verify.js';

/** Why {@link verifyLog} failed. */
export type LogFailureCode =
  /** A record does not decode, is not canonical, or its `seq` is not its index. */
  | 'bad-record'
  /** A checkpoint's signature, format, origin, or size order is wrong. */
  | 'bad-checkpoint'
  /** The records do not hash to a checkpoint's root. */
  | 'root-mismatch'
  /** A checkpoint covers more records than the log holds. */
  | 'missing-records';

/** The outcome of {@link verifyLog}. */
export type LogVerdict =
  | {
      readonly ok: true;
      /** Number of records. */
      readonly size: number;
      /** RFC 6962 root over all records. */
      readonly rootHash: Uint8Array;
      /** Size of the largest checkpoint (records beyond it are not yet attested). */
      readonly checkpointedSize: number;
    }
  | {
      readonly ok: false;
      readonly code: LogFailureCode;
      /**
       * The first record index not proven good: the bad record itself, or
       * for a checkpoint failure the size of the last checkpoint that verified.
       */
      readonly firstBadIndex: number;
      /** Position in `checkpoints` of the offending checkpoint, if any. */
      readonly checkpointIndex?: number;
      readonly reason: string;
    };

/** Options for {@link verifyLog}. */
export interface VerifyLogOptions extends NoteLimits {
  /** Expected checkpoint origin; defaults to the verifier key's name. */
  readonly origin?: string;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Verifies a node's audit log end to end:
 * - every checkpoint is a note signed by `verifierKey` whose body parses as a
 *   c2sp.org/tlog-checkpoint with the expected origin; checkpoints must come
 *   in non-decreasing size order;
 * - every record decodes canonically ({@link decodeRecord}) and its `seq` is
 *   its index;
 * - the RFC 6962 root recomputed over the first `size` records equals each
 *   checkpoint's root.
 *
 * Successive checkpoints are consistent (RFC 9162 §2.1.4) by construction:
 * both roots are recomputed from prefixes of the one record sequence, which
 * is stronger than verifying a consistency proof between them. Records are
 * streamed; memory is O(log n).
 *
 * @param verifierKey - the node's log key, parsed or as a vkey string.
 * @example
 * ```ts
 * const v = await verifyLog(store.records(), store.checkpoints(), nodeVkey);
 * if (!v.ok) alarm(v.firstBadIndex, v.reason);
 * ```
 */
export async function verifyLog(
  records: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  checkpoints: readonly (string | Uint8Array)[],
  verifierKey: VerifierKey | string,
  options: VerifyLogOptions = {},
): Promise<LogVerdict> {
  const key = typeof verifierKey === 'string' ? parseVerifierKey(verifierKey) : verifierKey;
  check(Array.isArray(checkpoints), 'invalid-argument', 'checkpoints must be an array');
  check(records !== null && typeof records === 'object' && (Symbol.iterator in records || Symbol.asyncIterator in records), 'invalid-argument', 'records must be iterable');
  const origin = options.origin ?? key.name;

  // Open checkpoints in order; stop trusting at the first bad one.
  const trusted: Checkpoint[] = [];
  let badCheckpoint: { index: number; reason: string } | undefined;
  for (const [i, note] of checkpoints.entries()) {
    try {
      const { checkpoint } = openCheckpoint(note, [key], { ...options, origin });
      const prev = trusted[trusted.length - 1];
      if (prev !== undefined && checkpoint.size < prev.size) {
        throw new AuditError('inconsistent-checkpoints', `checkpoint size ${checkpoint.size} is below the previous ${prev.size}`);
      }
      trusted.push(checkpoint);
    } catch (e) {
      if (!(e instanceof AuditError)) throw e;
      badCheckpoint = { index: i, reason: `checkpoint ${i}: ${e.code}: ${e.message}` };
      break;
    }
  }

  const tree = new CompactRange();
  let next = 0; // next trusted checkpoint to check
  let verifiedSize = 0; // size of the last checkpoint that matched
  const checkDue = (): LogVerdict | undefined => {
    while (next < trusted.length && trusted[next]!.size === tree.size) {
      const cp = trusted[next]!;
      if (!bytesEqual(tree.root(), cp.rootHash)) {
        return { ok: false, code: 'root-mismatch', firstBadIndex: verifiedSize, checkpointIndex: next, reason: `records [${verifiedSize}, ${cp.size}) do not hash to checkpoint ${next}'s root` };
      }
      verifiedSize = cp.size;
      next++;
    }
    return undefined;
  };

  let failure = checkDue();
  if (failure) return failure;
  for await (const bytes of records as AsyncIterable<Uint8Array>) {
    const index = tree.size;
    try {
      const record = decodeRecord(bytes);
      if (record.seq !== index) throw new AuditError('malformed-record', `seq ${record.seq} at index ${index}`);
    } catch (e) {
      if (!(e instanceof AuditError)) throw e;
      return { ok: false, code: 'bad-record', firstBadIndex: index, reason: `record ${index}: ${e.code}: ${message(e)}` };
    }
    tree.push(leafHash(bytes));
    failure = checkDue();
    if (failure) return failure;
  }
  if (next < trusted.length) {
    return { ok: false, code: 'missing-records', firstBadIndex: tree.size, checkpointIndex: next, reason: `checkpoint ${next} covers ${trusted[next]!.size} records, the log has ${tree.size}` };
  }
  if (badCheckpoint) {
    return { ok: false, code: 'bad-checkpoint', firstBadIndex: verifiedSize, checkpointIndex: badCheckpoint.index, reason: badCheckpoint.reason };
  }
  return { ok: true, size: tree.size, rootHash: tree.root(), checkpointedSize: verifiedSize };
}

/**
 * The client-state check of a transparency log client (as in
 * golang.org/x/mod/sumdb's client): given the checkpoint a client kept and a
 * newer one with a consistency proof, verify both notes, the origin, that
 * the log did not shrink, and the RFC 9162 §2.1.4.2 consistency proof.
 * Returns the new checkpoint, to be stored in place of the old.
 *
 * A same-size checkpoint with another root, a shrinking size, or a non-empty
 * previous checkpoint that does not match the empty-tree root is direct
 * evidence of a fork: `inconsistent-checkpoints` (keep both notes as proof).
 * A proof that does not verify raises `proof-size` / `root-mismatch`.
 *
 * @throws AuditError from {@link openCheckpoint}, `inconsistent-checkpoints`, `proof-size`, `root-mismatch`.
 */
export function checkConsistencyWithPrevious(
  previous: string | Uint8Array,
  latest: string | Uint8Array,
  proof: readonly Uint8Array[],
  verifiers: readonly VerifierKey[] | VerifierKey | string,
  options: NoteLimits & { origin?: string } = {},
): Checkpoint {
  const keys = typeof verifiers === 'string' ? [parseVerifierKey(verifiers)] : Array.isArray(verifiers) ? verifiers : [verifiers as VerifierKey];
  const prev = openCheckpoint(previous, keys, options).checkpoint;
  const cur = openCheckpoint(latest, keys, { ...options, origin: prev.origin }).checkpoint;
  return checkOpenedConsistency(prev, cur, proof);
}

/**
 * {@link checkConsistencyWithPrevious} for two checkpoints whose notes were already opened
 * (signatures verified) and parsed, e.g. a witness's last accepted checkpoint kept in memory:
 * the origin, that the log did not shrink, and the RFC 9162 §2.1.4.2 consistency proof.
 * Returns `cur`.
 *
 * @throws AuditError `inconsistent-checkpoints`, `proof-size`, `root-mismatch`.
 */
export function checkOpenedConsistency(prev: Checkpoint, cur: Checkpoint, proof: readonly Uint8Array[]): Checkpoint {
  if (cur.origin !== prev.origin) throw new AuditError('inconsistent-checkpoints', `checkpoint origin ${JSON.stringify(cur.origin)} is not the expected one`);
  check(Array.isArray(proof), 'invalid-argument', 'proof must be an array');
  if (cur.size < prev.size) throw new AuditError('inconsistent-checkpoints', `log shrank from ${prev.size} to ${cur.size}`);
  if (prev.size === 0) {
    if (!bytesEqual(prev.rootHash, EMPTY_ROOT)) throw new AuditError('inconsistent-checkpoints', 'empty-tree checkpoint with a non-empty root');
    if (proof.length !== 0) throw new AuditError('proof-size', 'a proof from the empty tree must be empty');
    if (cur.size === 0 && !bytesEqual(cur.rootHash, EMPTY_ROOT)) throw new AuditError('inconsistent-checkpoints', 'empty-tree checkpoint with a non-empty root');
    return cur;
  }
  if (cur.size === prev.size && !bytesEqual(cur.rootHash, prev.rootHash)) {
    throw new AuditError('inconsistent-checkpoints', `two different roots for size ${cur.size}`);
  }
  verifyConsistency(prev.size, cur.size, prev.rootHash, cur.rootHash, proof);
  return cur;
}

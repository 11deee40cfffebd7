/**
 * `@qsign/audit` — a node's tamper-evident audit log: RFC 6962 / RFC 9162
 * Merkle tree, proofs, C2SP signed notes, checkpoints and cosignatures, the
 * canonical audit record encoding and a pure log verifier.
 *
 * @module
 */
export { AuditError, type AuditErrorCode } from './errors.js';
export { EMPTY_ROOT, HASH_SIZE, leafHash, nodeHash, rootFromLeaves } from './hash.js';
export { CompactRange, type CompactRangeJSON, type SubtreeVisitor } from './compact.js';
export { type HashReader, type MaybePromise, subtreeHash } from './reader.js';
export { consistencyProof, inclusionProof } from './proof.js';
export { verifyConsistency, verifyInclusion } from './verify.js';
export { MemoryTree } from './memory.js';

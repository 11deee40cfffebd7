/**
 * `@qsign/audit` — a node's tamper-evident audit log: RFC 6962 / RFC 9162
 * Merkle tree, proofs, C2SP signed notes, checkpoints and cosignatures, the
 * canonical audit record encoding and a pure log verifier.
 *
 * @module
 */
export { AuditError, type AuditErrorCode, type AuditErrorDetails } from './errors.js';
export { ed25519Backend, setEd25519Backend, type Ed25519Backend } from './ed25519-backend.js';
export { EMPTY_ROOT, HASH_SIZE, leafHash, nodeHash, rootFromLeaves, setSha256, type Sha256 } from './hash.js';
export { CompactRange, type CompactRangeJSON, type SubtreeVisitor } from './compact.js';
export { type HashReader, type MaybePromise, subtreeHash } from './reader.js';
export { consistencyProof, inclusionProof } from './proof.js';
export { verifyConsistency, verifyInclusion } from './verify.js';
export { MemoryTree } from './memory.js';
export {
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
  type NoteLimits,
  type OpenedNote,
  type SignatureType,
  type UnverifiedSignature,
  type VerifiedSignature,
  type VerifierKey,
  cosignatureMessage,
  isValidKeyName,
  keyId,
  makeVerifierKey,
  openNote,
  parseVerifierKey,
  signNote,
  signatureLine,
} from './note.js';
export {
  type Checkpoint,
  type OpenedCheckpoint,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './checkpoint.js';
export { cosign, verifyCosignature } from './cosignature.js';
export { type JsonValue, canonicalJson } from './canonical-json.js';
export {
  AUDIT_EVENTS,
  MAX_RECORD_BYTES,
  MAX_RECORD_STRING,
  MAX_RECORD_FILES,
  MAX_RECORD_FILE_LIST_BYTES,
  MAX_RECORD_PATH,
  type AuditDecision,
  type AuditEvent,
  type AuditRecord,
  type RpmFileEntry,
  type RpmSummary,
  assertAuditRecord,
  decodeRecord,
  encodeRecord,
} from './record.js';
export {
  type LogFailureCode,
  type LogVerdict,
  type VerifyLogOptions,
  checkConsistencyWithPrevious,
  checkOpenedConsistency,
  verifyLog,
} from './log-verifier.js';
export {
  type AuditContext,
  type AuditDetails,
  type AuditEntry,
  type AuditFields,
  type HoldFacts,
  type KeyFacts,
  type SignedFacts,
  certificateStoredEntry,
  keyRenewedEntry,
  coalescedEntry,
  configChangedEntry,
  dkgRound1Entry,
  failedEntry,
  forkDetectedEntry,
  heldEntry,
  holdDecidedEntry,
  holdEndedEntry,
  holdExpiredEntry,
  initialisedEntry,
  issuedEntry,
  keyGeneratedEntry,
  keyImportedEntry,
  noncesExpiredEntry,
  refusedEntry,
  reshareDealtEntry,
  rsaKeyDealtEntry,
  reshareReceivedEntry,
  resharedEntry,
  resharedInEntry,
  rollbackDetectedEntry,
  signedEntry,
  unsealedEntry,
  withDetails,
} from './entry.js';

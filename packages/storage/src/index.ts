/**
 * @qsign/storage — LevelDB state: sealed shares and nonces, replay table,
 * and the tamper-evident audit log (record, tree hashes and tree state in
 * the same batch as each change), its checkpoint notary and witness.
 */
export { Sealer } from './sealer.js';
export { NodeStore, type ReplayEntry, type StoredHold, type StoredKey, type StoredNonce } from './node-store.js';
export { type AuditEntry, AuditLog, type AuditRecord, auditSlot, hashSlot, type LogDamage, MAX_PAGE_BYTES } from './audit-log.js';
export { boundJson, buildRecord, MAX_RECORD_LIST, toJsonValue } from './audit-record.js';
export { AuditCoalescer, FULL_RECORDS_PER_SECOND, MAX_COALESCE_BUCKETS } from './audit-coalescer.js';
export {
  type AuditIdentity, AuditNotary, checkExtends, identityVerifierKey, loadOrCreateIdentity, type SecretMeta,
  witnessKeyOf,
} from './audit-notary.js';
export { AuditLogService, MAX_AUDIT_PAGE } from './audit-service.js';
export { type CosignOutcome, Witness, type WitnessedPeer } from './witness.js';
export { LogStore } from './log-store.js';
export {
  type EnrollmentKeyPair, enrollmentPublicKey, type Envelope, envelopeFromJson, envelopeToJson,
  newEnrollmentKey, openEnvelope, parseEnrollmentPublicKey, sealEnvelope,
} from './envelope.js';
export {
  decryptShareFile, ENCRYPTED_SHARE_FORMAT, type EncryptedShareHeader, encryptShareFiles, isEncryptedShareFile,
  readShareFileHeader,
} from './share-envelope.js';
export { readKeyFile, readMasterKeyFile } from './master-key-file.js';

/**
 * @qsign/storage — LevelDB state: sealed shares and nonces, replay table,
 * and the tamper-evident audit log (record, tree hashes and tree state in
 * the same batch as each change), its checkpoint notary and witness.
 */
export * from './sealer.js';
export * from './node-store.js';
export * from './audit-log.js';
export * from './audit-record.js';
export * from './audit-coalescer.js';
export * from './audit-notary.js';
export * from './audit-service.js';
export * from './witness.js';
export * from './log-store.js';
export * from './envelope.js';
export * from './share-envelope.js';
export * from './master-key-file.js';

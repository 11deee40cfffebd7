/**
 * @qsign/storage — a node's LevelDB state: sealed shares and nonces, replay
 * table, and the durable audit log written in the same batch as each change.
 */
export * from './sealer.js';
export * from './node-store.js';
export * from './audit-log.js';
export * from './canonical-json.js';
export * from './envelope.js';
export * from './share-envelope.js';

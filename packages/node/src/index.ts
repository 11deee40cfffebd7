/**
 * @qsign/node — the share-holder node: configuration, the signing service
 * (domain, no gRPC), its thin gRPC adapter, and the daemon wiring.
 */
export * from './config.js';
export * from './signer.js';
export * from './server.js';
export * from './daemon.js';
export * from './admin.js';
export * from './seal.js';
export * from './seal-server.js';
export * from './import.js';
export * from './import-offline.js';
export * from './keys.js';
export * from './reshare.js';
export * from './keys-server.js';
export * from './payload.js';
export * from './certificates.js';
export * from './policy.js';
export * from './approvals.js';
export * from './operator.js';
export * from './console.js';
export * from './policy-audit.js';
export * from './policy-reload.js';
export * from './json-locate.js';
export * from './audit.js';
export * from './peers.js';
export * from './roles.js';
export * from './audit-wiring.js';

/**
 * @qsign/node — the share-holder node: configuration, the signing service
 * (domain, no gRPC), its thin gRPC adapter, and the daemon wiring.
 */
export * from './config.js';
export * from './signer.js';
export * from './server.js';
export * from './daemon.js';
export * from './admin.js';
export * from './audit.js';
export * from './audit-config.js';
export * from './audit-wiring.js';

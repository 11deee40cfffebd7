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
export * from './keys.js';
export * from './keys-server.js';

/**
 * @qsign/coordinator — the untrusted relay: node health, commitment pools,
 * share gathering with identifiable abort, and its gRPC daemon.
 */
export * from './config.js';
export * from './coordinator.js';
export * from './server.js';
export * from './daemon.js';
export * from './keys.js';
export * from './keys-server.js';
export * from './keygen-http.js';
export * from './approval-wait.js';
export * from './request-tracker.js';
export * from './audit.js';

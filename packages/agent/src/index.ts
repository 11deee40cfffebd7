/**
 * @qsign/agent: `qsign agent` (a local daemon holding the client key and a
 * warm connection), its wire format, and the thin client (`@qsign/agent/thin`).
 */
export * from './agent.js';
export * from './socket-dir.js';
export * from './thin-client.js';
export * from './wire.js';
export * from './native.js';

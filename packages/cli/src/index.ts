/**
 * @qsign/cli — the `qsign` command line and the client library it uses.
 */
// The client library moved to @qsign/client; re-exported for existing callers.
export * from '@qsign/client';
export * from './ceremony.js';
export * from './cluster.js';
export * from './io.js';
export * from './cluster-lifecycle.js';
export * from './cluster-restart.js';
export * from './obs-sign.js';
export * from './audit.js';
export * from './pki.js';
export * from './cluster-tls.js';

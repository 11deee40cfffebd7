/**
 * @qsign/cli — the `qsign` command line and the client library it uses.
 */
export * from './client-config.js';
export * from './officer-config.js';
export * from './reshare-plan.js';
export * from './client.js';
export * from './ceremony.js';
export * from './cluster.js';
export * from './io.js';
export * from './cluster-lifecycle.js';
export * from './cluster-restart.js';
export * from './openpgp-sign.js';
export * from './rpm-sign.js';
export * from './obs-sign.js';
export * from './audit.js';
export * from './publish-sign.js';
export * from './pki.js';
export * from './cluster-tls.js';

/**
 * @qsign/devcluster — development clusters (up / down / restart / status,
 * adding nodes), their TLS files and PKI, node init/unseal/import over the
 * node library, and the daemons entry the CLI runs `qsign node` through.
 */
export * from './cluster.js';
export * from './cluster-lifecycle.js';
export * from './cluster-restart.js';
export * from './cluster-agent.js';
export * from './cluster-tls.js';
export * from './pki-lazy.js';
export * from './node-lifecycle.js';
export * from './daemons.js';
export * from './audit-targets.js';
export * from './container-configs.js';

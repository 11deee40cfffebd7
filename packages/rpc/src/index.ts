/**
 * @qsign/rpc — grpc-js transport: channel setup in one place, status mapping,
 * promise clients and proto ⇄ domain mappers. No domain logic lives here.
 */
export * from './channel.js';
export * from './status.js';
export * from './unary.js';
export * from './clients.js';
export * from './mappers.js';
export * from './lifecycle-clients.js';
export * from './openssl.js';
export * from './approval-clients.js';
export * from './audit.js';
export * from './health.js';
export * from './observability.js';
export * from './tls-identity.js';
export * from './tls-files.js';
export * from './tls-config.js';
export * from './openssl-rsa.js';

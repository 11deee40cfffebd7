/**
 * @qsign/proto — the generated `qsign.v1` wire contract (ts-proto, grpc-js), and the standard `grpc.health.v1`.
 * Generated from /proto by `npm run gen`; never edit src/gen by hand.
 */
export * from './gen/qsign/v1/common.js';
export * from './gen/qsign/v1/node.js';
export * from './gen/qsign/v1/coordinator.js';
export * from './gen/qsign/v1/admin.js';
export * from './gen/qsign/v1/lifecycle.js';
export * from './gen/qsign/v1/approval.js';
export * from './gen/qsign/v1/audit.js';
export * from './gen/grpc/health/v1/health.js';

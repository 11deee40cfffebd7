/**
 * @qsign/auditor — fetch audit logs (fetchLog), verify them end to end,
 * cross-check the coordinator's log against the nodes', and query what was
 * signed. Verifier keys come from the caller, never from the log audited.
 */
export { type FetchedLog, type LogProofs, type LogTarget, decodeFetched, fetchLog, parseTarget, rpcProofs } from './fetch.js';
export { type Finding, type LogVerification, consistentWith, cosignersOf, verifyFetched } from './verify-fetched.js';
export { type AuditState, type CrosscheckLogsOptions, type CrosscheckOptions, type CrosscheckReport, crosscheck, crosscheckLogs } from './crosscheck.js';
export { type JoinResult, joinSignatures } from './join.js';
export * from './query.js';
export * from './audit-signature.js';
export * from './audit-thresholds.js';
export * from './rebuild.js';

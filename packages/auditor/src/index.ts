/**
 * @qsign/auditor — fetch audit logs (fetchLog), verify them end to end,
 * cross-check the coordinator's log against the nodes', and query what was
 * signed. Verifier keys come from the caller, never from the log audited.
 */
export * from './audit.js';
export * from './query.js';
export * from './audit-signature.js';
export * from './audit-thresholds.js';

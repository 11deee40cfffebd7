/**
 * @qsign/cli — the `qsign` command line. Its library root re-exports the
 * packages the commands map onto (client, ceremony, devcluster) for existing
 * callers (tests, scripts); `bin/qsign.js` does not load this file.
 */
export * from '@qsign/client';
export * from '@qsign/ceremony';
export * from '@qsign/devcluster';
export * from './io.js';
export * from './obs-sign.js';
export * from '@qsign/auditor';

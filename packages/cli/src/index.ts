/**
 * @qsign/cli — the `qsign` command line and the obs-sign compatible `sign`:
 * flag mapping and output formatting over @qsign/client, auditor, ceremony
 * and devcluster (import those directly; this root re-exports none of them).
 * `bin/qsign.js` does not load this file.
 */
export * from './io.js';
export * from './obs-sign.js';

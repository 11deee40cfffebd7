/**
 * @qsign/client — the client library: client config and key pins, the
 * coordinator client (signing, attestation, approvals), OpenPGP / RPM /
 * repository signing on top of it, and the obs-sign compatible signing core.
 */
export * from './client-config.js';
export * from './officer-config.js';
export * from './reshare-plan.js';
export * from './client.js';
export * from './openpgp-sign.js';
export * from './rpm-sign.js';
export * from './publish-sign.js';
export * from './wait-status.js';
export * from './files.js';
export * from './obs-sign-core.js';
export * from './windowed.js';
export * from './window-revoke.js';
export * from './rotate.js';
export * from './key-resolve.js';
export * from './key-status.js';

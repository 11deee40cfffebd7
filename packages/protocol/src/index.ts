/**
 * @qsign/protocol — domain types and rules shared by client, coordinator and
 * nodes: typed errors, client requests and their signatures, freshness, and
 * the message each payload kind signs. Pure: no transport, no storage.
 */
export * from './errors.js';
export * from './request.js';
export * from './message.js';
export * from './key-binding.js';
export * from './window-name.js';
export * from './rotation-name.js';
export * from './key-transition.js';
export * from './windowed-certificate-check.js';
export * from './share-file.js';
export * from './reshare-plan.js';
export * from './xml.js';
export * from './repomd.js';
export * from './simple-signing.js';
export * from './certificate-check.js';
export * from './rsa-certificate-check.js';
export * from './rsa-certificate-renewal.js';
export * from './key-query.js';
export * from './key-attestation.js';
export * from './lifecycle-request.js';
export * from './key-email.js';
export * from './hint.js';
export * from './scheme.js';
export * from './scheme-frost.js';
export * from './scheme-rsa.js';
export * from './scheme-rsa-key.js';
export * from './signer-set.js';
export * from './key-type.js';
export * from './rsa-share-files.js';
export * from './lifecycle-clock.js';

/**
 * @qsign/keyring — builds the NAME-keyring RPM that delivers new certificates, subkeys
 * and revocations to existing rpm clients (issue 13). Runs rpmbuild; not pure.
 */
export { buildKeyringRpm, KeyringBuildError, type BuildKeyringOptions } from './build.js';

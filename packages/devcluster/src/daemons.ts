/**
 * The node and coordinator daemons as the CLI reaches them. The CLI imports
 * no daemon package itself (scripts/check-imports.mjs); `qsign node …` and
 * `qsign coordinator start` come through here, loaded only for those commands.
 */
export { startNode, loadNodeConfig, importOffline } from '@qsign/node';
export { startCoordinator } from '@qsign/coordinator';

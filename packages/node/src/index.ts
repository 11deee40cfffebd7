/**
 * @qsign/node — the share-holder node: configuration, the signing service
 * (domain, no gRPC), its thin gRPC adapter, and the daemon wiring.
 */
export { type ClientEntry, loadNodeConfig, NODE_DEFAULTS, type NodeConfig, validateNodeConfig } from './config.js';
export {
  type Commitment, coordinatorIdentity, expectedKeyProblem, type Fault, MAX_COMMITMENT_BATCH, MAX_NONCE_OWNERS,
  NODE_SCHEME, NodeSigner, type ShareContext,
} from './signer.js';
export { keyInfo, nodeHandlers, NodeServiceRaw, readAuditPage, type ShareObserver } from './server.js';
export { nonceHedge, openNodeStore, type RunningNode, startNode } from './daemon.js';
export { type AdminContext, adminHandlers, NodeAdminService, startAdminServer } from './admin.js';
export {
  ENROLLMENT_SLOT, enrollmentPublicHex, enrollmentSecret, ensureEnrollmentKey, initNode, type InitNodeOptions,
  type InitNodeResult, openStoreWithShares, parseKofL, unsealStore,
} from './seal.js';
export { nodeSealHandlers, type SealContext, sealedApprovalHandlers, sealedNodeHandlers, SwitchableService } from './seal-server.js';
export { checkShareFile, IMPORT_BATCH, importShareTexts, openShareTexts, storedKey, storedKeyFromShare } from './import.js';
export { dkgAad, type DkgParams, dkgTranscript, type KeyOutcome, NodeKeyOps, type SealedPackage } from './keys.js';
export { NodeReshareOps, reshareAad, type ReshareDeal, type ReshareReceipt } from './reshare.js';
export { nodeKeysHandlers } from './keys-server.js';
export { AUDIT_FILE_LIST_LIMIT, describePublished, inspectPayload, type PayloadPolicy, type RpmAuditFacts, rpmFacts } from './payload.js';
export { certificateProblem, MAX_CERTIFICATE_BYTES, putCertificate } from './certificates.js';
export {
  type Approval, containerReferenceOf, DEFAULT_HOLD_EXPIRY_SECONDS, DEFAULT_PAYLOAD_KINDS, evaluatePolicy,
  globToRegExp, type HoldIf, type KeyRule, matchesAny, parsePolicy, PAYLOAD_KINDS, type Policy,
  type PolicyDecision, type PolicyInput, RateCounter, type RateLimit, rpmNameOf,
} from './policy.js';
export { type Admission, Approvals, type Hold, HOLD_RETENTION_MS, type HoldStatus, type LifecycleHoldRequest, type Refuse } from './approvals.js';
export { approvalHandlers, holdView, type OperatorContext, operatorHandlers } from './operator.js';
export { activityOf, type ConsoleDeps, esc, LOGIN_TOKEN_TTL_MS, SESSION_TTL_MS, WebConsole } from './console.js';
export { policyHash, recordPolicyChange } from './policy-audit.js';
export { reloadPolicy, type ReloadResult } from './policy-reload.js';
export { jsonLines, lineOfField, lineOfOffset } from './json-locate.js';
export { type AuditPeer, CheckpointPublisher } from './audit.js';
export { auditPeers, type NodePeer, parsePeers, pinnedEnrollmentKey } from './peers.js';
export {
  CLIENT_PERMISSIONS, type ClientPermission, DEFAULT_LIFECYCLE_HOLD, enrolledNodes, HOLDABLE_OPERATIONS,
  type HoldableOperation, type LifecyclePolicy, lifecycleSigner, type LifecycleSigner, minDkgThreshold,
  type OfficerEntry, parseClientPermissions, parseLifecycle, parseOfficers, type RolesConfig,
} from './roles.js';
export { nodeOriginPrefix, nodeVerifierKey, openNodeAudit } from './audit-wiring.js';

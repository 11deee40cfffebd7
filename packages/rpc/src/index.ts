/**
 * @qsign/rpc — grpc-js transport: channel setup in one place, status mapping,
 * promise clients and proto ⇄ domain mappers. No domain logic lives here.
 */
export {
  type Authorizer, callerIdentity, CHANNEL_OPTIONS, channelCredentials, expectIdentity, expectRole,
  isLoopbackAddress, MAX_MESSAGE_BYTES, type PeerCheck, startServer, stopServer, type TransportSecurity,
} from './channel.js';
export { fromServiceError, isTransportFailure, toServiceError, unreachableReason } from './status.js';
export { callUnary, unaryHandler } from './unary.js';
export { CoordinatorRpcClient, DEFAULT_TIMEOUT_MS, NodeAdminRpcClient, NodeRpcClient } from './clients.js';
export { decodeCommitment, decodeSignRequest, type DomainCommitment, encodeSignRequest } from './mappers.js';
export { CoordinatorKeysRpcClient, NodeKeysRpcClient, NodeSealRpcClient } from './lifecycle-clients.js';
export { ed25519KeyObject, opensslEd25519, opensslPublicKey, opensslSign, opensslSigner, opensslVerify } from './openssl.js';
export { CoordinatorApprovalRpcClient, NodeOperatorRpcClient } from './approval-clients.js';
export { auditHandlers, type AuditPort, AuditRpcClient, AuditService } from './audit.js';
export { checkHealth, healthHandlers, healthService, type HealthSource, ServingStatus } from './health.js';
export {
  daemonLogger, LATENCY_BUCKETS, type Log, type LogFields, type MetricsEndpoint, parseMetricsListen,
  renderMetrics, scrapedGauge, serveMetrics,
} from './observability.js';
export { describeIdentity, identityOfCertificate, identityUri, parseIdentityUri, type PeerIdentity, type PeerRole } from './tls-identity.js';
export { loadTlsFiles, type TlsFiles, TlsMaterial } from './tls-files.js';
export { authorizing, checkOwnIdentity, closeTransport, expecting, openTransport, parseTransport, type TransportSetting } from './tls-config.js';

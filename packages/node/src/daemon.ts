/**
 * Node daemon wiring: config → master key → store → signer → gRPC server.
 */
import { randomBytes } from 'node:crypto';
import { installNativeBackend } from '@qsign/frost-native';
import { installNativeModexp } from '@qsign/threshold-rsa-native';
import { CLOCK_OFFSET_ENV, QSIGN_HINT, QsignError, errorMessage, lifecycleClock } from '@qsign/protocol';
import { refusedEntry } from '@qsign/audit';
import { NodeStore, Sealer, readMasterKeyFile } from '@qsign/storage';
import { AuditService, auditHandlers, authorizing, checkOwnIdentity, closeTransport, openTransport, opensslEd25519, opensslSha256, startServer, stopServer } from '@qsign/rpc';
import { setEd25519Backend, setSha256 } from '@qsign/audit';
import { loadNodeConfig, type NodeConfig } from './config.js';
import { NodeSigner } from './signer.js';
import { NodeServiceRaw, nodeHandlers } from './server.js';
import { nodeKeysHandlers } from './keys-server.js';
import { NodeAdminService, adminHandlers, startAdminServer } from './admin.js';
import { SwitchableService, nodeSealHandlers, sealedApprovalHandlers, sealedNodeHandlers } from './seal-server.js';
import { unsealStore } from './seal.js';
import { NodeKeyOps } from './keys.js';
import { NodeReshareOps } from './reshare.js';
import { NodeApprovalService, NodeKeysService, NodeOperatorService, NodeSealService } from '@qsign/proto';
import { approvalHandlers, operatorHandlers } from './operator.js';
import { poolOwnerCheck } from './pool-owner.js';
import { WebConsole } from './console.js';
import { recordPolicyChange } from './policy-audit.js';
import { reloadPolicy, type ReloadResult } from './policy-reload.js';
import { openNodeAudit } from './audit-wiring.js';
import { Approvals } from './approvals.js';
import { SealedAuditPort } from './sealed-audit.js';
import { nodeLogger } from './log.js';
import { startNodeOps } from './ops.js';
import { RollbackGuard } from './rollback.js';
import { auditPeers } from './peers.js';
import { nodeAuthorizer } from './tls-access.js';

/** Opens a node's store from its config (offline tools use this too); sealed unless the config names a development master key file. */
export async function openNodeStore(config: NodeConfig): Promise<NodeStore> {
  return NodeStore.open(config.dataDir, config.masterKeyFile ? new Sealer(readMasterKeyFile(config.masterKeyFile)) : undefined);
}

/** Loads (creating on first start) the secret that hedges this node's nonces. */
export async function nonceHedge(store: NodeStore): Promise<Uint8Array> {
  let hedge = await store.getSecretMeta('nonce-hedge');
  if (!hedge) {
    hedge = new Uint8Array(randomBytes(32));
    await store.putSecretMeta('nonce-hedge', hedge);
  }
  return hedge;
}

/** Logs and records in the audit log a call refused for its TLS identity (docs/tls.md). */
function recordPeerRefusal(store: NodeStore, why: string, log: (m: string) => void): void {
  log(`TLS: ${why}`);
  void store.audit.append(refusedEntry({}, 'PEER_REFUSED', why)).catch((e) => log(`cannot record the TLS refusal: ${errorMessage(e)}`));
}

/** A running node. */
export interface RunningNode {
  port: number;
  /** The signer once unsealed. */
  signer: NodeSigner | undefined;
  store: NodeStore;
  /** The audit log's service and checkpoint publisher once unsealed (tests call publish() to checkpoint now). */
  audit: Awaited<ReturnType<typeof openNodeAudit>> | undefined;
  /** Re-reads the config file's policy (what SIGHUP and `qsign node reload` do). */
  reload(): Promise<ReloadResult>;
  stop(): Promise<void>;
}

/** Starts a node daemon from a config file. */
export async function startNode(configPath: string, opts: { log?: (m: string) => void; testFaults?: boolean } = {}): Promise<RunningNode> {
  const config = loadNodeConfig(configPath);
  const log = opts.log ?? nodeLogger(config.nodeId);
  installNativeBackend({ log }); // libsodium group arithmetic, or noble with a log line
  installNativeModexp({ log }); // OpenSSL's constant-time modexp for RSA shares, or BigInt with a log line
  setEd25519Backend(opensslEd25519); // audit checkpoints, witness cosignatures and their checks through OpenSSL
  setSha256(opensslSha256); // the audit tree's record and node hashes (and the start-up re-hash of the whole log) through OpenSSL
  // TLS material reloads on SIGHUP and when its files change (docs/tls.md).
  const transport = openTransport(config.transport, { watch: true, log });
  checkOwnIdentity(transport, { role: 'node', name: String(config.nodeId) });
  const openedAt = performance.now();
  const store = await openNodeStore(config);
  const openMs = performance.now() - openedAt; // mostly the re-hash of every audit record (docs/audit.md)
  await recordPolicyChange(config, store, log);
  const testFaults = opts.testFaults ?? process.env.QSIGN_TEST_FAULTS === '1';
  // Refuses to start when QSIGN_CLOCK_OFFSET_MS is set outside development.
  const lifecycleNow = lifecycleClock(process.env, config.development, `node ${config.nodeId}`);
  if (process.env[CLOCK_OFFSET_ENV]) log(`WARNING: lifecycle clock moved by ${process.env[CLOCK_OFFSET_ENV]} ms (${CLOCK_OFFSET_ENV}, development only)`);
  // Holds are not secret: the operator can list and decide them while the node is sealed.
  const approvals = new Approvals(config, store);
  const internalAudit = (e: unknown) => log(`audit internal error: ${errorMessage(e)}`);
  // Sealed, the node serves status, its audit records and proofs, and the operator socket;
  // signing, approvals checks, new checkpoints and witnessing wait for the unseal
  // (the signer's nonce hedge and the audit identity key are sealed).
  const nodeService = new SwitchableService(sealedNodeHandlers(config, store, log));
  const approvalService = new SwitchableService(sealedApprovalHandlers(config, log));
  const auditService = new SwitchableService(auditHandlers(new SealedAuditPort(store.audit, config.nodeId), internalAudit));
  const running: { signer?: NodeSigner; audit?: Awaited<ReturnType<typeof openNodeAudit>>; guard?: RollbackGuard; stopped?: boolean } = {};
  const ops = await startNodeOps(config, store, approvals, () => running.audit?.service, log);
  const activate = async () => {
    const signer = new NodeSigner(config, store, await nonceHedge(store), undefined, undefined, approvals);
    const audit = await openNodeAudit(config, store, log, transport);
    // Before the first signature: do the witnesses hold more of this log than it has?
    const guard = new RollbackGuard(store.audit, audit.service.notary.verifierKey, auditPeers(config.peers), log, transport);
    await guard.check();
    signer.stopReason = () => guard.refusal;
    signer.lifecycleNow = lifecycleNow;
    running.guard = guard;
    running.signer = signer;
    running.audit = audit;
    const owner = poolOwnerCheck(store, config.nodeId, transport.kind === 'mtls');
    nodeService.set(nodeHandlers(signer, store, { testFaults, log, owner, observe: ops.observe }));
    approvalService.set(approvalHandlers(signer, owner, log));
    auditService.set(auditHandlers(audit.service, internalAudit));
    if (!running.stopped) {
      audit.publisher.start();
      guard.start();
    }
  };
  if (!store.sealed) await activate();
  const keyOps = new NodeKeyOps(config, store);
  const reshareOps = new NodeReshareOps(config, store, log, approvals);
  const { server, port } = await startServer(
    [
      [NodeServiceRaw, nodeService.implementation(NodeServiceRaw)],
      [NodeKeysService, nodeKeysHandlers(keyOps, reshareOps, store, config.nodeId, log) as never],
      [NodeApprovalService, approvalService.implementation(NodeApprovalService)],
      [AuditService, auditService.implementation(AuditService)],
      ops.health,
    ],
    config.listen,
    authorizing(transport, nodeAuthorizer(config, (why) => recordPeerRefusal(store, why, log))),
  );
  const unseal = async (shares: Uint8Array[]) => {
    await unsealStore(store, config, shares);
    await activate();
    log(`node ${config.nodeId} unsealed`);
  };
  const startedAtMs = Date.now();
  const sealed = () => store.sealed;
  const reload = () => reloadPolicy(configPath, config, store, log);
  const web = config.consoleListen === 'off' ? undefined : await WebConsole.start({ config, store, approvals, startedAtMs, sealed, log }, config.consoleListen);
  const admin = await startAdminServer(config.adminSocket, [
    [NodeAdminService, adminHandlers({ config, store, startedAtMs, sealed, log, port, reload }) as never],
    [NodeSealService, nodeSealHandlers({ config, store, unseal, log }) as never],
    [NodeOperatorService, operatorHandlers({
      approvals,
      consoleLogin: (op) => {
        if (!web) throw new QsignError('INVALID_ARGUMENT', 'the web console is off on this node (consoleListen: "off")');
        return web.mintLogin(op);
      },
      log,
    }) as never],
  ]);
  log(`node ${config.nodeId} listening on port ${port} (${transport.kind === 'mtls' ? 'mutual TLS' : 'PLAINTEXT, development'}), operator socket ${config.adminSocket} (data ${config.dataDir}: ${store.audit.size} audit records, ${store.keyCount} keys, opened and verified in ${Math.round(openMs)} ms; up ${Math.round(performance.now())} ms after the process started)${store.sealed ? ` — SEALED: unseal it with ${QSIGN_HINT} node unseal --config ${configPath}` : ''}`);
  if (web) log(`web console at ${web.url} (log in with a token from '${QSIGN_HINT} console --socket ${config.adminSocket}')`);
  const expireNonces = () =>
    void store
      .expireNonces(Date.now() - config.nonceTtlSeconds * 1000)
      .then((n) => n && log(`expired ${n} nonces handed out more than ${config.nonceTtlSeconds} s ago and never used`))
      .catch((e) => log(`nonce expiry failed: ${errorMessage(e)}`));
  const prune = setInterval(() => {
    void store.pruneReplay(Date.now()).catch((e) => log(`replay prune failed: ${errorMessage(e)}`));
    void approvals.prune().catch((e) => log(`hold prune failed: ${errorMessage(e)}`));
    if (!store.sealed) expireNonces();
  }, Math.min(60_000, (config.nonceTtlSeconds * 1000) / 2));
  prune.unref();
  return {
    port,
    get signer() {
      return running.signer;
    },
    store,
    get audit() {
      return running.audit;
    },
    reload,
    async stop() {
      clearInterval(prune);
      running.stopped = true;
      await running.guard?.stop();
      await running.audit?.publisher.stop();
      await Promise.all([stopServer(server), stopServer(admin), web?.close(), ops.close()]);
      await store.close();
      closeTransport(transport);
    },
  };
}

/**
 * Coordinator daemon wiring: config → node clients → Coordinator → gRPC.
 */
import type { Server } from 'node:http';
import { installNativeBackend } from '@qsign/frost-native';
import { CoordinatorApprovalService, CoordinatorKeysService, CoordinatorService } from '@qsign/proto';
import { AuditService, NodeKeysRpcClient, NodeRpcClient, auditHandlers, authorizing, checkOwnIdentity, closeTransport, decodeSignRequest, encodeSignRequest, expectIdentity, expecting, healthService, openTransport, startHealthListener, opensslEd25519, opensslSha256, serveMetrics, startServer, stopServer, type Log } from '@qsign/rpc';
import { setEd25519Backend, setSha256 } from '@qsign/audit';
import { coordinatorAuthorizer } from './tls-access.js';
import { CLOCK_OFFSET_ENV, errorMessage, isQsignError, lifecycleClock } from '@qsign/protocol';
import { RenewalLoop } from './renewal-loop.js';
import { openCoordinatorLog } from './audit.js';
import { readKeyFile, readMasterKeyFile } from '@qsign/storage';
import { CoordinatorKeys } from './keys.js';
import { coordinatorKeysHandlers } from './keys-server.js';
import { startKeygenHttp } from './keygen-http.js';
import { loadCoordinatorConfig } from './config.js';
import { Coordinator } from './coordinator.js';
import { RedialingNodePort } from './redial-port.js';
import { coordinatorApprovalHandlers, coordinatorHandlers } from './server.js';
import { coordinatorLogger } from './log.js';
import { CoordinatorMetrics, coordinatorHealth } from './metrics.js';

/** A running coordinator. */
export interface RunningCoordinator {
  port: number;
  coordinator: Coordinator;
  stop(): Promise<void>;
}

/** Starts a coordinator daemon from a config file. */
export async function startCoordinator(configPath: string, opts: { log?: Log } = {}): Promise<RunningCoordinator> {
  const config = loadCoordinatorConfig(configPath);
  const log = opts.log ?? coordinatorLogger(config.coordinatorId);
  let metrics: CoordinatorMetrics | undefined;
  installNativeBackend({ log }); // libsodium group arithmetic, or noble with a log line
  setEd25519Backend(opensslEd25519); // audit checkpoints, witness cosignatures and their checks through OpenSSL
  setSha256(opensslSha256); // the audit tree's record and node hashes (and the start-up re-hash of the whole log) through OpenSSL
  // TLS material reloads on SIGHUP and when its files change (docs/tls.md).
  const transport = openTransport(config.transport, { watch: true, log });
  checkOwnIdentity(transport, { role: 'coordinator', name: config.coordinatorId });
  // Each node must present its own certificate (qsign:node:ID).
  const toNode = (id: number) => expecting(transport, expectIdentity({ role: 'node', name: String(id) }));
  const coordinator = new Coordinator(
    config.nodes.map((n) => ({ id: n.id, port: new RedialingNodePort(() => new NodeRpcClient(n.address, `node ${n.id} at ${n.address}`, toNode(n.id))) })),
    { coordinatorId: config.coordinatorId, shareTimeoutMs: config.shareTimeoutMs, decode: decodeSignRequest, log, observe: (o, s) => metrics?.sign(o, s) },
  );
  const audit = config.dataDir ? await openCoordinatorLog(config.dataDir, readMasterKeyFile(config.masterKeyFile!), config.coordinatorId) : undefined;
  coordinator.start();
  // Refuses to start when QSIGN_CLOCK_OFFSET_MS is set outside development.
  const now = lifecycleClock(process.env, config.development, `coordinator ${config.coordinatorId}`);
  if (process.env[CLOCK_OFFSET_ENV]) log(`WARNING: lifecycle clock moved by ${process.env[CLOCK_OFFSET_ENV]} ms (${CLOCK_OFFSET_ENV}, development only)`);
  const renewal = config.renewal
    ? new RenewalLoop(coordinator, () => coordinator.keyNames(), {
        clientName: config.renewal.clientName,
        secretKey: readKeyFile(config.renewal.clientKeyFile, 'renewal client key'),
        horizonSeconds: config.renewal.horizonSeconds,
        validitySeconds: config.renewal.validitySeconds,
        intervalMs: config.renewal.intervalSeconds * 1000,
        now,
        encode: encodeSignRequest,
        log,
      })
    : undefined;
  const keys = new CoordinatorKeys(
    config.nodes.map((n) => ({ id: n.id, keys: new NodeKeysRpcClient(n.address, `node ${n.id} at ${n.address}`, toNode(n.id)) })),
    {
      defaultThreshold: config.keygenThreshold,
      defaultKeyType: config.keygenDefaultType,
      dealerNode: config.keygenDealerNode,
      keygenSecretKey: config.keygenClientKeyFile ? readKeyFile(config.keygenClientKeyFile, 'keygen client key') : undefined,
      lookup: (name) => coordinator.getKey(name).catch((e) => (isQsignError(e, 'UNKNOWN_KEY') ? undefined : Promise.reject(e))),
      forget: (name) => coordinator.forgetKey(name),
      log,
      relayDump: process.env.QSIGN_TEST_FAULTS === '1' ? process.env.QSIGN_TEST_RELAY_DUMP : undefined,
    },
  );
  const services: Parameters<typeof startServer>[0] = [
    [CoordinatorService, coordinatorHandlers(coordinator, log, audit?.service) as never],
    [CoordinatorKeysService, coordinatorKeysHandlers(coordinator, keys, log) as never],
    [CoordinatorApprovalService, coordinatorApprovalHandlers(coordinator, log) as never],
  ];
  if (audit) services.push([AuditService, auditHandlers(audit.service, (e) => log(`audit internal error: ${errorMessage(e)}`)) as never]);
  const health = coordinatorHealth(coordinator, config.keygenThreshold ?? Math.floor(config.nodes.length / 2) + 1);
  services.push(healthService(health));
  const healthPlain = config.healthListen === 'off' ? undefined : await startHealthListener(config.healthListen, health);
  if (healthPlain) log(`plaintext health service (grpc.health.v1 only) on port ${healthPlain.port}`);
  metrics = new CoordinatorMetrics(config.coordinatorId, coordinator, audit?.service);
  const metricsHttp = config.metricsListen === 'off' ? undefined : await serveMetrics(config.metricsListen, () => metrics!.render(), log);
  if (metricsHttp) log(`Prometheus metrics at http://${metricsHttp.address}/metrics`);
  const { server, port } = await startServer(services, config.listen, authorizing(transport, coordinatorAuthorizer((why) => log(`TLS: ${why}`))));
  const checkpoints = audit ? setInterval(() => void audit.service.notary.checkpoint().catch((e) => log(`cannot sign an audit checkpoint: ${errorMessage(e)}`)), 1000) : undefined;
  checkpoints?.unref();
  let http: Server | undefined;
  if (config.keygenListen) {
    const h = await startKeygenHttp(keys, config.keygenListen, log, transport);
    http = h.server;
    log(`copr-keygen ${transport.kind === 'mtls' ? 'HTTPS (client certificates)' : 'HTTP (PLAINTEXT, development)'} API on ${config.keygenListen.replace(/:\d+$/, '')}:${h.port}`);
  }
  log(`coordinator ${config.coordinatorId} listening on port ${port} with ${config.nodes.length} nodes`);
  if (renewal) {
    renewal.start();
    log(`renewing self-signatures ${config.renewal!.horizonSeconds / 86_400} days before expiry, for ${config.renewal!.validitySeconds / 86_400} days (client ${config.renewal!.clientName})`);
  }
  return {
    port,
    coordinator,
    async stop() {
      renewal?.stop();
      coordinator.stop();
      http?.close();
      await metricsHttp?.close();
      await healthPlain?.close();
      clearInterval(checkpoints);
      await stopServer(server);
      await audit?.store.close();
      closeTransport(transport);
    },
  };
}

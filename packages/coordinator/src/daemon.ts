/**
 * Coordinator daemon wiring: config → node clients → Coordinator → gRPC.
 */
import { installNativeBackend } from '@qsign/frost-native';
import { CoordinatorApprovalService, CoordinatorKeysService, CoordinatorService } from '@qsign/proto';
import { AuditService, NodeRpcClient, auditHandlers, decodeSignRequest, startServer, stopServer } from '@qsign/rpc';
import { errorMessage } from '@qsign/protocol';
import { openCoordinatorLog } from './audit.js';
import { readKeyFile } from './key-file.js';
import { loadCoordinatorConfig } from './config.js';
import { Coordinator } from './coordinator.js';
import { coordinatorApprovalHandlers, coordinatorHandlers, coordinatorKeysHandlers } from './server.js';

/** A running coordinator. */
export interface RunningCoordinator {
  port: number;
  coordinator: Coordinator;
  stop(): Promise<void>;
}

/** Starts a coordinator daemon from a config file. */
export async function startCoordinator(configPath: string, opts: { log?: (m: string) => void } = {}): Promise<RunningCoordinator> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${new Date().toISOString()} coordinator: ${m}\n`));
  const config = loadCoordinatorConfig(configPath);
  installNativeBackend({ log }); // libsodium group arithmetic, or noble with a log line
  const coordinator = new Coordinator(
    config.nodes.map((n) => ({ id: n.id, port: new NodeRpcClient(n.address, `node ${n.id} at ${n.address}`) })),
    { coordinatorId: config.coordinatorId, shareTimeoutMs: config.shareTimeoutMs, decode: decodeSignRequest, log },
  );
  const audit = config.dataDir ? await openCoordinatorLog(config.dataDir, readKeyFile(config.masterKeyFile!), config.coordinatorId) : undefined;
  coordinator.start();
  const services: Parameters<typeof startServer>[0] = [
    [CoordinatorService, coordinatorHandlers(coordinator, log, audit?.service) as never],
    [CoordinatorKeysService, coordinatorKeysHandlers(coordinator, log) as never],
    [CoordinatorApprovalService, coordinatorApprovalHandlers(coordinator, log) as never],
  ];
  if (audit) services.push([AuditService, auditHandlers(audit.service, (e) => log(`audit internal error: ${errorMessage(e)}`)) as never]);
  const { server, port } = await startServer(services, config.listen);
  const checkpoints = audit ? setInterval(() => void audit.service.notary.checkpoint().catch((e) => log(`cannot sign an audit checkpoint: ${errorMessage(e)}`)), 1000) : undefined;
  checkpoints?.unref();
  log(`coordinator ${config.coordinatorId} listening on port ${port} with ${config.nodes.length} nodes`);
  return {
    port,
    coordinator,
    async stop() {
      coordinator.stop();
      clearInterval(checkpoints);
      await stopServer(server);
      await audit?.store.close();
    },
  };
}

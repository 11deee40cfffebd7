/**
 * Coordinator daemon wiring: config → node clients → Coordinator → gRPC.
 */
import { installNativeBackend } from '@qsign/frost-native';
import { CoordinatorService } from '@qsign/proto';
import { NodeRpcClient, decodeSignRequest, startServer, stopServer } from '@qsign/rpc';
import { loadCoordinatorConfig } from './config.js';
import { Coordinator } from './coordinator.js';
import { coordinatorHandlers } from './server.js';

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
  coordinator.start();
  const { server, port } = await startServer([[CoordinatorService, coordinatorHandlers(coordinator, log) as never]], config.listen);
  log(`coordinator ${config.coordinatorId} listening on port ${port} with ${config.nodes.length} nodes`);
  return {
    port,
    coordinator,
    async stop() {
      coordinator.stop();
      await stopServer(server);
    },
  };
}

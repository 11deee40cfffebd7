/**
 * Node daemon wiring: config → master key → store → signer → gRPC server.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hexToBytes } from '@noble/hashes/utils.js';
import { installNativeBackend } from '@qsign/frost-native';
import { QsignError, errorMessage } from '@qsign/protocol';
import { NodeStore, Sealer } from '@qsign/storage';
import { startServer, stopServer } from '@qsign/rpc';
import { loadNodeConfig, type NodeConfig } from './config.js';
import { NodeSigner } from './signer.js';
import { NodeServiceRaw, nodeHandlers } from './server.js';
import { NodeAdminService, adminHandlers, startAdminServer } from './admin.js';

/** Reads the development master key file (64 hex characters). */
export function readMasterKey(path: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new QsignError('CONFIG', `cannot read master key file ${path}: ${errorMessage(e)}`);
  }
  if (!/^[0-9a-f]{64}$/.test(text)) throw new QsignError('CONFIG', `master key file ${path} must hold 32 bytes as 64 lowercase hex characters`);
  return hexToBytes(text);
}

/** Opens a node's store from its config (offline tools use this too). */
export async function openNodeStore(config: NodeConfig): Promise<NodeStore> {
  const sealer = new Sealer(readMasterKey(config.masterKeyFile));
  return NodeStore.open(config.dataDir, sealer);
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

/** A running node. */
export interface RunningNode {
  port: number;
  signer: NodeSigner;
  store: NodeStore;
  stop(): Promise<void>;
}

/** Starts a node daemon from a config file. */
export async function startNode(configPath: string, opts: { log?: (m: string) => void; testFaults?: boolean } = {}): Promise<RunningNode> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${new Date().toISOString()} node: ${m}\n`));
  const config = loadNodeConfig(configPath);
  installNativeBackend({ log }); // libsodium group arithmetic, or noble with a log line
  const store = await openNodeStore(config);
  const signer = new NodeSigner(config, store, await nonceHedge(store));
  const testFaults = opts.testFaults ?? process.env.QSIGN_TEST_FAULTS === '1';
  const { server, port } = await startServer([[NodeServiceRaw, nodeHandlers(signer, store, { testFaults, log }) as never]], config.listen);
  const admin = await startAdminServer(config.adminSocket, [
    [NodeAdminService, adminHandlers({ config, store, startedAtMs: Date.now(), sealed: () => false, log }) as never],
  ]);
  log(`node ${config.nodeId} listening on port ${port}, operator socket ${config.adminSocket} (data ${config.dataDir}, ${store.audit.size} audit records)`);
  const prune = setInterval(() => void store.pruneReplay(Date.now()).catch((e) => log(`replay prune failed: ${errorMessage(e)}`)), 60_000);
  prune.unref();
  return {
    port,
    signer,
    store,
    async stop() {
      clearInterval(prune);
      await Promise.all([stopServer(server), stopServer(admin)]);
      await store.close();
    },
  };
}

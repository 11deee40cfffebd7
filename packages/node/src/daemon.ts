/**
 * Node daemon wiring: config → master key → store → signer → gRPC server.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hexToBytes } from '@noble/hashes/utils.js';
import { QsignError, errorMessage } from '@qsign/protocol';
import { NodeStore, Sealer } from '@qsign/storage';
import { startServer, stopServer } from '@qsign/rpc';
import { loadNodeConfig, type NodeConfig } from './config.js';
import { NodeSigner } from './signer.js';
import { NodeServiceRaw, nodeHandlers } from './server.js';
import { NodeAdminService, adminHandlers, startAdminServer } from './admin.js';
import { NodeSealService } from '@qsign/proto';
import { SwitchableService, nodeSealHandlers, sealedNodeHandlers } from './seal-server.js';
import { unsealStore } from './seal.js';
import { NodeKeysService } from '@qsign/proto';
import { NodeKeyOps } from './keys.js';
import { nodeKeysHandlers } from './keys-server.js';

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

/** Opens a node's store from its config (offline tools use this too); sealed unless the config names a development master key file. */
export async function openNodeStore(config: NodeConfig): Promise<NodeStore> {
  return NodeStore.open(config.dataDir, config.masterKeyFile ? new Sealer(readMasterKey(config.masterKeyFile)) : undefined);
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
  /** The signer once unsealed. */
  signer: NodeSigner | undefined;
  store: NodeStore;
  stop(): Promise<void>;
}

/** Starts a node daemon from a config file. */
export async function startNode(configPath: string, opts: { log?: (m: string) => void; testFaults?: boolean } = {}): Promise<RunningNode> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${new Date().toISOString()} node: ${m}\n`));
  const config = loadNodeConfig(configPath);
  const store = await openNodeStore(config);
  const testFaults = opts.testFaults ?? process.env.QSIGN_TEST_FAULTS === '1';
  const nodeService = new SwitchableService(sealedNodeHandlers(config, store, log));
  const running: { signer?: NodeSigner } = {};
  const activate = async () => {
    running.signer = new NodeSigner(config, store, await nonceHedge(store));
    nodeService.set(nodeHandlers(running.signer, store, { testFaults, log }));
  };
  if (!store.sealed) await activate();
  const keyOps = new NodeKeyOps(config, store, log);
  const { server, port } = await startServer(
    [
      [NodeServiceRaw, nodeService.implementation(NodeServiceRaw)],
      [NodeKeysService, nodeKeysHandlers(keyOps, log) as never],
    ],
    config.listen,
  );
  const unseal = async (shares: Uint8Array[]) => {
    await unsealStore(store, config, shares);
    await activate();
    log(`node ${config.nodeId} unsealed`);
  };
  const admin = await startAdminServer(config.adminSocket, [
    [NodeAdminService, adminHandlers({ config, store, startedAtMs: Date.now(), sealed: () => store.sealed, log }) as never],
    [NodeSealService, nodeSealHandlers({ config, store, unseal, log }) as never],
  ]);
  log(`node ${config.nodeId} listening on port ${port}, operator socket ${config.adminSocket} (data ${config.dataDir}, ${store.audit.size} audit records, ${store.keyCount} keys)${store.sealed ? ' — SEALED: unseal it with qsign node unseal' : ''}`);
  const prune = setInterval(() => void store.pruneReplay(Date.now()).catch((e) => log(`replay prune failed: ${errorMessage(e)}`)), 60_000);
  prune.unref();
  return {
    port,
    get signer() {
      return running.signer;
    },
    store,
    async stop() {
      clearInterval(prune);
      await Promise.all([stopServer(server), stopServer(admin)]);
      await store.close();
    },
  };
}

/**
 * Node daemon wiring: config → master key → store → signer → gRPC server.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hexToBytes } from '@noble/hashes/utils.js';
import { installNativeBackend } from '@qsign/frost-native';
import { QsignError, errorMessage } from '@qsign/protocol';
import { NodeStore, Sealer } from '@qsign/storage';
import { AuditService, auditHandlers, startServer, stopServer } from '@qsign/rpc';
import { loadNodeConfig, type NodeConfig } from './config.js';
import { NodeSigner } from './signer.js';
import { NodeServiceRaw, nodeHandlers } from './server.js';
import { NodeKeysService } from '@qsign/proto';
import { nodeKeysHandlers } from './keys-server.js';
import { NodeAdminService, adminHandlers, startAdminServer } from './admin.js';
import { NodeApprovalService, NodeOperatorService } from '@qsign/proto';
import { approvalHandlers, operatorHandlers } from './operator.js';
import { WebConsole } from './console.js';
import { recordPolicyChange } from './policy-audit.js';
import { openNodeAudit } from './audit-wiring.js';

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
  /** The audit log's checkpoint publisher (tests call publish() to checkpoint now). */
  audit: Awaited<ReturnType<typeof openNodeAudit>>;
  stop(): Promise<void>;
}

/** Starts a node daemon from a config file. */
export async function startNode(configPath: string, opts: { log?: (m: string) => void; testFaults?: boolean } = {}): Promise<RunningNode> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${new Date().toISOString()} node: ${m}\n`));
  const config = loadNodeConfig(configPath);
  installNativeBackend({ log }); // libsodium group arithmetic, or noble with a log line
  const store = await openNodeStore(config);
  await recordPolicyChange(config, store, log);
  const signer = new NodeSigner(config, store, await nonceHedge(store));
  const testFaults = opts.testFaults ?? process.env.QSIGN_TEST_FAULTS === '1';
  const audit = await openNodeAudit(config, store, log);
  const { server, port } = await startServer(
    [
      [NodeServiceRaw, nodeHandlers(signer, store, { testFaults, log }) as never],
      [NodeKeysService, nodeKeysHandlers(store, config.nodeId, log) as never],
      [NodeApprovalService, approvalHandlers(signer, log) as never],
      [AuditService, auditHandlers(audit.service, (e) => log(`audit internal error: ${errorMessage(e)}`)) as never],
    ],
    config.listen,
  );
  audit.publisher.start();
  const startedAtMs = Date.now();
  const web = config.consoleListen === 'off' ? undefined : await WebConsole.start({ config, store, approvals: signer.approvals, startedAtMs, sealed: () => false, log }, config.consoleListen);
  const admin = await startAdminServer(config.adminSocket, [
    [NodeAdminService, adminHandlers({ config, store, startedAtMs, sealed: () => false, log }) as never],
    [NodeOperatorService, operatorHandlers({
      approvals: signer.approvals,
      consoleLogin: (op) => {
        if (!web) throw new QsignError('INVALID_ARGUMENT', 'the web console is off on this node (consoleListen: "off")');
        return web.mintLogin(op);
      },
      log,
    }) as never],
  ]);
  log(`node ${config.nodeId} listening on port ${port}, operator socket ${config.adminSocket} (data ${config.dataDir}, ${store.audit.size} audit records)`);
  if (web) log(`web console at ${web.url} (log in with a token from 'qsign console --socket ${config.adminSocket}')`);
  const prune = setInterval(() => {
    void store.pruneReplay(Date.now()).catch((e) => log(`replay prune failed: ${errorMessage(e)}`));
    void signer.approvals.prune().catch((e) => log(`hold prune failed: ${errorMessage(e)}`));
  }, 60_000);
  prune.unref();
  return {
    port,
    signer,
    store,
    audit,
    async stop() {
      clearInterval(prune);
      await audit.publisher.stop();
      await Promise.all([stopServer(server), stopServer(admin), web?.close()]);
      await store.close();
    },
  };
}

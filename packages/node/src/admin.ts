/**
 * The node's operator interface: a gRPC service on a unix socket (mode
 * 0600, owned by the node's user), so file permissions decide who is an
 * operator and nothing is reachable from the network. Handlers are thin.
 */
import { chmodSync, rmSync, existsSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { NodeAdminService, type NodeAdminServer } from '@qsign/proto';
import { QsignError, errorMessage } from '@qsign/protocol';
import { unaryHandler, startServer } from '@qsign/rpc';
import type { NodeStore } from '@qsign/storage';
import type { NodeConfig } from './config.js';
import { nodeVerifierKey } from './audit-wiring.js';
import type { ReloadResult } from './policy-reload.js';

/** State the admin handlers read. */
export interface AdminContext {
  config: NodeConfig;
  store: NodeStore;
  startedAtMs: number;
  sealed: () => boolean;
  log: (m: string) => void;
  /** The gRPC port actually bound (the config may say port 0). */
  port?: number;
  /** Re-reads the policy from the config file. */
  reload?: () => Promise<ReloadResult>;
}

/** Builds the NodeAdmin handlers. */
export function adminHandlers(ctx: AdminContext): NodeAdminServer {
  const internal = (e: unknown) => ctx.log(`admin internal error: ${errorMessage(e)}`);
  return {
    adminStatus: unaryHandler(async () => ({
      nodeId: ctx.config.nodeId,
      sealed: ctx.sealed(),
      keys: await ctx.store.listKeys(),
      unusedNonces: ctx.store.nonceCount,
      auditSize: ctx.store.audit.size,
      listen: ctx.port === undefined ? ctx.config.listen : `${ctx.config.listen.slice(0, ctx.config.listen.lastIndexOf(':'))}:${ctx.port}`,
      startedUnixMs: ctx.startedAtMs,
      verifierKey: ctx.sealed() ? '' : await nodeVerifierKey(ctx.config, ctx.store),
      rsaDealers: ctx.config.lifecycle.rsaDealers ?? [],
    }), internal),
    reloadPolicy: unaryHandler(async () => {
      if (!ctx.reload) throw new QsignError('INVALID_ARGUMENT', 'this node cannot reload its policy');
      return await ctx.reload();
    }, internal),
  };
}

/**
 * Serves `services` on the unix socket `path` with mode 0600. A stale socket
 * file from a crashed run is removed first.
 */
export async function startAdminServer(path: string, services: Array<[grpc.ServiceDefinition, grpc.UntypedServiceImplementation]>): Promise<grpc.Server> {
  if (existsSync(path)) rmSync(path);
  const old = process.umask(0o177);
  try {
    const { server } = await startServer(services, `unix://${path}`);
    chmodSync(path, 0o600);
    return server;
  } finally {
    process.umask(old);
  }
}

/** The NodeAdmin service definition, for registering more handlers beside status. */
export { NodeAdminService };

/**
 * gRPC adapters for sealing: the Node service as served while sealed (it
 * refuses to sign or hand out commitments, saying SEALED), a switch that
 * swaps the sealed handlers for the real ones on unseal, and the NodeSeal
 * operator service (unseal, import, verify) on the admin socket.
 */
import { readAuditPage } from './server.js';
import type * as grpc from '@grpc/grpc-js';
import type { NodeApprovalServer, NodeSealServer, NodeServer } from '@qsign/proto';
import { QSIGN_HINT, QsignError, errorMessage } from '@qsign/protocol';
import { unaryHandler } from '@qsign/rpc';
import { refusedEntry } from '@qsign/audit';
import type { NodeStore } from '@qsign/storage';
import type { NodeConfig } from './config.js';
import { importShareTexts, openShareTexts } from './import.js';

/** The Node service of a sealed node: status and the audit log answer, everything else is refused with SEALED. */
export function sealedNodeHandlers(config: NodeConfig, store: NodeStore, log: (m: string) => void): NodeServer {
  const internal = (e: unknown) => log(`internal error: ${errorMessage(e)}`);
  let lastLog = 0;
  const sealed = (what: string) => {
    if (Date.now() - lastLog > 60_000) {
      lastLog = Date.now();
      log(`refusing ${what}: node is sealed (unseal it: ${QSIGN_HINT} node unseal --config node.json)`);
    }
    return new QsignError('SEALED', `node ${config.nodeId} is sealed: it signs nothing until an operator unseals it with K unseal shares`);
  };
  return {
    status: unaryHandler(async () => ({ nodeId: config.nodeId, sealed: true, keys: store.keyCount, unusedNonces: 0, auditSize: store.audit.size, version: '0.1.0' }), internal),
    getCommitments: unaryHandler(async () => {
      throw sealed('GetCommitments');
    }, internal),
    signShare: unaryHandler(async () => {
      // A signing request is recorded even while sealed (the audit log is not secret).
      await store.audit.append(refusedEntry({}, 'SEALED', 'node is sealed'));
      throw sealed('SignShare');
    }, internal) as NodeServer['signShare'],
    getKey: unaryHandler(async () => {
      throw sealed('GetKey');
    }, internal),
    listKeys: unaryHandler(async () => {
      throw sealed('ListKeys');
    }, internal),
    attestKey: unaryHandler(async () => {
      throw sealed('AttestKey');
    }, internal),
    readAudit: unaryHandler((req) => readAuditPage(store, req.from, req.limit), internal),
    setFault: unaryHandler(async () => {
      throw sealed('SetFault');
    }, internal),
  };
}

/** The NodeApproval service of a sealed node: the coordinator's pre-checks are refused with SEALED. */
export function sealedApprovalHandlers(config: NodeConfig, log: (m: string) => void): NodeApprovalServer {
  return {
    checkRequest: unaryHandler(async () => {
      throw new QsignError('SEALED', `node ${config.nodeId} is sealed: it checks and signs nothing until an operator unseals it`);
    }, (e) => log(`internal error: ${errorMessage(e)}`)),
    endRequest: unaryHandler(async () => {
      throw new QsignError('SEALED', `node ${config.nodeId} is sealed: it checks and signs nothing until an operator unseals it`);
    }, (e) => log(`internal error: ${errorMessage(e)}`)),
  };
}

/** A service implementation whose handlers can be swapped at run time (sealed → unsealed). */
export class SwitchableService<T extends object> {
  #current: T;
  constructor(initial: T) {
    this.#current = initial;
  }
  /** Replaces every handler. */
  set(next: T): void {
    this.#current = next;
  }
  /** The implementation to register with grpc-js: each method delegates to the current handler. */
  implementation(def: grpc.ServiceDefinition): grpc.UntypedServiceImplementation {
    const impl: grpc.UntypedServiceImplementation = {};
    for (const name of Object.keys(def))
      impl[name] = ((call: unknown, cb: unknown) => (this.#current as Record<string, (a: unknown, b: unknown) => void>)[name]!(call, cb)) as grpc.UntypedHandleCall;
    return impl;
  }
}

/** What the NodeSeal handlers act on. */
export interface SealContext {
  config: NodeConfig;
  store: NodeStore;
  /** Unseals the node (store, signer, handlers) or throws SEALED. */
  unseal(shares: Uint8Array[]): Promise<void>;
  log: (m: string) => void;
}

/** Builds the NodeSeal operator handlers. */
export function nodeSealHandlers(ctx: SealContext): NodeSealServer {
  const internal = (e: unknown) => ctx.log(`seal service internal error: ${errorMessage(e)}`);
  return {
    unseal: unaryHandler(async (req) => {
      await ctx.unseal(req.shares);
      return { sealed: ctx.store.sealed };
    }, internal),
    importShares: unaryHandler(async (req) => {
      const keys = await importShareTexts(req.files, ctx.config, ctx.store);
      ctx.log(`imported ${keys.length} key share(s) over the operator socket`);
      return { keys };
    }, internal),
    verifyShares: unaryHandler(async (req) => {
      const files = await openShareTexts(req.files, ctx.config, ctx.store);
      for (const f of files) f.share.fill(0);
      return { keys: files.map((f) => `${f.keyName} (identifier ${f.identifier}) matches its VSS commitments`) };
    }, internal),
  };
}

/**
 * The node's gRPC adapter: thin handlers mapping proto to the domain
 * service. SignShare takes raw bytes so that even an undecodable request is
 * refused by the domain and recorded in the audit log.
 */
import * as grpc from '@grpc/grpc-js';

import { NodeService, SignShareRequest, type KeyInfo, type NodeServer } from '@qsign/proto';
import { QsignError, errorMessage, isValidKeyName } from '@qsign/protocol';
import { callerIdentity, decodeCommitment, decodeSignRequest, unaryHandler } from '@qsign/rpc';
import { refusedEntry } from '@qsign/audit';
import { MAX_AUDIT_PAGE, MAX_PAGE_BYTES, type NodeStore, type StoredKey } from '@qsign/storage';
import { type Fault, type NodeSigner, type ShareContext } from './signer.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { attestKey } from './attest.js';
import type { PoolOwnerCheck } from './pool-owner.js';

const FAULTS: Fault[] = ['', 'corrupt-share', 'crash-after-write', 'fail-audit-write'];

/** The service definition with SignShare receiving undecoded bytes. */
export const NodeServiceRaw: grpc.ServiceDefinition = {
  ...NodeService,
  signShare: { ...NodeService.signShare, requestDeserialize: (b: Buffer) => b },
} as unknown as grpc.ServiceDefinition;

/** How a SignShare call ended, for logs and metrics: `code` is set when it was refused. */
export type ShareObserver = (outcome: ShareContext & { code?: string; coordinatorId: string }, seconds: number) => void;

/**
 * Builds the handlers of the Node service; `owner` binds each call's pool
 * owner to the caller's certificate (pool-owner.ts); `observe` hears how
 * each SignShare ended.
 */
export function nodeHandlers(signer: NodeSigner, store: NodeStore, opts: { testFaults: boolean; log: (msg: string) => void; owner: PoolOwnerCheck; observe?: ShareObserver }): NodeServer {
  const internal = (e: unknown) => opts.log(`internal error: ${errorMessage(e)}`);
  const signShare = async (raw: unknown, call: Parameters<typeof callerIdentity>[0], seen: ShareContext & { coordinatorId: string }) => {
    let req: SignShareRequest;
    try {
      req = SignShareRequest.decode(raw as Buffer);
    } catch (e) {
      await store.coalesced.append(refusedEntry({}, 'MALFORMED_REQUEST', `undecodable SignShare message: ${errorMessage(e)}`), 'coordinator:(undecodable)');
      throw new QsignError('MALFORMED_REQUEST', `node ${signer.nodeId}: undecodable SignShare message: ${errorMessage(e)}`);
    }
    seen.coordinatorId = req.coordinatorId;
    const owner = await opts.owner('SignShare', callerIdentity(call), req.coordinatorId);
    if (!req.request) throw new QsignError('MALFORMED_REQUEST', 'SignShare has no request');
    let list;
    try {
      list = req.commitments.map(decodeCommitment);
    } catch (e) {
      await store.coalesced.append(refusedEntry({ coordinator: owner || undefined }, 'BAD_COMMITMENTS', errorMessage(e)), `coordinator:${owner}`);
      throw new QsignError('BAD_COMMITMENTS', `node ${signer.nodeId}: ${errorMessage(e)}`);
    }
    const share = await signer.signShare(req.request, decodeSignRequest, list, owner, seen);
    return { identifier: share.identifier, share: share.share };
  };
  return {
    status: unaryHandler(async () => ({
      nodeId: signer.nodeId,
      sealed: false,
      keys: await store.countKeys(),
      unusedNonces: store.nonceCount,
      auditSize: store.audit.size,
      version: '0.1.0',
    }), internal),
    getCommitments: unaryHandler(async (req, call) => ({
      nodeId: signer.nodeId,
      commitments: await signer.commitments(req.count, await opts.owner('GetCommitments', callerIdentity(call), req.coordinatorId)),
    }), internal),
    signShare: unaryHandler(async (raw: unknown, call) => {
      const t0 = performance.now();
      const seen: ShareContext & { coordinatorId: string } = { coordinatorId: '' };
      try {
        const share = await signShare(raw, call, seen);
        opts.observe?.(seen, (performance.now() - t0) / 1000);
        return share;
      } catch (e) {
        opts.observe?.({ ...seen, code: e instanceof QsignError ? e.code : 'INTERNAL' }, (performance.now() - t0) / 1000);
        throw e;
      }
    }, internal) as grpc.handleUnaryCall<SignShareRequest, { identifier: number; share: Uint8Array }>,
    getKey: unaryHandler(async (req) => {
      if (!isValidKeyName(req.name)) throw new QsignError('INVALID_ARGUMENT', `not a valid key name: ${JSON.stringify(req.name.slice(0, 80))}`);
      const key = await store.getKey(req.name);
      if (!key) throw new QsignError('UNKNOWN_KEY', `unknown key ${req.name}`);
      return keyInfo(key);
    }, internal),
    attestKey: unaryHandler((req) => attestKey(signer.nodeId, store, req.name, req.challenge), internal),
    readAudit: unaryHandler((req) => readAuditPage(store, req.from, req.limit), internal),
    listKeys: unaryHandler(async () => ({ names: await store.listKeys() }), internal),
    setFault: unaryHandler(async (req) => {
      if (!opts.testFaults) throw new QsignError('POLICY_REFUSED', 'fault injection is disabled (start the node with QSIGN_TEST_FAULTS=1)');
      if (!FAULTS.includes(req.fault as Fault)) throw new QsignError('INVALID_ARGUMENT', `unknown fault ${JSON.stringify(req.fault)}`);
      signer.setFault(req.fault as Fault);
      opts.log(`test fault set: ${req.fault || '(none)'}`);
      return {};
    }, internal),
  };
}

/** The public part of a stored key. */
export function keyInfo(key: StoredKey): KeyInfo {
  return {
    name: key.name,
    minSigners: key.minSigners,
    maxSigners: key.maxSigners,
    groupPublicKey: key.groupPublicKey,
    identifier: key.identifier,
    verifyingShares: Object.fromEntries(Object.entries(key.verifyingShares).map(([k, v]) => [Number(k), hexToBytes(v)])),
    createdUnixSeconds: key.createdUnixSeconds,
    userId: key.userId,
    fingerprint: key.fingerprint ? hexToBytes(key.fingerprint) : new Uint8Array(0),
    certificate: key.certificate ? hexToBytes(key.certificate) : new Uint8Array(0),
    scheme: key.scheme === 'rsa-shoup' ? key.scheme : '',
    verificationBase: key.verificationBase ? hexToBytes(key.verificationBase) : new Uint8Array(0),
  };
}

/** One page of stored audit records (Node.ReadAudit): from `from`, at most `limit` (1..10,000; 0 → 1,000) and 4 MiB. */
export async function readAuditPage(store: NodeStore, from: number, limit: number): Promise<{ records: Array<{ seq: number; record: Uint8Array }>; size: number }> {
  const rows = await store.audit.readPage(from, Math.min(Math.max(limit || 1000, 1), MAX_AUDIT_PAGE), MAX_PAGE_BYTES);
  return { records: rows.map((r) => ({ seq: r.seq, record: r.bytes })), size: store.audit.size };
}

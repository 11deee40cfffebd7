/**
 * The auditor's thin fetcher: reads a log's records, checkpoints,
 * cosignatures and witnessed views over the Audit gRPC service, and answers
 * proof requests ({@link LogProofs}) from the same server. Everything else in
 * this package works on what it returns.
 */
import { type AuditRecord, decodeRecord, parseVerifierKey } from '@qsign/audit';
import { QsignError, errorMessage } from '@qsign/protocol';
import { AuditRpcClient, expectIdentity, expecting, type TransportSecurity } from '@qsign/rpc';

/** One log to audit: a node's or the coordinator's. */
export interface LogTarget {
  /** `coordinator` or `node-<id>`. */
  name: string;
  /** Node id (0 for the coordinator). */
  id: number;
  address: string;
  /** The log's pinned verifier key (type 0x01 vkey). */
  verifierKey: string;
  /** How to reach it (the client's TLS certificate); the server must present the target's own identity. */
  security?: TransportSecurity;
}

/** A log as fetched. */
export interface FetchedLog {
  target: LogTarget;
  records: Array<{ index: number; bytes: Uint8Array; record?: AuditRecord }>;
  checkpoints: string[];
  /** What the log says about itself (damage found at its start). */
  damaged: string;
  /** The latest checkpoint with cosignatures. */
  cosigned: string;
  /** Checkpoints of peers this log's owner witnessed. */
  witnessed: Array<{ origin: string; checkpoint: string }>;
}

/** Where the auditor asks a log for Merkle proofs (RFC 9162 §2.1.3, §2.1.4): the log's server, or an in-memory tree in tests. */
export interface LogProofs {
  inclusionProof(index: number, size: number): Promise<Uint8Array[]>;
  consistencyProof(oldSize: number, newSize: number): Promise<Uint8Array[]>;
  /** Releases what the source holds (a gRPC channel). */
  close?(): void;
}

/** An audit client for `t`, checking that the server is the coordinator or node it names. */
function auditClient(t: LogTarget, label?: string): AuditRpcClient {
  const who = t.id === 0 ? { role: 'coordinator' as const, name: '' } : { role: 'node' as const, name: String(t.id) };
  const security = t.security ?? { kind: 'insecure' };
  const check = who.role === 'coordinator' ? expecting(security, (p) => (p?.role === 'coordinator' ? undefined : `expected a coordinator certificate for ${t.name}`)) : expecting(security, expectIdentity(who));
  return new AuditRpcClient(t.address, label, check);
}

/** Proofs from `t`'s own Audit service, over one channel opened on first use (close it when done). */
export function rpcProofs(t: LogTarget): LogProofs {
  let c: AuditRpcClient | undefined;
  const client = (): AuditRpcClient => (c ??= auditClient(t, `${t.name} at ${t.address}`));
  return {
    inclusionProof: (index, size) => client().inclusionProof(index, size),
    consistencyProof: (oldSize, newSize) => client().consistencyProof(oldSize, newSize),
    close: () => c?.close(),
  };
}

/** Parses `--log NAME@HOST:PORT@VKEY` (NAME is `coordinator` or `node-<id>`). */
export function parseTarget(spec: string): LogTarget {
  const m = /^(coordinator|node-(\d{1,5}))@([^@\s]+:\d+)@([^@\s]+)$/.exec(spec);
  if (!m) throw new QsignError('INVALID_ARGUMENT', `--log must be NAME@HOST:PORT@VKEY with NAME coordinator or node-<id>, got ${JSON.stringify(spec.slice(0, 80))}`);
  try {
    parseVerifierKey(m[4]!);
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `--log ${m[1]}: not a valid verifier key: ${errorMessage(e)}`);
  }
  return { name: m[1]!, id: m[2] ? Number(m[2]) : 0, address: m[3]!, verifierKey: m[4]! };
}

/** Decodes one fetched record; undefined if it does not decode (verification names it). */
export function decodeFetched(bytes: Uint8Array): AuditRecord | undefined {
  try {
    return decodeRecord(bytes);
  } catch {
    return undefined;
  }
}

/** Fetches every record and checkpoint of a log. */
export async function fetchLog(t: LogTarget): Promise<FetchedLog> {
  const c = auditClient(t, `${t.name} at ${t.address}`);
  try {
    const head = await c.checkpoint(false);
    const records: FetchedLog['records'] = [];
    for await (const r of c.allRecords()) records.push({ index: r.index, bytes: r.record, record: decodeFetched(r.record) });
    return { target: t, records, checkpoints: await c.allCheckpoints(), damaged: head.damaged, cosigned: await c.cosigned(), witnessed: await c.witnessed() };
  } finally {
    c.close();
  }
}

/**
 * Node configuration: a JSON file, validated at start with errors that name
 * the file and the field.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { QsignError, errorMessage } from '@qsign/protocol';

/** A client allowed to send requests, identified by its Ed25519 public key. */
export interface ClientEntry {
  name: string;
  /** 32-byte Ed25519 public key, hex. */
  publicKey: string;
}

/** A node's configuration. */
export interface NodeConfig {
  /** This node's id: its FROST identifier for keys it is enrolled in (1..65535). */
  nodeId: number;
  /** gRPC listen address, "host:port". */
  listen: string;
  /** LevelDB directory. */
  dataDir: string;
  /** Unix socket of the operator interface (default: admin.sock beside the config file). */
  adminSocket: string;
  /** Development mode: file holding the 32-byte master key (hex). Absent: the node starts sealed. */
  masterKeyFile: string | undefined;
  /** Unseal shares needed (K of `qsign node init --unseal K/L`), for a clear "too few" error. */
  unsealThreshold: number;
  /** Pinned X25519 enrollment public keys (hex) of peer nodes, by node id: DKG/reshare envelopes are only exchanged with these. */
  peers: Record<number, string>;
  clients: ClientEntry[];
  /** Requests older (or further in the future) than this are stale. */
  freshnessWindowSeconds: number;
  /** How many signing attempts (distinct commitment lists) one request id may have. */
  maxAttemptsPerRequest: number;
}

/** Defaults for optional fields. */
export const NODE_DEFAULTS = { freshnessWindowSeconds: 300, maxAttemptsPerRequest: 3 } as const;

/** Reads and validates a node config file; paths inside are relative to the file. */
export function loadNodeConfig(path: string): NodeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new QsignError('CONFIG', `cannot read node config ${path}: ${errorMessage(e)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new QsignError('CONFIG', `${path}: not valid JSON: ${errorMessage(e)}`);
  }
  return validateNodeConfig(raw, path);
}

/** Validates a parsed config object. */
export function validateNodeConfig(raw: unknown, path = 'node config'): NodeConfig {
  const bad = (field: string, why: string): never => {
    throw new QsignError('CONFIG', `${path}: field "${field}": ${why}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('(top level)', 'must be a JSON object');
  const o = raw as Record<string, unknown>;
  const base = dirname(resolve(path));
  const str = (f: string): string => (typeof o[f] === 'string' && (o[f] as string).length > 0 ? (o[f] as string) : bad(f, 'must be a non-empty string'));
  const int = (f: string, lo: number, hi: number, dflt?: number): number => {
    const v = o[f] ?? dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) bad(f, `must be an integer from ${lo} to ${hi}`);
    return v as number;
  };
  const nodeId = int('nodeId', 1, 0xffff);
  const listen = str('listen');
  if (!/^[^\s]+:\d+$/.test(listen)) bad('listen', 'must be host:port');
  if (!Array.isArray(o.clients)) bad('clients', 'must be a list of {name, publicKey}');
  const clients = (o.clients as unknown[]).map((c, i) => {
    const e = c as Record<string, unknown>;
    if (typeof e?.name !== 'string' || !e.name) bad(`clients[${i}].name`, 'must be a non-empty string');
    if (typeof e?.publicKey !== 'string' || !/^[0-9a-f]{64}$/.test(e.publicKey as string))
      bad(`clients[${i}].publicKey`, 'must be a 32-byte Ed25519 public key in lowercase hex');
    return { name: e.name as string, publicKey: e.publicKey as string };
  });
  return {
    nodeId,
    listen,
    dataDir: resolve(base, str('dataDir')),
    masterKeyFile: o.masterKeyFile === undefined ? undefined : resolve(base, str('masterKeyFile')),
    unsealThreshold: int('unsealThreshold', 1, 255, 2),
    peers: peers(o.peers, bad),
    adminSocket: resolve(base, o.adminSocket === undefined ? 'admin.sock' : str('adminSocket')),
    clients,
    freshnessWindowSeconds: int('freshnessWindowSeconds', 1, 86400, NODE_DEFAULTS.freshnessWindowSeconds),
    maxAttemptsPerRequest: int('maxAttemptsPerRequest', 1, 16, NODE_DEFAULTS.maxAttemptsPerRequest),
  };
}

/** Validates the `peers` field: a list of {id, enrollmentKey}. */
function peers(v: unknown, bad: (field: string, why: string) => never): Record<number, string> {
  if (v === undefined) return {};
  if (!Array.isArray(v)) bad('peers', 'must be a list of {id, enrollmentKey}');
  const out: Record<number, string> = {};
  (v as Array<Record<string, unknown>>).forEach((p, i) => {
    if (typeof p?.id !== 'number' || !Number.isInteger(p.id) || p.id < 1 || p.id > 0xffff) bad(`peers[${i}].id`, 'must be an integer 1..65535');
    if (typeof p.enrollmentKey !== 'string' || !/^[0-9a-f]{64}$/.test(p.enrollmentKey)) bad(`peers[${i}].enrollmentKey`, 'must be a 32-byte X25519 key in lowercase hex');
    if (out[p.id as number] !== undefined) bad(`peers[${i}].id`, `duplicate peer ${p.id}`);
    out[p.id as number] = p.enrollmentKey as string;
  });
  return out;
}

/**
 * Node configuration: a JSON file, validated at start with errors that name
 * the file and the field.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { QsignError, errorMessage } from '@qsign/protocol';
import { parsePolicy, type Policy } from './policy.js';
import { lineOfField, lineOfOffset } from './json-locate.js';
import { parsePeers, type NodePeer } from './peers.js';
import { isLoopbackAddress, parseMetricsListen, parseTransport, type TransportSetting } from '@qsign/rpc';
import { enrolledNodes, parseClientPermissions, parseLifecycle, parseOfficers, type ClientPermission, type LifecyclePolicy, type OfficerEntry } from './roles.js';

/** A client allowed to send requests, identified by its Ed25519 public key. */
export interface ClientEntry {
  name: string;
  /** 32-byte Ed25519 public key, hex. */
  publicKey: string;
  /** Beyond signing: `keygen` lets the client start a DKG bounded by `lifecycle` (roles.ts). */
  permissions?: ClientPermission[];
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
  clients: ClientEntry[];
  /** Requests older (or further in the future) than this are stale. */
  freshnessWindowSeconds: number;
  /** How many signing attempts (distinct commitment lists) one request id may have. */
  maxAttemptsPerRequest: number;
  /** Nonces handed out longer ago than this and never used are deleted (default one day). */
  nonceTtlSeconds: number;
  /** Most unused nonces one coordinator identity may hold; a batch beyond it retires that identity's oldest (default 4096). */
  maxOutstandingNonces: number;
  /**
   * Keys this node signs opaque digests for ('digest' requests, and 'raw' data
   * the size of a hash value); optional, default none. The client's claims are logged.
   */
  digestOnlyKeys: string[];
  /** Per-key signing policy (docs/operators.md); absent = every client may use every key, no holds. */
  policy?: Policy;
  /** The `policy` section as written (hashed at start: a change is an audit record). */
  policySource?: unknown;
  /** Web console address, "host:port" (port 0 picks one), or "off". Default 127.0.0.1:0. */
  consoleListen: string;
  /**
   * The other nodes: pinned enrollment keys (DKG/reshare envelopes are only
   * exchanged with these) and audit witnesses (address + verifierKey). See peers.ts.
   */
  peers: NodePeer[];
  /** Prometheus metrics address, "host:port" (GET /metrics), or "off" (the default). */
  metricsListen: string;
  /** Plaintext address serving only grpc.health.v1 (Kubernetes gRPC probes), or "off" (the default). */
  healthListen: string;
  /** Keys allowed to start lifecycle operations: DKG, reshare, retire (roles.ts). */
  officers: OfficerEntry[];
  /** Lifecycle bounds and holds (roles.ts; default: hold reshare and retire). */
  lifecycle: LifecyclePolicy;
  /** `"development": true`: allows the development-only fields (masterKeyFile, insecurePlaintext). */
  development: boolean;
  /** Mutual TLS files (or development plaintext on loopback); see docs/tls.md. */
  transport: TransportSetting;
  /** Coordinator names (certificate identity qsign:coordinator:NAME) this node serves (`tls.coordinators`). */
  coordinators: string[];
}

/** Defaults for optional fields. */
export const NODE_DEFAULTS = { freshnessWindowSeconds: 300, maxAttemptsPerRequest: 3, nonceTtlSeconds: 86_400, maxOutstandingNonces: 4096 } as const;

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
    const pos = /at position (\d+)/.exec(errorMessage(e));
    throw new QsignError('CONFIG', `${path}${pos ? `:${lineOfOffset(text, Number(pos[1]))}` : ''}: not valid JSON: ${errorMessage(e)}`);
  }
  try {
    return validateNodeConfig(raw, path);
  } catch (e) {
    // Name the line too: "node.json:14: field "policy.keys[1].rpmNames[0]": …".
    const field = e instanceof QsignError ? (e.details?.field as string | undefined) : undefined;
    const line = field === undefined ? undefined : lineOfField(text, field);
    if (line === undefined || !(e instanceof QsignError)) throw e;
    throw new QsignError('CONFIG', `${path}:${line}:${e.message.slice(path.length + 1)}`, { details: e.details });
  }
}

/** Validates a parsed config object. */
export function validateNodeConfig(raw: unknown, path = 'node config'): NodeConfig {
  const bad = (field: string, why: string): never => {
    throw new QsignError('CONFIG', `${path}: field "${field}": ${why}`, { details: { field } });
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
    const permissions = parseClientPermissions(e.permissions, `clients[${i}].permissions`, bad);
    return { name: e.name as string, publicKey: e.publicKey as string, ...(permissions.length ? { permissions } : {}) };
  });
  const digestOnlyKeys = o.digestOnlyKeys ?? [];
  if (!Array.isArray(digestOnlyKeys) || digestOnlyKeys.some((k) => typeof k !== 'string' || !k))
    bad('digestOnlyKeys', 'must be a list of key names');
  const peers = parsePeers(o.peers, bad);
  return {
    nodeId,
    listen,
    dataDir: resolve(base, str('dataDir')),
    masterKeyFile: o.masterKeyFile === undefined ? undefined : resolve(base, str('masterKeyFile')),
    unsealThreshold: int('unsealThreshold', 1, 255, 2),
    adminSocket: resolve(base, o.adminSocket === undefined ? 'admin.sock' : str('adminSocket')),
    clients,
    freshnessWindowSeconds: int('freshnessWindowSeconds', 1, 86400, NODE_DEFAULTS.freshnessWindowSeconds),
    maxAttemptsPerRequest: int('maxAttemptsPerRequest', 1, 16, NODE_DEFAULTS.maxAttemptsPerRequest),
    nonceTtlSeconds: int('nonceTtlSeconds', 2, 30 * 86_400, NODE_DEFAULTS.nonceTtlSeconds),
    maxOutstandingNonces: int('maxOutstandingNonces', 256, 1_000_000, NODE_DEFAULTS.maxOutstandingNonces),
    digestOnlyKeys: digestOnlyKeys as string[],
    policy: o.policy === undefined ? undefined : parsePolicy(o.policy, new Set(clients.map((c) => c.name)), bad),
    policySource: o.policy,
    consoleListen: consoleListen(o.consoleListen, bad),
    peers,
    ...nodeTransport(o, base, bad, listen, peers),
    metricsListen: parseMetricsListen(o.metricsListen, bad),
    healthListen: parseMetricsListen(o.healthListen, bad, 'healthListen'),
    officers: parseOfficers(o.officers, new Set(clients.map((c) => c.publicKey)), bad),
    lifecycle: parseLifecycle(o.lifecycle, bad, enrolledNodes({ nodeId, peers })),
  };
}

/**
 * `development`, `masterKeyFile`'s guard and the transport (`tls` with its
 * pinned `coordinators`, or development plaintext on loopback).
 */
function nodeTransport(
  o: Record<string, unknown>,
  base: string,
  bad: (field: string, why: string) => never,
  listen: string,
  peers: NodePeer[],
): Pick<NodeConfig, 'development' | 'transport' | 'coordinators'> {
  if (o.development !== undefined && typeof o.development !== 'boolean') bad('development', 'must be true or false');
  const development = o.development === true;
  if (o.masterKeyFile !== undefined && !development)
    bad('masterKeyFile', 'keeps the master key on disk beside the data: refused unless the config says "development": true (production nodes start sealed: qsign node init --unseal K/L)');
  const addresses: Array<[string, string]> = [['listen', listen], ...peers.flatMap((p, i): Array<[string, string]> => (p.address ? [[`peers[${i}].address`, p.address]] : []))];
  const transport = parseTransport(o, base, bad, addresses);
  // The web console is plain HTTP: an operator reaches it through SSH forwarding.
  if (typeof o.consoleListen === 'string' && o.consoleListen !== 'off' && !isLoopbackAddress(o.consoleListen) && !development)
    bad('consoleListen', 'is plain HTTP: it must be a loopback address (reach it through SSH forwarding) unless the config says "development": true');
  const t = (o.tls ?? {}) as Record<string, unknown>;
  const coordinators = t.coordinators ?? [];
  if (!Array.isArray(coordinators) || coordinators.some((c) => typeof c !== 'string' || !/^[A-Za-z0-9._@+-]{1,128}$/.test(c)))
    bad('tls.coordinators', 'must be a list of coordinator names (their certificates name qsign:coordinator:NAME)');
  if (transport.kind === 'mtls' && coordinators.length === 0) bad('tls.coordinators', 'must name at least one coordinator this node serves');
  return { development, transport, coordinators: coordinators as string[] };
}

/** Validates `consoleListen`: "off", or host:port on which the web console listens. */
function consoleListen(v: unknown, bad: (field: string, why: string) => never): string {
  if (v === undefined) return '127.0.0.1:0';
  if (v === 'off') return v;
  if (typeof v !== 'string' || !/^(\[[0-9a-fA-F:]+\]|[^\s:]+):\d{1,5}$/.test(v)) bad('consoleListen', 'must be "off" or host:port (e.g. "127.0.0.1:0"; an operator reaches it through SSH forwarding)');
  return v as string;
}

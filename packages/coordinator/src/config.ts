/**
 * Coordinator configuration: where the nodes are. It holds no key material
 * and no client secrets.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KEY_TYPES, QsignError, errorMessage, isKeyType, type KeyType } from '@qsign/protocol';
import { parseMetricsListen, parseTransport, type TransportSetting } from '@qsign/rpc';
import { parseDuration } from '@qsign/windows';

/** A node the coordinator relays to. */
export interface NodeEndpoint {
  id: number;
  address: string;
}

/** A coordinator's configuration. */
export interface CoordinatorConfig {
  /** Distinguishes coordinators in node records (several may share nodes). */
  coordinatorId: string;
  listen: string;
  nodes: NodeEndpoint[];
  /** Per-node call deadline for a signature share. */
  shareTimeoutMs: number;
  /** copr-keygen HTTP API address ("host:port"); absent: not served. Loopback is the safe choice. */
  keygenListen: string | undefined;
  /** Threshold of keys created by DKG when the request gives none (default: a majority of the nodes). */
  keygenThreshold: number | undefined;
  /** Type of keys made when a request names none, e.g. "rsa4096" for copr-keygen's gen_key (default ed25519). */
  keygenDefaultType?: KeyType;
  /** The node that generates and deals new RSA keys (default: the lowest node id). */
  keygenDealerNode?: number;
  /** File with the Ed25519 secret key (hex) of the coordinator's keygen client, which signs copr-keygen's DKG requests (absent: gen_key is refused). */
  keygenClientKeyFile?: string;
  /** LevelDB directory of the coordinator's own audit log (absent: no log is kept). */
  dataDir?: string;
  /** Development mode: file with the 32-byte master key (hex) sealing the log's identity key; required with dataDir. */
  masterKeyFile?: string;
  /** Prometheus metrics address, "host:port" (GET /metrics), or "off" (the default). */
  metricsListen: string;
  /** Plaintext address serving only grpc.health.v1 (Kubernetes gRPC probes), or "off" (the default). */
  healthListen: string;
  /** Mutual TLS files (or development plaintext on loopback); see docs/tls.md. */
  transport: TransportSetting;
  /** `"development": true` (development clusters): allows the test clock offset (`@qsign/protocol` lifecycleClock). */
  development: boolean;
  /** The renewal loop (renewal-loop.ts); absent: keys are not renewed by this coordinator. */
  renewal?: RenewalConfig;
}

/**
 * The `renewal` section: `{"clientKeyFile", "clientName", "horizon": "30d", "validity": "365d", "intervalSeconds": 3600}`.
 * The client key is that of a node client with the `renew` permission.
 */
export interface RenewalConfig {
  clientKeyFile: string;
  clientName: string;
  horizonSeconds: number;
  validitySeconds: number;
  intervalSeconds: number;
}

/** Defaults of the `renewal` section: renew 30 days ahead, for a year, checking hourly. */
export const RENEWAL_DEFAULTS = { horizon: '30d', validity: '365d', intervalSeconds: 3600 } as const;

function parseRenewal(raw: unknown, path: string, bad: (field: string, why: string) => never): RenewalConfig | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('renewal', 'must be an object {clientKeyFile, clientName, horizon, validity, intervalSeconds}');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['clientKeyFile', 'clientName', 'horizon', 'validity', 'intervalSeconds'].includes(k)) bad(`renewal.${k}`, 'unknown field');
  if (typeof o.clientKeyFile !== 'string' || !o.clientKeyFile) bad('renewal.clientKeyFile', 'must be a file name (hex Ed25519 secret key of a node client with the renew permission)');
  if (typeof o.clientName !== 'string' || !o.clientName) bad('renewal.clientName', 'must be the client name the nodes list for that key');
  const duration = (k: 'horizon' | 'validity') => {
    try {
      return parseDuration(String(o[k] ?? RENEWAL_DEFAULTS[k]));
    } catch (e) {
      return bad(`renewal.${k}`, errorMessage(e));
    }
  };
  const horizonSeconds = duration('horizon');
  const validitySeconds = duration('validity');
  if (validitySeconds <= horizonSeconds) bad('renewal.validity', 'must be longer than renewal.horizon, or every renewal would be due again at once');
  const interval = o.intervalSeconds ?? RENEWAL_DEFAULTS.intervalSeconds;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 1 || interval > 86_400) bad('renewal.intervalSeconds', 'must be an integer from 1 to 86400');
  return { clientKeyFile: resolve(dirname(resolve(path)), o.clientKeyFile as string), clientName: o.clientName as string, horizonSeconds, validitySeconds, intervalSeconds: interval as number };
}

/** Reads and validates a coordinator config file. */
export function loadCoordinatorConfig(path: string): CoordinatorConfig {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new QsignError('CONFIG', `cannot read coordinator config ${path}: ${errorMessage(e)}`);
  }
  const bad = (field: string, why: string): never => {
    throw new QsignError('CONFIG', `${path}: field "${field}": ${why}`);
  };
  if (typeof raw.listen !== 'string' || !/^[^\s]+:\d+$/.test(raw.listen)) bad('listen', 'must be host:port');
  if (!Array.isArray(raw.nodes) || raw.nodes.length === 0) bad('nodes', 'must be a non-empty list of {id, address}');
  const seen = new Set<number>();
  const nodes = (raw.nodes as Record<string, unknown>[]).map((n, i) => {
    if (typeof n?.id !== 'number' || !Number.isInteger(n.id) || n.id < 1 || n.id > 0xffff) bad(`nodes[${i}].id`, 'must be an integer 1..65535');
    if (seen.has(n.id as number)) bad(`nodes[${i}].id`, `duplicate node id ${n.id}`);
    seen.add(n.id as number);
    if (typeof n.address !== 'string' || !/^[^\s]+:\d+$/.test(n.address)) bad(`nodes[${i}].address`, 'must be host:port');
    return { id: n.id as number, address: n.address as string };
  });
  return {
    coordinatorId: typeof raw.coordinatorId === 'string' && raw.coordinatorId ? raw.coordinatorId : 'coordinator',
    listen: raw.listen as string,
    nodes,
    shareTimeoutMs: typeof raw.shareTimeoutMs === 'number' && raw.shareTimeoutMs > 0 ? raw.shareTimeoutMs : 10_000,
    keygenListen: raw.keygenListen === undefined ? undefined : typeof raw.keygenListen === 'string' && /^[^\s]+:\d+$/.test(raw.keygenListen) ? raw.keygenListen : bad('keygenListen', 'must be host:port (e.g. 127.0.0.1:5003)'),
    keygenThreshold:
      raw.keygenThreshold === undefined
        ? undefined
        : typeof raw.keygenThreshold === 'number' && Number.isInteger(raw.keygenThreshold) && raw.keygenThreshold >= 2 && raw.keygenThreshold <= nodes.length
          ? raw.keygenThreshold
          : bad('keygenThreshold', `must be an integer 2..${nodes.length}`),
    ...keygenTypes(raw, nodes, bad),
    ...auditPaths(raw, path, bad),
    metricsListen: parseMetricsListen(raw.metricsListen, bad),
    healthListen: parseMetricsListen(raw.healthListen, bad, 'healthListen'),
    ...(raw.keygenClientKeyFile === undefined
      ? {}
      : { keygenClientKeyFile: typeof raw.keygenClientKeyFile === 'string' && raw.keygenClientKeyFile ? resolve(dirname(resolve(path)), raw.keygenClientKeyFile) : bad('keygenClientKeyFile', 'must be a file name (hex Ed25519 secret key of a client with the keygen permission)') }),
    transport: coordinatorTransport(raw, path, bad, nodes),
    development: raw.development === true,
    ...(raw.renewal !== undefined && { renewal: parseRenewal(raw.renewal, path, bad) }),
  };
}

/** The optional key type and RSA dealer of new keys. */
function keygenTypes(raw: Record<string, unknown>, nodes: NodeEndpoint[], bad: (field: string, why: string) => never): { keygenDefaultType?: KeyType; keygenDealerNode?: number } {
  const out: { keygenDefaultType?: KeyType; keygenDealerNode?: number } = {};
  if (raw.keygenDefaultType !== undefined) out.keygenDefaultType = isKeyType(raw.keygenDefaultType) ? raw.keygenDefaultType : bad('keygenDefaultType', `${JSON.stringify(raw.keygenDefaultType)} is not a key type; use one of ${KEY_TYPES.join(', ')}`);
  if (raw.keygenDealerNode !== undefined)
    out.keygenDealerNode = nodes.some((n) => n.id === raw.keygenDealerNode) ? (raw.keygenDealerNode as number) : bad('keygenDealerNode', `must be the id of a configured node (${nodes.map((n) => n.id).join(', ')})`);
  return out;
}

/** The optional audit-log fields, resolved relative to the config file. */
function auditPaths(raw: Record<string, unknown>, path: string, bad: (field: string, why: string) => never): { dataDir?: string; masterKeyFile?: string } {
  if (raw.dataDir === undefined) return {};
  const base = dirname(resolve(path));
  if (typeof raw.dataDir !== 'string' || !raw.dataDir) bad('dataDir', 'must be a non-empty string');
  if (typeof raw.masterKeyFile !== 'string' || !raw.masterKeyFile) bad('masterKeyFile', 'is required with dataDir (it seals the audit identity key)');
  return { dataDir: resolve(base, raw.dataDir as string), masterKeyFile: resolve(base, raw.masterKeyFile as string) };
}

/** `tls` (or development plaintext: every address on loopback). */
function coordinatorTransport(raw: Record<string, unknown>, path: string, bad: (field: string, why: string) => never, nodes: NodeEndpoint[]): TransportSetting {
  const addresses: Array<[string, string]> = [['listen', raw.listen as string], ...nodes.map((n, i): [string, string] => [`nodes[${i}].address`, n.address])];
  if (typeof raw.keygenListen === 'string') addresses.push(['keygenListen', raw.keygenListen]);
  return parseTransport(raw, dirname(resolve(path)), bad, addresses);
}

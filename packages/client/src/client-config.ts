/**
 * The client config (`client.json`): which coordinator(s) to call, the
 * client's Ed25519 secret key, and what the client trusts (docs/pinning.md):
 * the identity key of each node (`nodes`), how many nodes must attest a key
 * before it is pinned (`trustThreshold`), and the pinned group key of each
 * key (`keys`). Found via --config, QSIGN_CONFIG, or ./client.json.
 * `"coordinators": ["host:port", …]` lists several coordinators over the same
 * nodes: the client fails over in that order.
 */
import { readFileSync, existsSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { parseVerifierKey } from '@qsign/audit';
import { QSIGN_HINT, QsignError, errorMessage, isValidKeyName } from '@qsign/protocol';

/** A node identity the client pins: its audit log verifier key (c2sp.org/signed-note). */
export interface PinnedNode {
  id: number;
  verifierKey: string;
  /** The Ed25519 identity public key inside the verifier key. */
  publicKey: Uint8Array;
}

/** A key the client pinned: its group public key and OpenPGP v4 fingerprint (lowercase hex). */
export interface PinnedKey {
  groupPublicKey: string;
  fingerprint: string;
}
import { expectRole, expecting, openTransport, parseTransport, type TransportSecurity, type TransportSetting } from '@qsign/rpc';

/** A client's settings. */
export interface ClientConfig {
  /** The first coordinator (the one tools without failover call). */
  coordinator: string;
  /** Every coordinator, in failover order (`coordinator` is the first); absent: just `coordinator`. */
  coordinators?: string[];
  clientName: string;
  /** 32-byte Ed25519 secret key. */
  secretKey: Uint8Array;
  /** The file this config was read from (pins are written back to it). */
  path?: string;
  /** Node identities that may attest keys. */
  nodes: PinnedNode[];
  /** Node attestations needed to pin a key (at least 2; default a majority of `nodes`). */
  trustThreshold: number;
  /** Pin keys the client meets for the first time once `trustThreshold` nodes attest them (Copr's automatic keys). */
  trustNewKeys: boolean;
  /** Pinned keys by name. */
  keys: Map<string, PinnedKey>;
  /** Path of the officer key file (field `officer`, relative to the config), if any (officer-config.ts). */
  officer?: string;
  /** `tls` (the client's certificate, issued by the cluster CA) or development plaintext to a loopback coordinator. */
  transport: TransportSetting;
}

/** Locates and reads the client config; errors say where it looked. */
export function loadClientConfig(explicit?: string): ClientConfig {
  const path = explicit ?? process.env.QSIGN_CONFIG ?? (existsSync('client.json') ? 'client.json' : undefined);
  if (!path)
    throw new QsignError('CONFIG', `no client config: pass --config FILE or set QSIGN_CONFIG (${QSIGN_HINT} cluster up writes DIR/client.json)`);
  return { ...parseClientConfig(readConfigObject(path), path), path };
}

function readConfigObject(path: string): Record<string, unknown> {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not a JSON object');
    return o as Record<string, unknown>;
  } catch (e) {
    throw new QsignError('CONFIG', `cannot read client config ${path}: ${errorMessage(e)}`);
  }
}

/** Validates a parsed client config; errors name the file and the field. */
export function parseClientConfig(o: Record<string, unknown>, path = 'client config'): Omit<ClientConfig, 'path'> {
  const bad = (field: string, why: string): never => {
    throw new QsignError('CONFIG', `${path}: field "${field}" ${why}`);
  };
  const coordinators = coordinatorList(o, path);
  if (typeof o.secretKey !== 'string' || !/^[0-9a-f]{64}$/.test(o.secretKey)) bad('secretKey', 'must be a 32-byte Ed25519 secret key in hex');
  const nodes = parsePinnedNodes(o.nodes, bad);
  const majority = Math.max(2, Math.floor(nodes.length / 2) + 1);
  const trustThreshold = o.trustThreshold ?? majority;
  if (typeof trustThreshold !== 'number' || !Number.isInteger(trustThreshold) || trustThreshold < 2 || trustThreshold > 255)
    bad('trustThreshold', 'must be an integer from 2 to 255 (node attestations needed to pin a key)');
  if (o.trustNewKeys !== undefined && typeof o.trustNewKeys !== 'boolean') bad('trustNewKeys', 'must be true or false');
  if (o.officer !== undefined && (typeof o.officer !== 'string' || !o.officer)) bad('officer', 'must be the path of an officer key file');
  const transport = parseTransport(o, dirname(resolve(path)), bad, coordinators.map((c, k): [string, string] => [o.coordinator !== undefined ? 'coordinator' : `coordinators[${k}]`, c]), false);
  return {
    coordinator: coordinators[0]!,
    coordinators,
    clientName: typeof o.clientName === 'string' ? o.clientName : 'client',
    secretKey: hexToBytes(o.secretKey as string),
    nodes,
    trustThreshold: trustThreshold as number,
    trustNewKeys: o.trustNewKeys === true,
    keys: parsePinnedKeys(o.keys, bad),
    transport,
    ...(typeof o.officer === 'string' ? { officer: resolve(dirname(resolve(path)), o.officer) } : {}),
  };
}

function parsePinnedNodes(raw: unknown, bad: (field: string, why: string) => never): PinnedNode[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) bad('nodes', 'must be a list of {id, verifierKey}');
  const seen = new Set<number>();
  return (raw as unknown[]).map((x, i) => {
    const e = (x ?? {}) as Record<string, unknown>;
    if (typeof e.id !== 'number' || !Number.isInteger(e.id) || e.id < 1 || e.id > 0xffff) bad(`nodes[${i}].id`, 'must be an integer 1..65535');
    if (seen.has(e.id as number)) bad(`nodes[${i}].id`, `repeats node ${e.id}`);
    seen.add(e.id as number);
    if (typeof e.verifierKey !== 'string') bad(`nodes[${i}].verifierKey`, "must be the node's verifier key (qsign node status prints it as 'identity')");
    try {
      return { id: e.id as number, verifierKey: e.verifierKey as string, publicKey: parseVerifierKey(e.verifierKey as string).publicKey };
    } catch (err) {
      return bad(`nodes[${i}].verifierKey`, `is not a valid verifier key: ${errorMessage(err)}`);
    }
  });
}

function parsePinnedKeys(raw: unknown, bad: (field: string, why: string) => never): Map<string, PinnedKey> {
  const keys = new Map<string, PinnedKey>();
  if (raw === undefined) return keys;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('keys', 'must be an object {NAME: {groupPublicKey, fingerprint}}');
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    const e = (v ?? {}) as Record<string, unknown>;
    if (!isValidKeyName(name)) bad(`keys.${name}`, 'is not a valid key name');
    // 32 bytes: an Ed25519 group key; longer: an RSA key's MPI(n) ‖ MPI(e) (threshold RSA).
    if (typeof e.groupPublicKey !== 'string' || !/^([0-9a-f]{64}|(?:[0-9a-f]{2}){64,1100})$/.test(e.groupPublicKey)) bad(`keys.${name}.groupPublicKey`, 'must be a 32-byte Ed25519 public key or an RSA MPI(n) ‖ MPI(e) in lowercase hex');
    if (typeof e.fingerprint !== 'string' || !/^[0-9a-f]{40}$/.test(e.fingerprint)) bad(`keys.${name}.fingerprint`, 'must be a 20-byte OpenPGP v4 fingerprint in lowercase hex');
    keys.set(name, { groupPublicKey: e.groupPublicKey as string, fingerprint: e.fingerprint as string });
  }
  return keys;
}

/** The pinned key `name`, or UNTRUSTED_KEY saying how to pin it. */
export function pinnedKey(config: ClientConfig, name: string): PinnedKey {
  const pin = config.keys.get(name);
  if (!pin)
    throw new QsignError(
      'UNTRUSTED_KEY',
      `key ${name} is not pinned in ${config.path ?? 'the client config'}: run 'qsign trust --key ${name}' to pin the key ${config.trustThreshold} nodes attest`,
    );
  return pin;
}

/** Adds to `config` the keys pinned in its file since it was read (pins are never dropped here). */
export function reloadPins(config: ClientConfig): void {
  if (!config.path) return;
  const fresh = parseClientConfig(readConfigObject(config.path), config.path).keys;
  for (const [name, pin] of fresh) if (!config.keys.has(name)) config.keys.set(name, pin);
}

/**
 * Pins key `name` in the config file (re-read first, so pins written by
 * other processes are kept; written to a temp file and renamed, mode 0600)
 * and in `config`.
 */
export function writePin(config: ClientConfig, name: string, pin: PinnedKey): void {
  config.keys.set(name, pin);
  if (!config.path) return;
  const o = readConfigObject(config.path);
  const keys = (typeof o.keys === 'object' && o.keys !== null ? o.keys : {}) as Record<string, unknown>;
  keys[name] = { groupPublicKey: pin.groupPublicKey, fingerprint: pin.fingerprint };
  writeConfigObject(config.path, { ...o, keys });
}

/** Writes a client config object atomically (temp file + rename, mode 0600). */
export function writeConfigObject(path: string, o: Record<string, unknown>): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(o, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new QsignError('CONFIG', `cannot write client config ${path}: ${errorMessage(e)}`);
  }
}

/** A pin for a group key and its creation time. */
export function pinOf(groupPublicKey: Uint8Array, fingerprint: Uint8Array): PinnedKey {
  return { groupPublicKey: bytesToHex(groupPublicKey), fingerprint: bytesToHex(fingerprint) };
}

/** The coordinators of a client config: `coordinators` (a list of host:port) or `coordinator` (one). */
function coordinatorList(o: Record<string, unknown>, path: string): string[] {
  const hostPort = (v: unknown) => typeof v === 'string' && /^[^\s]+:\d+$/.test(v);
  if (o.coordinators !== undefined) {
    if (!Array.isArray(o.coordinators) || o.coordinators.length === 0 || !o.coordinators.every(hostPort))
      throw new QsignError('CONFIG', `${path}: field "coordinators" must be a non-empty list of host:port`);
    if (o.coordinator !== undefined) throw new QsignError('CONFIG', `${path}: give either "coordinator" or "coordinators", not both`);
    return [...new Set(o.coordinators as string[])];
  }
  if (typeof o.coordinator !== 'string' || !o.coordinator) throw new QsignError('CONFIG', `${path}: field "coordinator" must be host:port (or "coordinators": a list of them)`);
  return [o.coordinator];
}

const opened = new WeakMap<ClientConfig, TransportSecurity>();

/** The client's transport (TLS files read once per config), without a server identity check. */
export function clientTransport(config: ClientConfig): TransportSecurity {
  let t = opened.get(config);
  if (!t) opened.set(config, (t = openTransport(config.transport)));
  return t;
}

/** The client's transport to its coordinator: the server must present a coordinator certificate. */
export function coordinatorTransport(config: ClientConfig): TransportSecurity {
  return expecting(clientTransport(config), expectRole('coordinator'));
}

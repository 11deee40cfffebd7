/**
 * Sealed nodes (as Vault does): `initNode` makes a node directory with a
 * random master key split into L unseal shares (K needed) with
 * shamir-secret-sharing, or a development master key file; and an X25519
 * enrollment key whose secret part is sealed in the store. At start a node
 * without a master key file is sealed; `unsealStore` reconstructs the master
 * key from K shares and checks it against the store's sealed check value.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import { combine, split } from 'shamir-secret-sharing';
import { QSIGN_HINT, QsignError, errorMessage } from '@qsign/protocol';
import { initialisedEntry, refusedEntry, unsealedEntry } from '@qsign/audit';
import { NodeStore, Sealer, newEnrollmentKey, enrollmentPublicKey } from '@qsign/storage';
import type { ClientEntry, NodeConfig } from './config.js';

/** Metadata slot of the sealed X25519 enrollment secret key. */
export const ENROLLMENT_SLOT = 'enrollment-key';

/** Options of {@link initNode}. */
export interface InitNodeOptions {
  dir: string;
  nodeId: number;
  /** gRPC listen address (default 127.0.0.1:0 is not allowed: a port is needed; default 127.0.0.1:7400+id). */
  listen?: string;
  /** K of L unseal shares; ignored with `devMasterKey`. Default 3 of 5. */
  unseal?: { threshold: number; shares: number };
  /** Development mode: write the master key to DIR/master.key instead of splitting it. */
  devMasterKey?: boolean;
  clients?: ClientEntry[];
  /** Keys allowed to start lifecycle operations (roles.ts). */
  officers?: Array<{ name: string; publicKey: string }>;
  peers?: Array<{ id: number; enrollmentKey: string }>;
  /** The `tls` section: CA, certificate and key files, and the coordinator names served (docs/tls.md). */
  tls?: { ca: string; cert: string; key: string; coordinators: string[] };
}

/** What {@link initNode} made. `unsealShares` is shown once and never stored. */
export interface InitNodeResult {
  configPath: string;
  enrollmentPublicKey: string;
  unsealShares: string[];
}

/** Parses "K/L" (e.g. "3/5") for --unseal and --recovery-kit. */
export function parseKofL(v: string, what: string): { threshold: number; shares: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  const k = m ? Number(m[1]) : NaN;
  const l = m ? Number(m[2]) : NaN;
  if (!m || k < 1 || l < 1 || l > 255) throw new QsignError('INVALID_ARGUMENT', `${what} must be K/L with 1 <= K <= L <= 255, got ${JSON.stringify(v)}`);
  if (k > l) throw new QsignError('INVALID_ARGUMENT', `${what}: K (${k}) is greater than L (${l})`);
  if (k < 2 && l > 1) throw new QsignError('INVALID_ARGUMENT', `${what}: K must be at least 2 when L > 1 (one share alone would unseal)`);
  return { threshold: k, shares: l };
}

/**
 * Creates a node directory: node.json, the LevelDB store with the master-key
 * check value, the sealed enrollment key, DIR/enrollment.pub; and either
 * DIR/master.key (dev) or L unseal shares returned to the caller.
 */
export async function initNode(o: InitNodeOptions): Promise<InitNodeResult> {
  const configPath = join(o.dir, 'node.json');
  if (existsSync(configPath)) throw new QsignError('INVALID_ARGUMENT', `${configPath} already exists; refusing to initialise a node twice`);
  const unseal = o.unseal ?? { threshold: 3, shares: 5 };
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const master = new Uint8Array(randomBytes(32));
  let unsealShares: string[] = [];
  try {
    if (o.devMasterKey) writeFileSync(join(o.dir, 'master.key'), bytesToHex(master) + '\n', { mode: 0o600 });
    else unsealShares = (await split(master, unseal.shares, unseal.threshold)).map((s) => bytesToHex(s));
    const store = await NodeStore.open(join(o.dir, 'data'), new Sealer(master));
    const enrollment = newEnrollmentKey();
    try {
      await store.putSecretMeta(ENROLLMENT_SLOT, enrollment.secretKey);
      await store.audit.append(initialisedEntry({ nodeId: o.nodeId, enrollmentKey: bytesToHex(enrollment.publicKey), unseal: o.devMasterKey ? 'development master key file' : `${unseal.threshold}-of-${unseal.shares}` }));
    } finally {
      enrollment.secretKey.fill(0);
      await store.close();
    }
    const config: Record<string, unknown> = {
      nodeId: o.nodeId,
      listen: o.listen ?? `127.0.0.1:${7400 + o.nodeId}`,
      dataDir: 'data',
      ...(o.devMasterKey ? { development: true, masterKeyFile: 'master.key' } : { unsealThreshold: unseal.threshold }),
      // Without TLS files a development node speaks plaintext on loopback only (docs/tls.md).
      ...(o.tls ? { tls: o.tls } : o.devMasterKey ? { insecurePlaintext: true } : {}),
      clients: o.clients ?? [],
      ...(o.officers?.length ? { officers: o.officers } : {}),
      ...(o.peers?.length ? { peers: o.peers } : {}),
    };
    writeFileSync(configPath, JSON.stringify(config, null, 2) + '\n');
    const pub = bytesToHex(enrollment.publicKey);
    writeFileSync(join(o.dir, 'enrollment.pub'), pub + '\n');
    return { configPath, enrollmentPublicKey: pub, unsealShares };
  } finally {
    master.fill(0);
  }
}

/**
 * Unseals a sealed store with unseal shares (each the hex/bytes printed by
 * `node init`). Too few, malformed or wrong shares leave it sealed with a
 * clear SEALED error; every attempt is recorded in the audit log.
 */
export async function unsealStore(store: NodeStore, config: NodeConfig, shares: Uint8Array[]): Promise<void> {
  if (!store.sealed) throw new QsignError('INVALID_ARGUMENT', `node ${config.nodeId} is already unsealed`);
  const refuse = async (reason: string): Promise<never> => {
    await store.audit.append(refusedEntry({}, 'SEALED', reason, { operation: 'unseal', sharesGiven: shares.length }));
    throw new QsignError('SEALED', `node ${config.nodeId}: ${reason}`);
  };
  const distinct = new Set(shares.map((s) => bytesToHex(s)));
  if (distinct.size < config.unsealThreshold)
    return refuse(`too few unseal shares: ${distinct.size} distinct given, ${config.unsealThreshold} needed; the node stays sealed`);
  if (shares.some((s) => s.length !== 33)) return refuse(`malformed unseal share: each is 33 bytes (66 hex characters) as printed by ${QSIGN_HINT} node init`);
  let master: Uint8Array;
  try {
    master = await combine([...distinct].map((h) => Uint8Array.from(Buffer.from(h, 'hex'))));
  } catch (e) {
    return refuse(`unseal shares do not combine: ${errorMessage(e)}`);
  }
  const sealer = master.length === 32 ? new Sealer(master) : undefined;
  master.fill(0);
  if (!sealer) return refuse('unseal shares do not reconstruct a 32-byte master key');
  try {
    await store.unseal(sealer);
  } catch (e) {
    sealer.wipe();
    return refuse(errorMessage(e));
  }
  await store.audit.append(unsealedEntry({ nodeId: config.nodeId, sharesGiven: distinct.size }));
}

/** The node's enrollment secret key (SEALED while sealed). Caller wipes it. */
export async function enrollmentSecret(store: NodeStore): Promise<Uint8Array> {
  const s = await store.getSecretMeta(ENROLLMENT_SLOT);
  if (!s) throw new QsignError('CONFIG', `this node has no enrollment key: create nodes with ${QSIGN_HINT} node init`);
  return s;
}

/** The node's enrollment public key, hex. */
export async function enrollmentPublicHex(store: NodeStore): Promise<string> {
  const s = await enrollmentSecret(store);
  try {
    return bytesToHex(enrollmentPublicKey(s));
  } finally {
    s.fill(0);
  }
}

/** Creates an enrollment key in a store that has none (dev clusters made before `node init`). */
export async function ensureEnrollmentKey(store: NodeStore): Promise<string> {
  if (!(await store.getSecretMeta(ENROLLMENT_SLOT))) {
    const k = newEnrollmentKey();
    await store.putSecretMeta(ENROLLMENT_SLOT, k.secretKey);
    k.secretKey.fill(0);
  }
  return enrollmentPublicHex(store);
}

/** Opens a sealed node's store offline and unseals it with unseal shares (hex). */
export async function openStoreWithShares(config: NodeConfig, sharesHex: string[]): Promise<NodeStore> {
  const store = await NodeStore.open(config.dataDir);
  try {
    await unsealStore(store, config, sharesHex.map((h) => Uint8Array.from(Buffer.from(h, 'hex'))));
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

/**
 * Roles (DESIGN.md trust model 3; docs/key-lifecycle.md "Roles"): signing
 * clients only ask for signatures; **officers** start lifecycle operations
 * (DKG, reshare, retire); a client with the `keygen` permission (Copr's
 * automatic key creation) may start a DKG that the node's `lifecycle`
 * policy bounds. The `lifecycle` section also says which operations wait for
 * this node's operator (default: reshare and retire) and which nodes may deal
 * a new RSA key this node takes part in (`rsaDealers`, default none: issue
 * 11's "dealer node chosen by policy"). Config parsing and role decisions
 * only; no I/O.
 */
import type { NodePeer } from './peers.js';

/** An officer: an Ed25519 key allowed to start lifecycle operations. */
export interface OfficerEntry {
  name: string;
  /** 32-byte Ed25519 public key, lowercase hex. */
  publicKey: string;
}

/**
 * Permissions a signing client may carry beyond signing: `keygen` (start a DKG bounded by
 * `lifecycle`), `renew` (re-issue a key's self-signature with a later expiry: the
 * coordinator's renewal client, renewal.ts).
 */
export type ClientPermission = 'keygen' | 'renew';
/** Every client permission. */
export const CLIENT_PERMISSIONS: readonly ClientPermission[] = ['keygen', 'renew'];

/** Lifecycle operations an operator can hold for approval. */
export type HoldableOperation = 'reshare' | 'retire';
/** Every holdable lifecycle operation. */
export const HOLDABLE_OPERATIONS: readonly HoldableOperation[] = ['reshare', 'retire'];
/** Held when the config has no `lifecycle.hold`: key material leaving the node, and deleting a share. */
export const DEFAULT_LIFECYCLE_HOLD: readonly HoldableOperation[] = ['reshare', 'retire'];

/** The `lifecycle` section of a node config. */
export interface LifecyclePolicy {
  /** Operations that wait for this node's operator (`qsign approve`). */
  hold: HoldableOperation[];
  /** Smallest DKG threshold this node takes part in; absent: a majority of the enrolled nodes. */
  minThreshold?: number;
  /** How long a lifecycle hold waits for a decision (default one day). */
  holdExpirySeconds: number;
  /**
   * Nodes this node agrees may generate (hold whole) and deal a new RSA key it takes part in:
   * it deals only if its own id is listed, and accepts a share only from a listed dealer.
   * Absent: none, so this node takes part in no RSA keygen (imported RSA keys are unaffected).
   */
  rsaDealers?: number[];
}

type Bad = (field: string, why: string) => never;

const HEX32 = /^[0-9a-f]{64}$/;

/** Parses `officers: [{name, publicKey}]`; an officer key may not also be a signing client's key. */
export function parseOfficers(raw: unknown, clientKeys: ReadonlySet<string>, bad: Bad): OfficerEntry[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) bad('officers', 'must be a list of {name, publicKey}');
  const names = new Set<string>();
  return (raw as unknown[]).map((x, i) => {
    const e = x as Record<string, unknown>;
    if (typeof e?.name !== 'string' || !/^[^\s\x00-\x1f]{1,64}$/.test(e.name)) bad(`officers[${i}].name`, 'must be a printable name without spaces (1-64 characters)');
    if (names.has(e.name as string)) bad(`officers[${i}].name`, `duplicate officer ${e.name}`);
    names.add(e.name as string);
    if (typeof e.publicKey !== 'string' || !HEX32.test(e.publicKey)) bad(`officers[${i}].publicKey`, 'must be a 32-byte Ed25519 public key in lowercase hex');
    if (clientKeys.has(e.publicKey as string)) bad(`officers[${i}].publicKey`, 'is also a signing client key: roles are separate, give the officer its own key');
    return { name: e.name as string, publicKey: e.publicKey as string };
  });
}

/** Parses a client's optional `permissions` list (field path `at`). */
export function parseClientPermissions(raw: unknown, at: string, bad: Bad): ClientPermission[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) bad(at, `must be a list of permissions (${CLIENT_PERMISSIONS.join(', ')})`);
  return (raw as unknown[]).map((p, j) => (CLIENT_PERMISSIONS.includes(p as ClientPermission) ? (p as ClientPermission) : bad(`${at}[${j}]`, `unknown permission ${JSON.stringify(p)} (known: ${CLIENT_PERMISSIONS.join(', ')})`)));
}

const LIFECYCLE_FIELDS = ['hold', 'minThreshold', 'holdExpirySeconds', 'rsaDealers'];

/**
 * Parses the optional `lifecycle` section: `{hold?, minThreshold?, holdExpirySeconds?, rsaDealers?}`;
 * every RSA dealer must be one of `enrolled` (this node or a peer whose enrollment key it pins).
 */
export function parseLifecycle(raw: unknown, bad: Bad, enrolled: readonly number[] = []): LifecyclePolicy {
  const out: LifecyclePolicy = { hold: [...DEFAULT_LIFECYCLE_HOLD], holdExpirySeconds: 86_400 };
  if (raw === undefined) return out;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('lifecycle', `must be a JSON object {${LIFECYCLE_FIELDS.join(', ')}}`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!LIFECYCLE_FIELDS.includes(k)) bad(`lifecycle.${k}`, `unknown field (known: ${LIFECYCLE_FIELDS.join(', ')})`);
  if (o.hold !== undefined) {
    if (!Array.isArray(o.hold)) bad('lifecycle.hold', `must be a list of operations (${HOLDABLE_OPERATIONS.join(', ')}); [] holds none`);
    out.hold = (o.hold as unknown[]).map((h, i) => (HOLDABLE_OPERATIONS.includes(h as HoldableOperation) ? (h as HoldableOperation) : bad(`lifecycle.hold[${i}]`, `unknown operation ${JSON.stringify(h)} (known: ${HOLDABLE_OPERATIONS.join(', ')})`)));
  }
  if (o.minThreshold !== undefined) {
    if (typeof o.minThreshold !== 'number' || !Number.isInteger(o.minThreshold) || o.minThreshold < 2 || o.minThreshold > 0xffff) bad('lifecycle.minThreshold', 'must be an integer of at least 2');
    out.minThreshold = o.minThreshold as number;
  }
  if (o.holdExpirySeconds !== undefined) {
    if (typeof o.holdExpirySeconds !== 'number' || !Number.isInteger(o.holdExpirySeconds) || o.holdExpirySeconds < 1 || o.holdExpirySeconds > 30 * 86_400) bad('lifecycle.holdExpirySeconds', `must be an integer from 1 to ${30 * 86_400}`);
    out.holdExpirySeconds = o.holdExpirySeconds as number;
  }
  if (o.rsaDealers !== undefined) out.rsaDealers = parseRsaDealers(o.rsaDealers, enrolled, bad);
  return out;
}

/** `lifecycle.rsaDealers`: distinct node ids, each this node or a pinned peer; `[]` allows none. */
function parseRsaDealers(raw: unknown, enrolled: readonly number[], bad: Bad): number[] {
  if (!Array.isArray(raw)) bad('lifecycle.rsaDealers', `must be a list of the node ids (this node or pinned peers: ${enrolled.join(', ')}) that may generate and deal a new RSA key; [] allows none`);
  const ids = raw as unknown[];
  ids.forEach((id, i) => {
    if (typeof id !== 'number' || !Number.isInteger(id)) bad(`lifecycle.rsaDealers[${i}]`, `must be a node id (a whole number), not ${JSON.stringify(id)}`);
    if (!enrolled.includes(id as number)) bad(`lifecycle.rsaDealers[${i}]`, `node ${id} is neither this node nor a peer whose enrollment key it pins (${enrolled.join(', ')}): a dealer deals only to pinned peers`);
    if (ids.indexOf(id) !== i) bad(`lifecycle.rsaDealers[${i}]`, `node ${id} is listed twice`);
  });
  return [...(ids as number[])].sort((a, b) => a - b);
}

/**
 * Why this node may not take part in an RSA keygen that `dealer` generates and deals, or
 * undefined: the dealer holds the whole key, so this node's own `lifecycle.rsaDealers` must
 * list it, whoever named it (the coordinator's `keygenDealerNode` is not trusted).
 */
export function rsaDealerProblem(config: Pick<RolesConfig, 'nodeId' | 'lifecycle'>, dealer: number): string | undefined {
  const allowed = config.lifecycle.rsaDealers ?? [];
  if (allowed.includes(dealer)) return undefined;
  const policy = allowed.length ? `lifecycle.rsaDealers lists node ${allowed.join(', ')}` : 'lifecycle.rsaDealers allows none (absent or []), so it takes part in no RSA keygen';
  const fix = `set the coordinator's keygenDealerNode to a node that every node's lifecycle.rsaDealers allows${allowed.length ? ` (this node allows ${allowed.join(', ')})` : ''}`;
  return dealer === config.nodeId
    ? `RSA keygen refused: this node may not be the dealer of a new RSA key (the dealer holds the whole key; this node's ${policy}): ${fix}`
    : `RSA keygen refused: dealer node ${dealer} is not one this node accepts (the dealer holds the whole key; this node's ${policy}): ${fix}`;
}

/** Who signed a lifecycle request, as this node sees it. */
export type LifecycleSigner = { role: 'officer'; name: string } | { role: 'keygen-client'; name: string };

/** What role-checking needs of a node config. */
export interface RolesConfig {
  nodeId: number;
  officers: readonly OfficerEntry[];
  clients: ReadonlyArray<{ name: string; publicKey: string; permissions?: readonly ClientPermission[] }>;
  peers: readonly NodePeer[];
  lifecycle: LifecyclePolicy;
}

/**
 * The signer of a lifecycle request, or why it may not start `operation`:
 * an officer may start any; a client only a DKG, and only with the keygen
 * permission; any other key none.
 */
export function lifecycleSigner(config: RolesConfig, publicKeyHex: string, operation: 'dkg' | 'reshare'): LifecycleSigner | string {
  const officer = config.officers.find((o) => o.publicKey === publicKeyHex);
  if (officer) return { role: 'officer', name: officer.name };
  const client = config.clients.find((c) => c.publicKey === publicKeyHex);
  if (client && operation === 'dkg' && client.permissions?.includes('keygen')) return { role: 'keygen-client', name: client.name };
  if (client)
    return operation === 'dkg'
      ? `client ${client.name} may not start a DKG: only officers and clients with the keygen permission can (clients[].permissions)`
      : `client ${client.name} is a signing client; a ${operation} must be signed by an officer (config "officers")`;
  return `key ${publicKeyHex.slice(0, 16)}… is not an officer of this node (config "officers")${operation === 'dkg' ? ' nor a client with the keygen permission' : ''}`;
}

/** The enrolled nodes: this node and every peer whose enrollment key it pins, sorted. */
export function enrolledNodes(config: Pick<RolesConfig, 'nodeId' | 'peers'>): number[] {
  return [config.nodeId, ...config.peers.filter((p) => p.enrollmentKey !== undefined && p.id !== config.nodeId).map((p) => p.id)].sort((a, b) => a - b);
}

/** The smallest DKG threshold this node accepts: `lifecycle.minThreshold`, else a majority of the enrolled nodes (at least 2). */
export function minDkgThreshold(config: Pick<RolesConfig, 'nodeId' | 'peers' | 'lifecycle'>): number {
  return config.lifecycle.minThreshold ?? Math.max(2, Math.floor(enrolledNodes(config).length / 2) + 1);
}

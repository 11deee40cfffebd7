/**
 * A policy change is an audit record: at start the node hashes its client
 * list, policy section, officers and lifecycle bounds (roles.ts) and, if
 * that differs from the hash it last saw,
 * records 'config-changed' (with the new policy) in the same write as the
 * new hash.
 */
import { configChangedEntry } from '@qsign/audit';
import type { NodeStore } from '@qsign/storage';
import type { NodeConfig } from './config.js';
import { sha256Hex } from './digest.js';

/** Canonical JSON (sorted keys) of a parsed JSON value, for hashing. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v ?? null);
}

/** SHA-256 (hex) of what decides who may sign what and start which lifecycle operation: clients, policy, officers, lifecycle. */
export function policyHash(config: NodeConfig): string {
  return sha256Hex(canonical({ clients: config.clients, policy: config.policySource ?? null, officers: config.officers, lifecycle: config.lifecycle }));
}

/** Records 'config-changed' if the policy or client list differs from the last start. Returns true if it did. */
export async function recordPolicyChange(config: NodeConfig, store: NodeStore, log: (m: string) => void): Promise<boolean> {
  const hash = policyHash(config);
  const previous = await store.getPlainMeta('policy-sha256');
  if (previous === hash) return false;
  await store.putPlainMeta('policy-sha256', hash, configChangedEntry({
    policySha256: hash,
    previousPolicySha256: previous ?? null,
    clients: config.clients.map((c) => c.name),
    policy: config.policySource ?? null,
    officers: config.officers.map((o) => o.name),
    lifecycle: { hold: config.lifecycle.hold, minThreshold: config.lifecycle.minThreshold ?? null, rsaDealers: config.lifecycle.rsaDealers ?? [] },
  }));
  log(`policy ${previous ? 'changed' : 'recorded'} (sha256 ${hash.slice(0, 16)}…): audit record 'config-changed'`);
  return true;
}

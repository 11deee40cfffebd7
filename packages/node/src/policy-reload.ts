/**
 * Reloading a running node's policy (`qsign node reload`, or SIGHUP): the
 * config file is read and validated again; a changed `policy` section takes
 * effect at once and is audited ('config-changed', policy-audit.ts) before
 * the next request sees it. Other fields (clients, peers, listen, …) are
 * read only at start: a reload names them and changes nothing else. A bad
 * file is refused (audited) and the policy in force stays.
 */
import { QSIGN_HINT, QsignError, errorMessage } from '@qsign/protocol';
import { refusedEntry } from '@qsign/audit';
import type { NodeStore } from '@qsign/storage';
import { loadNodeConfig, type NodeConfig } from './config.js';
import { policyHash, recordPolicyChange } from './policy-audit.js';

/** Fields a reload applies. */
const RELOADED = new Set<keyof NodeConfig>(['policy', 'policySource']);

/** What a reload did. */
export interface ReloadResult {
  changed: boolean;
  policySha256: string;
  /** Fields that differ from the running config but apply only at the next start. */
  needsRestart: string[];
}

/**
 * Re-reads `configPath` into the running `config` (policy only; the object is
 * shared with the policy gate, so the change is seen by the next request).
 * Refuses (and audits the refusal) if the file is invalid or its client list
 * changed, since the policy names clients.
 */
export async function reloadPolicy(configPath: string, config: NodeConfig, store: NodeStore, log: (m: string) => void): Promise<ReloadResult> {
  let fresh: NodeConfig;
  try {
    fresh = loadNodeConfig(configPath);
  } catch (e) {
    return refuse(store, log, `the config file is invalid, the policy in force stays: ${errorMessage(e)}`);
  }
  const needsRestart = (Object.keys(fresh) as Array<keyof NodeConfig>).filter((k) => !RELOADED.has(k) && JSON.stringify(fresh[k]) !== JSON.stringify(config[k]));
  if (needsRestart.includes('clients')) return refuse(store, log, `the client list changed, which only a restart applies (the policy names clients): restart the node, e.g. '${QSIGN_HINT} cluster restart ${config.nodeId} --dir DIR'`);
  config.policy = fresh.policy;
  config.policySource = fresh.policySource;
  const changed = await recordPolicyChange(config, store, log);
  if (!changed) log('policy reload: no change');
  if (needsRestart.length) log(`policy reload: ${needsRestart.join(', ')} changed too; they take effect at the next start`);
  return { changed, policySha256: policyHash(config), needsRestart };
}

async function refuse(store: NodeStore, log: (m: string) => void, reason: string): Promise<never> {
  log(`policy reload refused: ${reason}`);
  await store.audit.append(refusedEntry({}, 'CONFIG', reason, { operation: 'reload-policy' }));
  throw new QsignError('CONFIG', `policy reload refused: ${reason}`);
}

/**
 * Importing shares into a node that is not running (a development cluster
 * being set up, `qsign node import` without a daemon): the node's own
 * import path over its own store, opened with its development master key or
 * with unseal shares, closed again before returning. Tools call this
 * instead of opening a node's store themselves.
 */
import type { ShareFile } from '@qsign/protocol';
import { QsignError } from '@qsign/protocol';
import type { NodeStore } from '@qsign/storage';
import type { NodeConfig } from './config.js';
import { openNodeStore } from './daemon.js';
import { openStoreWithShares } from './seal.js';
import { importShareTexts, storeShareFiles } from './import.js';
import { nodeVerifierKey } from './audit-wiring.js';

/** What to import: share file texts (as `qsign node import` reads them) or share files built in process. */
export type OfflineShares = { texts: string[] } | { files: ShareFile[] };

async function withStore<T>(config: NodeConfig, unsealShares: string[] | undefined, f: (store: NodeStore) => Promise<T>): Promise<T> {
  if (!unsealShares && !config.masterKeyFile) throw new QsignError('SEALED', `node ${config.nodeId} is not running and has no development master key: start it, unseal it, then import again`);
  const store = unsealShares ? await openStoreWithShares(config, unsealShares) : await openNodeStore(config);
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}

/**
 * Imports `shares` into the stopped node `config` (each checked as the
 * running node checks it; nothing stored if one is bad) and returns the keys
 * imported and the node's audit verifier key. `unsealShares` (hex) open a
 * sealed store; without them the config's development master key must exist.
 */
export async function importOffline(config: NodeConfig, shares: OfflineShares, unsealShares?: string[]): Promise<{ keys: string[]; verifierKey: string }> {
  return withStore(config, unsealShares, async (store) => {
    const keys = 'texts' in shares ? await importShareTexts(shares.texts, config, store) : await storeShareFiles(shares.files, config, store);
    return { keys, verifierKey: await nodeVerifierKey(config, store) };
  });
}

/** The stopped node's audit verifier key (development master key). */
export async function offlineVerifierKey(config: NodeConfig): Promise<string> {
  return withStore(config, undefined, (store) => nodeVerifierKey(config, store));
}

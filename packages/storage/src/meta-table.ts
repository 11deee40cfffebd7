/**
 * Node metadata: m!<name> sealed values (m!master-check proves the master
 * key) and p!<name> plain, non-secret values such as the policy hash.
 */
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { QsignError } from '@qsign/protocol';
import type { Sealer } from './sealer.js';
import type { BatchOp, StoreDb } from './store-db.js';

type Bytes = Uint8Array;

const META = 'm!';
const PLAIN = 'p!';
const MASTER_CHECK_PLAIN = utf8ToBytes('qsign master key check v1');

/** The key of sealed metadata `name` (also used for unsealed counters such as m!key-count). */
export const metaSlot = (name: string) => META + name;
const MASTER_CHECK = metaSlot('master-check');

/** Sealed and plain metadata of a node. */
export class MetaTable {
  constructor(private readonly db: StoreDb) {}

  /** True once a master key check value exists (the store was initialised). */
  async initialised(): Promise<boolean> {
    return (await this.db.get(MASTER_CHECK)) !== undefined;
  }

  /**
   * Checks a master key against the sealed check value written at
   * initialisation (writing one on a store that has none yet). Throws
   * SEALED with a clear message for a wrong key.
   */
  async checkMaster(sealer: Sealer): Promise<void> {
    const check = await this.db.get(MASTER_CHECK);
    if (check === undefined) {
      await this.db.write([{ type: 'put', key: MASTER_CHECK, value: sealer.seal(MASTER_CHECK, MASTER_CHECK_PLAIN) }]);
      return;
    }
    let plain: Uint8Array | undefined;
    try {
      plain = sealer.open(MASTER_CHECK, check);
    } catch {
      plain = undefined;
    }
    if (!plain || bytesToHex(plain) !== bytesToHex(MASTER_CHECK_PLAIN))
      throw new QsignError('SEALED', 'the unseal shares do not reconstruct this node\'s master key (wrong shares, or too few of them); the node stays sealed');
  }

  /** Reads a sealed metadata value. */
  async getSecret(name: string): Promise<Bytes | undefined> {
    const slot = metaSlot(name);
    const v = await this.db.get(slot);
    return v === undefined ? undefined : this.db.sealer.open(slot, v);
  }

  /** Writes a sealed metadata value. */
  async putSecret(name: string, value: Bytes): Promise<void> {
    const slot = metaSlot(name);
    await this.db.write([{ type: 'put', key: slot, value: this.db.sealer.seal(slot, value) }]);
  }

  /** Deletes a sealed metadata value. */
  async deleteSecret(name: string): Promise<void> {
    await this.db.write([{ type: 'del', key: metaSlot(name) }]);
  }

  /** Reads a non-secret metadata value. */
  async getPlain(name: string): Promise<string | undefined> {
    const v = await this.db.get(PLAIN + name);
    return v === undefined ? undefined : new TextDecoder().decode(v);
  }

  /** The batch operation writing non-secret metadata (to go with its audit record). */
  putPlainOp(name: string, value: string): BatchOp {
    return { type: 'put', key: PLAIN + name, value: utf8ToBytes(value) };
  }
}

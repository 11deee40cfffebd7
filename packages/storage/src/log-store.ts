/**
 * A LevelDB store holding only an audit log and sealed metadata (the log's
 * identity key): what the coordinator keeps of the signatures it issued.
 */
import { Level } from 'level';
import { QsignError, errorMessage } from '@qsign/protocol';
import type { Sealer } from './sealer.js';
import { AuditLog } from './audit-log.js';
import type { SecretMeta } from './audit-notary.js';

const META = 'm!';
type Bytes = Uint8Array;

/** An audit log in its own database. */
export class LogStore implements SecretMeta {
  private constructor(
    private readonly db: Level<string, Bytes>,
    private readonly sealer: Sealer,
    readonly audit: AuditLog,
  ) {}

  /** Opens (creating if needed) the store in `dir`. */
  static async open(dir: string, sealer: Sealer): Promise<LogStore> {
    const db = new Level<string, Bytes>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    try {
      await db.open();
    } catch (e) {
      throw new QsignError('STORAGE', `cannot open audit database at ${dir}: ${errorMessage((e as { cause?: unknown }).cause ?? e)}`);
    }
    return new LogStore(db, sealer, await AuditLog.load(db));
  }

  /** Reads a sealed metadata value. */
  async getSecretMeta(name: string): Promise<Bytes | undefined> {
    const v = await this.db.get(META + name);
    return v === undefined ? undefined : this.sealer.open(META + name, v);
  }

  /** Writes a sealed metadata value. */
  async putSecretMeta(name: string, value: Bytes): Promise<void> {
    await this.db.batch([{ type: 'put', key: META + name, value: this.sealer.seal(META + name, value) }], { sync: true });
  }

  /** Closes the database. */
  async close(): Promise<void> {
    await this.db.close();
  }
}

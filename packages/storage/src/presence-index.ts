/**
 * An in-memory superset of the ids one table may hold a row for, so a read
 * of an id the table never wrote answers without touching LevelDB (the
 * signing hot path asks the replay and hold tables about every new request
 * id, and almost every answer is "none").
 *
 * Superset, never subset: an id is marked when its put is built (before the
 * batch is durable), loaded from the table's keys at open, and unmarked only
 * after its delete was written and if it was not marked again since the
 * deleting scan began (LevelDB iterators read a snapshot, so a row the scan
 * saw may have been written anew meanwhile). A
 * marked id just means "read the database", so a failed or pending write is
 * harmless; only an unmarked id with a row could be wrong, and none exists.
 */
import type { StoreDb } from './store-db.js';
import { rangeOf } from './store-db.js';

/** Ids that may have a row under one prefix, each with the sequence number of its last mark. */
export class PresenceIndex {
  /** id → the sequence number of its newest mark. */
  readonly #marks = new Map<string, number>();
  #seq = 0;

  constructor(private readonly prefix: string) {}

  /** Marks every id that has a row now (one keys-only range scan). */
  async load(db: StoreDb): Promise<void> {
    for await (const k of db.level.keys(rangeOf(this.prefix))) this.mark(k.slice(this.prefix.length));
  }

  /** `id` may get a row (call before its put is written). */
  mark(id: string): void {
    this.#marks.set(id, ++this.#seq);
  }

  /** False only if `id` certainly has no row. */
  mayHave(id: string): boolean {
    return this.#marks.has(id);
  }

  /** A point in the mark sequence: read it before scanning for rows to delete, pass it to {@link unmark}. */
  get seq(): number {
    return this.#seq;
  }

  /** `id`'s row was deleted (durably): forget it, unless it was marked after `since` (a {@link seq} read before the scan). */
  unmark(id: string, since: number): void {
    if ((this.#marks.get(id) ?? Infinity) <= since) this.#marks.delete(id);
  }

  /** How many ids are marked. */
  get size(): number {
    return this.#marks.size;
  }
}

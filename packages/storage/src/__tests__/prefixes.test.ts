/**
 * Every kind of value a node stores has its own LevelDB key prefix: two
 * modules sharing one would read each other's bytes.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

describe('LevelDB key prefixes', () => {
  it('are unique across the storage package', () => {
    const dir = join(import.meta.dirname, '..');
    const seen = new Map<string, string>();
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/^const ([A-Z_]+) = '([a-zA-Z])!/gm)) {
        const where = `${f}:${m[1]}`;
        const other = seen.get(m[2]!);
        // log-store.ts deliberately shares the node store's metadata prefix layout.
        if (other && !(m[1] === 'META' && other.endsWith(':META'))) expect.fail(`prefix ${m[2]}! used by ${other} and ${where}`);
        seen.set(m[2]!, where);
      }
    }
    expect(seen.size).toBeGreaterThan(5);
  });
});

/**
 * The example configs in deploy/ pass the daemons' own validation, and bad
 * ones are refused naming the field.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { validateNodeConfig } from '@qsign/node';
import { loadCoordinatorConfig } from '@qsign/coordinator';
import { isQsignError } from '@qsign/protocol';

describe('deploy examples', () => {
  it('node.json validates; a broken copy names the field', () => {
    const raw = JSON.parse(readFileSync('deploy/examples/node.json', 'utf8'));
    const cfg = validateNodeConfig(raw, 'deploy/examples/node.json');
    expect(cfg.nodeId).toBe(1);
    expect(cfg.clients[0]!.name).toBe('copr-backend');
    let err: unknown;
    try {
      validateNodeConfig({ ...raw, clients: [{ name: 'x', publicKey: 'zz' }] }, 'bad.json');
    } catch (e) {
      err = e;
    }
    expect(isQsignError(err, 'CONFIG')).toBe(true);
    expect((err as Error).message).toMatch(/bad\.json: field "clients\[0\]\.publicKey"/);
  });
  it('coordinator.json validates', () => {
    const cfg = loadCoordinatorConfig('deploy/examples/coordinator.json');
    expect(cfg.nodes).toHaveLength(5);
  });
});

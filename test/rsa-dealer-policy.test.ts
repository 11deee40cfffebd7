/**
 * Issue 11, "a dealer node chosen by policy": the coordinator names the node that generates
 * a new RSA key whole (its `keygenDealerNode`), but the coordinator is not trusted, so each
 * node's own `lifecycle.rsaDealers` decides which nodes may hold a whole new RSA key it takes
 * part in. On a real 3-node cluster (the dev cluster allows node 1): a coordinator naming
 * another node is refused by that node before anything is generated, and by every receiver
 * too — even when the named node's own (mis)configuration would let it deal — with a one-line
 * error naming the node and keygenDealerNode, an audit record on every node and no key
 * anywhere; a hand-built DKG request naming a forbidden dealer is refused the same way; and
 * `qsign node status` shows what the node accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { signKeygenRequest } from '@qsign/protocol';
import { NodeKeysRpcClient, openTransport } from '@qsign/rpc';
import { loadCoordinatorConfig } from '@qsign/coordinator';
import { TestCluster } from './helpers/cluster.js';
import { qsign } from './helpers/qsign-cli.js';

describe('a node\'s own policy decides whether it may be an RSA keygen dealer', () => {
  let c: TestCluster;

  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 3, threshold: 2 });
  }, 600_000);

  afterAll(async () => {
    if (process.env.QSIGN_KEEP) console.log(c.log(0), c.log(2));
    await c?.stop();
  });

  const setDealer = async (dealer: number) => {
    const ccfg = c.file.coordinator.config;
    writeFileSync(ccfg, JSON.stringify({ ...JSON.parse(readFileSync(ccfg, 'utf8')), keygenDealerNode: dealer }, null, 2));
    await c.restartCoordinator();
  };
  const records = async (id: number, keyName: string) => (await c.audit(id)).filter((r) => r.keyName === keyName);
  const keygen = (email: string) => qsign(['keygen', '--type', 'rsa2048', '--name', 'Forbidden Dealer', '--email', email, '-c', c.file.clientConfig]);

  /** No node holds `keyName`, none generated or dealt it, and the coordinator knows no such key. */
  const noKeyAnywhere = async (keyName: string) => {
    for (const id of [1, 2, 3]) {
      const events = (await records(id, keyName)).map((r) => r.event);
      expect(events, `node ${id}`).not.toContain('rsa-key-dealt');
      expect(events, `node ${id}`).not.toContain('key-generated');
    }
    await expect(c.client.key(keyName)).rejects.toMatchObject({ code: 'UNKNOWN_KEY' });
  };

  it('refuses to deal when the coordinator names a node whose policy does not let it deal: refused before generating, audited on every node, the error names the node and keygenDealerNode', async () => {
    await setDealer(2);
    const email = 'forbidden-dealer@example.org';
    const r = await keygen(email);
    expect(r.code).not.toBe(0);
    // One progress line ("generating rsa2048 … on the dealer node"), then the one-line error.
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('qsign: ')), r.stderr).toEqual([lines.at(-1)]);
    expect(r.stderr).toMatch(/node 2: RSA keygen refused: this node may not be the dealer/);
    expect(r.stderr).toContain('lifecycle.rsaDealers');
    expect(r.stderr).toContain('keygenDealerNode');
    // The dealer itself and every receiver refuse in round 1, before anything is generated.
    for (const id of [1, 2, 3]) {
      const refused = (await records(id, email)).filter((x) => x.event === 'refused');
      expect(refused.map((x) => x.code), `node ${id}`).toEqual(['POLICY_REFUSED']);
      expect(String(refused[0]!.reason), `node ${id}`).toContain(id === 2 ? 'this node may not be the dealer' : 'dealer node 2 is not one this node accepts');
    }
    await noKeyAnywhere(email);
  }, 600_000);

  it('a receiver refuses a dealer its own policy does not accept, even when that dealer\'s own configuration lets it deal', async () => {
    // Node 3's operator (by mistake, or an attacker on that one box) lets node 3 deal; nodes 1 and 2 still do not.
    const cfg = c.file.nodes.find((n) => n.id === 3)!.config;
    const raw = JSON.parse(readFileSync(cfg, 'utf8')) as { lifecycle: Record<string, unknown> };
    writeFileSync(cfg, JSON.stringify({ ...raw, lifecycle: { ...raw.lifecycle, rsaDealers: [1, 3] } }, null, 2));
    await c.kill(3);
    await c.restart(3);
    await setDealer(3);
    const email = 'one-box-dealer@example.org';
    const r = await keygen(email);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/node 1: RSA keygen refused: dealer node 3 is not one this node accepts/);
    expect(r.stderr).toMatch(/node 2: RSA keygen refused: dealer node 3 is not one this node accepts/);
    expect(r.stderr).not.toMatch(/node 3: /);
    for (const id of [1, 2]) expect((await records(id, email)).filter((x) => x.event === 'refused').map((x) => x.code), `node ${id}`).toEqual(['POLICY_REFUSED']);
    await noKeyAnywhere(email);
  }, 600_000);

  it('a hand-built DKG request signed by an officer, naming a dealer the node does not accept, is refused with POLICY_REFUSED and audited', async () => {
    const officer = JSON.parse(readFileSync(join(dirname(c.file.clientConfig), 'officer.json'), 'utf8')) as { secretKey: string };
    const keyName = 'hand-built@example.org';
    const auth = signKeygenRequest({ keyName, userId: `H <${keyName}>`, keyType: 'rsa2048' }, Buffer.from(officer.secretKey, 'hex'));
    const req = JSON.parse(Buffer.from(auth.plan).toString()) as { requestId: string };
    const transport = openTransport(loadCoordinatorConfig(c.file.coordinator.config).transport);
    const keys = new NodeKeysRpcClient(c.file.nodes[1]!.address, 'node 2', transport);
    try {
      const params = { sessionId: `dkg-${req.requestId}`, keyName, userId: `H <${keyName}>`, minSigners: 2, participants: [1, 2, 3], createdUnixSeconds: Math.floor(Date.now() / 1000), keyType: 'rsa2048', dealer: 2 };
      await expect(keys.dkgRound1(params, auth)).rejects.toMatchObject({ code: 'POLICY_REFUSED', message: expect.stringContaining('this node may not be the dealer of a new RSA key') });
      await expect(keys.dkgRound1({ ...params, dealer: 3 }, auth)).rejects.toMatchObject({ code: 'POLICY_REFUSED', message: expect.stringContaining('dealer node 3 is not one this node accepts') });
    } finally {
      keys.close();
    }
    expect((await records(2, keyName)).map((x) => [x.event, x.code])).toEqual([['refused', 'POLICY_REFUSED'], ['refused', 'POLICY_REFUSED']]);
  }, 120_000);

  it('qsign node status shows which nodes may deal a new RSA key this node takes part in', async () => {
    const s1 = await qsign(['node', 'status', '--config', c.file.nodes.find((n) => n.id === 1)!.config]);
    expect(s1.stderr).toBe('');
    expect(s1.stdout).toContain('RSA keygen dealers accepted: node 1 (this node may deal;');
    const s2 = await qsign(['node', 'status', '--config', c.file.nodes.find((n) => n.id === 2)!.config]);
    expect(s2.stdout).toContain('RSA keygen dealers accepted: node 1 (this node may not deal;');
  }, 120_000);
});

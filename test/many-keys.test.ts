/**
 * Issue #4 acceptance 6 (mechanism; scripts/bench-keys.mjs runs the full
 * 10,000 keys and prints latencies): keys created by ceremony split are
 * imported as encrypted bundles through the batch import path into a
 * 5-node cluster; the first and the last key sign; a restarted node reports
 * its key count from the maintained counter and signs at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { loadClientConfig, pinOf, writePin } from '@qsign/client';
import { splitKey, wipeShares } from '@qsign/ceremony';
import { ed25519Fingerprint } from '@qsign/openpgp';
import { loadNodeConfig } from '@qsign/node';
import { encryptShareFiles, parseEnrollmentPublicKey } from '@qsign/storage';
import { NodeSealRpcClient } from '@qsign/rpc';
import type { ShareFile } from '@qsign/protocol';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { registerSignatures } from './helpers/r-registry.js';

const KEYS = 600;

describe('many keys', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 5, threshold: 3 });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it(`imports ${KEYS} keys as encrypted bundles; first and last sign; a restarted node counts them without a scan`, async () => {
    const perNode = new Map<number, ShareFile[]>();
    const pubs = new Map<string, Uint8Array>();
    const created = new Map<string, number>();
    for (let i = 0; i < KEYS; i++) {
      const { files, publicKeyPackage } = splitKey({ keyName: `p${i}@copr.example.org`, threshold: 3, shares: 5, userId: `p${i}` });
      pubs.set(`p${i}@copr.example.org`, publicKeyPackage.groupPublicKey);
      created.set(`p${i}@copr.example.org`, files[0]!.createdUnixSeconds);
      for (const f of files) perNode.set(f.identifier, [...(perNode.get(f.identifier) ?? []), f]);
    }
    await Promise.all(
      c.file.nodes.map(async (n) => {
        const cfg = loadNodeConfig(n.config);
        const text = encryptShareFiles(perNode.get(n.id)!, parseEnrollmentPublicKey(readFileSync(join(dirname(n.config), 'enrollment.pub'), 'utf8')));
        const seal = new NodeSealRpcClient(cfg.adminSocket);
        try {
          expect((await seal.importShares([text])).keys).toHaveLength(KEYS);
        } finally {
          seal.close();
        }
      }),
    );
    for (const files of perNode.values()) wipeShares(files);
    // The split is where these keys come from: pin them from it (docs/pinning.md).
    const config = loadClientConfig(c.file.clientConfig);
    for (const name of [`p0@copr.example.org`, `p${KEYS - 1}@copr.example.org`]) writePin(config, name, pinOf(pubs.get(name)!, ed25519Fingerprint(pubs.get(name)!, created.get(name)!)));
    for (const name of [`p0@copr.example.org`, `p${KEYS - 1}@copr.example.org`]) {
      const msg = new Uint8Array(randomBytes(40));
      const s = await c.client.sign({ keyName: name, kind: 'raw', data: msg });
      expect(ed25519.verify(s.signature, msg, pubs.get(name)!)).toBe(true);
      registerSignatures([s.signature]);
    }
    const n3 = c.node(3);
    expect((await n3.status()).keys).toBe(KEYS + 1); // + the cluster's demo key
    n3.close();
    await c.kill(3);
    await c.restart(3);
    const again = c.node(3);
    let keys = -1;
    await waitFor(async () => {
      keys = (await again.status(1000).catch(() => undefined))?.keys ?? -1;
      return keys >= 0;
    }, 15_000, 'node 3 to answer after restart');
    expect(keys).toBe(KEYS + 1);
    again.close();
    const audit = await c.audit(3);
    expect(audit.filter((a) => a.event === 'key-imported').length).toBe(KEYS + 1);
  });
});

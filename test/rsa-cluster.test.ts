/**
 * Issue 11 through a real 3-of-5 cluster: a key made by `gpg --quick-gen-key … rsa2048` is
 * imported (cluster up --import-gpg); the cluster's raw signatures are ordinary PKCS#1 v1.5
 * SHA-256 signatures that OpenSSL verifies under the certificate gpg exported before the
 * import; a node returning a corrupted share is named and excluded and the request still
 * succeeds (acceptance 3, imported key: blame by combination).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRsaCertificate, toHex } from '@qsign/openpgp';
import { toBytes } from '@qsign/threshold-rsa';
import { TestCluster } from './helpers/cluster.js';
import { requireTools } from './helpers/tools.js';
import { tempDir } from '../packages/rpm/src/__tests__/fixtures.js';

const EMAIL = 'rsa-import@copr.invalid';

describe('threshold RSA cluster with an imported gpg key', () => {
  let c: TestCluster;
  let dir: string;
  let cert: ReturnType<typeof parseRsaCertificate>;

  beforeAll(async () => {
    requireTools('gpg', 'gpgconf');
    dir = tempDir('rsa-cluster');
    const gnupg = join(dir, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    const gpg = (...args: string[]) => {
      const r = spawnSync('gpg', ['--batch', '--no-tty', '--homedir', gnupg, '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { timeout: 120_000 });
      if (r.status !== 0) throw new Error(`gpg ${args.join(' ')}: ${r.stderr}`);
      return new Uint8Array(r.stdout);
    };
    gpg('--quick-gen-key', `RSA import <${EMAIL}>`, 'rsa2048', 'sign', '5y');
    // The certificate as gpg exports it before the import: the reference the signatures must verify under.
    cert = parseRsaCertificate(gpg('--export', EMAIL));
    const secret = join(dir, 'secret.gpg');
    spawnSync('sh', ['-c', `gpg --batch --homedir ${gnupg} --pinentry-mode loopback --passphrase '' --export-secret-keys ${EMAIL} > ${secret}`]);
    c = await TestCluster.start({ nodes: 5, threshold: 3, keyName: EMAIL, importGpg: secret });
  }, 600_000);

  afterAll(async () => {
    await c?.stop();
  });

  const publicKey = () => {
    const k = Math.ceil(cert.n.toString(16).length / 2);
    return createPublicKey({ key: { kty: 'RSA', n: Buffer.from(toBytes(cert.n, k)).toString('base64url'), e: Buffer.from(toBytes(cert.e, 3)).toString('base64url') }, format: 'jwk' });
  };

  it('keeps the imported key\'s fingerprint: the nodes report the fingerprint gpg gave it', async () => {
    const info = await c.client.key(EMAIL);
    expect(toHex(info.fingerprint)).toBe(toHex(cert.fingerprint));
    expect(info.scheme).toBe('rsa-shoup');
  });

  it('makes raw PKCS#1 v1.5 SHA-256 signatures that OpenSSL verifies under the certificate exported before the import', async () => {
    for (let i = 0; i < 3; i++) {
      const data = new Uint8Array(randomBytes(100));
      const res = await c.client.sign({ keyName: EMAIL, kind: 'raw', data });
      expect(res.signers).toHaveLength(3);
      expect(verify('sha256', data, publicKey(), Buffer.from(res.signature))).toBe(true);
      data[0]! ^= 1;
      expect(verify('sha256', data, publicKey(), Buffer.from(res.signature))).toBe(false);
    }
  });

  it('names and excludes a node that returns a corrupted share of the imported key, and still signs', async () => {
    const n2 = c.node(2);
    await n2.setFault('corrupt-share');
    try {
      let named = false;
      for (let i = 0; i < 20 && !named; i++) {
        const data = new Uint8Array(randomBytes(100));
        const res = await c.client.sign({ keyName: EMAIL, kind: 'raw', data });
        expect(verify('sha256', data, publicKey(), Buffer.from(res.signature))).toBe(true);
        expect(res.signers).not.toContain(2);
        const ex = res.excluded.find((x) => x.nodeId === 2);
        if (ex) {
          expect(ex.reason).toMatch(/invalid signature share/);
          named = true;
        }
      }
      expect(named).toBe(true);
    } finally {
      await n2.setFault('');
      n2.close();
    }
  }, 600_000);
});

/**
 * Helpers of the renewal cluster tests (renewal-cluster.test.ts for Ed25519 keys,
 * renewal-rsa-cluster.test.ts for RSA keys): wait for the certificate the cluster renewed by
 * itself, verify with gpg and sq at a moved time, and check the renewal in every node's audit log.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { primaryExpiry } from '@qsign/openpgp';
import { QsignClient, loadClientConfig } from '@qsign/client';
import { type TestCluster, waitFor } from './cluster.js';
import { qsign } from './qsign-cli.js';
import { runTool } from './tools.js';

const run = (cmd: string, args: string[]) => runTool(cmd, args, 300_000);

/**
 * Waits until the cluster serves a certificate of `keyName` expiring after `after`; returns it.
 * A look-up that fails (too few nodes answered in time on a loaded host) is "not yet"; the
 * last failure is named if the wait times out.
 */
export async function waitForRenewal(c: TestCluster, keyName: string, after: number, timeoutMs: number): Promise<Uint8Array> {
  let cert: Uint8Array | undefined;
  let last = '';
  await waitFor(async () => {
    const fresh = new QsignClient(loadClientConfig(c.file.clientConfig)); // a client keeps the certificate it read first
    try {
      cert = await fresh.certificate(keyName);
    } catch (e) {
      last = String(e);
      return false;
    } finally {
      fresh.close();
    }
    return cert !== undefined && (primaryExpiry(cert).expiresUnixSeconds ?? 0) > after;
  }, timeoutMs, 'the renewed certificate').catch((e) => {
    throw new Error(`${(e as Error).message}${last && ` (last look-up: ${last})`}`);
  });
  return cert!;
}

/** gpg (--faked-system-time) and sq (under libfaketime: sq 0.27 has no --time) run at `at()`, gpg in a fresh home under `dir()`. */
export function verifiersAt(dir: () => string, at: () => number) {
  const gpgRun = (cert: string, ...a: string[]) => {
    const home = mkdtempSync(join(dir(), 'gnupg-'));
    const gpg = (...args: string[]) => run('gpg', ['--batch', '--homedir', home, '--trust-model', 'always', '--faked-system-time', `${at()}!`, ...args]);
    expect(gpg('--import', cert).status).toBe(0);
    const r = gpg(...a);
    run('gpgconf', ['--homedir', home, '--kill', 'all']);
    return r;
  };
  return {
    gpgRun,
    gpgVerify: (cert: string, sig: string, data: string) => gpgRun(cert, '--status-fd', '1', '--verify', sig, data),
    sqVerify: (cert: string, sig: string, data: string) => run('faketime', [`@${at()}`, 'sq', 'verify', '--signer-cert', cert, '--detached', sig, data]),
  };
}

/**
 * Checks with `qsign audit verify/export` that every node recorded `key-renewed` for `keyName`
 * from `oldExpires` to `newExpires`, and that at least two nodes signed the certification for
 * the coordinator's renewal client.
 */
export async function expectRenewalAudited(c: TestCluster, keyName: string, oldExpires: number, newExpires: number | undefined): Promise<void> {
  const v = await qsign(['audit', 'verify', '--cluster', c.dir]);
  expect(v.code, v.stdout + v.stderr).toBe(0);
  const exp = await qsign(['audit', 'export', '--cluster', c.dir]);
  expect(exp.code, exp.stderr).toBe(0);
  const lines = exp.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const renewed = lines.filter((l) => l.record?.event === 'key-renewed' && l.record.keyName === keyName);
  expect([...new Set(renewed.map((l) => l.log))].sort()).toEqual(c.file.nodes.map((n) => `node-${n.id}`).sort());
  for (const l of renewed) expect(l.record.details).toMatchObject({ oldExpiresUnixSeconds: oldExpires, newExpiresUnixSeconds: newExpires });
  // The signing nodes' records name the renewal client and the new expiry.
  const signed = lines.filter((l) => l.record?.event === 'signed' && l.record.payloadKind === 'certification' && l.record.details?.openpgp?.keyExpiresUnixSeconds === newExpires);
  expect(signed.length).toBeGreaterThanOrEqual(2);
  expect(new Set(signed.map((l) => l.record.clientId))).toEqual(new Set(['coordinator-renewal']));
}

/**
 * Issue 11, acceptance 5, against real daemons: non-PKCS#1 inputs (digests of the wrong
 * length for their hash, unknown hashes), malformed RSA certificates (truncated MPIs, wrong
 * algorithm, wrong-size moduli) and unsupported key types sent over real gRPC to the nodes
 * and the coordinator get clear one-line refusals with typed codes, recorded in the nodes'
 * audit logs — and the daemons keep serving: a good request signs afterwards. Also
 * `ceremony split --import-gpg` of malformed or unsupported key files says what is wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeMpi, encodePacket, PacketTag, RSA_ALGORITHM } from '@qsign/openpgp';
import { isQsignError, newRequestId, parseRsaGroupPublicKey, signRequestBody, type ErrorCode, type SignRequest } from '@qsign/protocol';
import { encodeSignRequest, CoordinatorKeysRpcClient } from '@qsign/rpc';
import { toBytes } from '@qsign/threshold-rsa';
import { loadClientConfig, coordinatorTransport } from '@qsign/client';
import { devCoordinatorId } from '@qsign/devcluster';
import { TestCluster } from './helpers/cluster.js';
import { qsign } from './helpers/qsign-cli.js';
import { requireTools } from './helpers/tools.js';
import { tempDir } from '../packages/rpm/src/__tests__/fixtures.js';

const KEY = 'rsa-bad@example.org';

describe('threshold RSA daemons refuse malformed input and keep serving', () => {
  let c: TestCluster;
  let clientSecret: Uint8Array;

  beforeAll(async () => {
    // Opaque digests are allowed for this key, so the digest checks themselves are reached.
    c = await TestCluster.start({ nodes: 5, threshold: 3, keyType: 'rsa2048', keyName: KEY, nodeConfig: (_id, base) => ({ ...base, digestOnlyKeys: [KEY] }), noCertificate: false });
    clientSecret = loadClientConfig(c.file.clientConfig).secretKey;
  }, 900_000);

  afterAll(async () => {
    await c?.stop();
  });

  const request = (o: Partial<SignRequest>) =>
    signRequestBody(
      encodeSignRequest({ requestId: newRequestId(), keyName: KEY, createdAtMs: Date.now(), kind: 'raw', data: new Uint8Array(randomBytes(50)), clientName: 'dev-client', expectedGroupKey: c.groupKey(KEY), ...o }),
      clientSecret,
    );
  const openpgp = (hashAlgorithm: string) => ({ signatureType: 0, hashAlgorithm, createdUnixSeconds: Math.floor(Date.now() / 1000) }) as SignRequest['openpgp'];

  async function refusal(p: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err, 'expected a refusal').toBeDefined();
    expect(isQsignError(err), String(err)).toBe(true);
    const e = err as { code: ErrorCode; message: string };
    expect(e.message.split('\n')).toHaveLength(1);
    return e;
  }

  const nextSecond = () => new Promise((r) => setTimeout(r, 1100));

  const rawVerifies = async () => {
    const data = new Uint8Array(randomBytes(80));
    const res = await c.client.sign({ keyName: KEY, kind: 'raw', data });
    const { n, e } = parseRsaGroupPublicKey(c.groupKey(KEY));
    const b64 = (x: bigint) => Buffer.from(toBytes(x, Math.ceil(x.toString(16).length / 2))).toString('base64url');
    expect(verify('sha256', data, createPublicKey({ key: { kty: 'RSA', n: b64(n), e: b64(e) }, format: 'jwk' }), Buffer.from(res.signature))).toBe(true);
  };

  it('node: a digest of the wrong length for its hash, a SHA-1 digest, an unknown hash and a commitment list get typed refusals in its audit log; then it signs', async () => {
    const n = c.node(2);
    const coordinatorId = devCoordinatorId(1);
    try {
      const cases: Array<[string, SignRequest['kind'], Uint8Array, SignRequest['openpgp'], RegExp]> = [
        ['31-byte sha256 digest', 'digest', new Uint8Array(31), openpgp('sha256'), /sha256 digest is 32 bytes, got 31|digest must be 20, 32 or 64 bytes/],
        ['sha1 digest', 'digest', new Uint8Array(20).fill(1), openpgp('sha1'), /SHA-256 or SHA-512/],
        ['unknown hash', 'openpgp', new Uint8Array(10), openpgp('md5'), /unsupported hash algorithm "md5"/],
        ['sha1 OpenPGP signature', 'openpgp', new Uint8Array(10), openpgp('sha1'), /SHA-256 or SHA-512/],
      ];
      for (const [what, kind, data, p, pattern] of cases) {
        const e = await refusal(n.signShare({ request: request({ kind, data, openpgp: p }), commitments: [], coordinatorId }));
        expect(e.code, what).toBe('MALFORMED_REQUEST');
        expect(e.message, what).toMatch(pattern);
        await nextSecond(); // refusals of one client and code are coalesced per second: keep each one's own record
      }
      const list = await refusal(n.signShare({ request: request({}), commitments: [{ identifier: 2, hiding: new Uint8Array(32), binding: new Uint8Array(32) }], coordinatorId }));
      expect(list.message).toMatch(/commitment/);
      const good = await n.signShare({ request: request({}), commitments: [], coordinatorId });
      expect(good.share.length).toBeGreaterThanOrEqual(256);
    } finally {
      n.close();
    }
    const audit = await c.audit(2);
    // Only the good request was signed: a digest threshold RSA cannot encode is refused before any 'signed' record is written.
    expect(audit.filter((r) => r.event === 'signed' && r.keyName === KEY)).toHaveLength(1);
    const refused = audit.filter((r) => r.event === 'refused');
    const reasons = refused.map((r) => `${String(r.code)}: ${String(r.reason)}`);
    for (const pattern of [/sha256 digest is 32 bytes, got 31|digest must be 20, 32 or 64 bytes/, /unsupported hash algorithm "md5"/, /SHA-256 or SHA-512/, /commitment/])
      expect(reasons.some((r) => pattern.test(r)), `${pattern} in ${JSON.stringify(reasons)}`).toBe(true);
    for (const r of refused) expect(typeof r.code === 'string' && typeof r.reason === 'string' && !(r.reason as string).includes('\n')).toBe(true);
  }, 300_000);

  it('coordinator: non-PKCS#1 digests, malformed RSA certificates and unsupported key types are refused in one line; nodes audit the certificate refusals; it still signs', async () => {
    const sha1 = await refusal(c.client.sign({ keyName: KEY, kind: 'digest', data: new Uint8Array(20).fill(2), openpgp: openpgp('sha1') }));
    expect(sha1.message).toMatch(/SHA-256 or SHA-512/);
    const { n, e } = parseRsaGroupPublicKey(c.groupKey(KEY));
    const nb = toBytes(n, 256);
    const eb = toBytes(e, 3);
    const info = await c.client.key(KEY);
    const t = info.createdUnixSeconds;
    const head = (alg: number) => Uint8Array.of(4, t >>> 24, (t >>> 16) & 0xff, (t >>> 8) & 0xff, t & 0xff, alg);
    const key = (body: Uint8Array) => encodePacket(PacketTag.PublicKey, body);
    const uid = encodePacket(PacketTag.UserId, new TextEncoder().encode(info.userId));
    const certs: Record<string, Uint8Array> = {
      'truncated MPI': key(Uint8Array.from([...head(RSA_ALGORITHM), ...encodeMpi(nb).subarray(0, 100)])),
      'wrong algorithm': Uint8Array.from([...key(Uint8Array.from([...head(17), ...encodeMpi(nb), ...encodeMpi(eb)])), ...uid]),
      '1024-bit modulus': Uint8Array.from([...key(Uint8Array.from([...head(RSA_ALGORITHM), ...encodeMpi(nb.subarray(0, 128)), ...encodeMpi(eb)])), ...uid]),
    };
    for (const [what, cert] of Object.entries(certs)) {
      const err = await refusal(c.client.putCertificate(KEY, cert));
      expect(err.message, what).toMatch(/refused|certificate/);
    }
    const keys = new CoordinatorKeysRpcClient(c.file.coordinator.address, coordinatorTransport(loadClientConfig(c.file.clientConfig)));
    try {
      for (const type of ['rsa1024', 'rsa8192', 'dsa2048']) {
        const err = await refusal(keys.generateKey('never@example.org', 'N <never@example.org>', 0, undefined, 30_000, type));
        expect(err.code).toBe('INVALID_ARGUMENT');
        expect(err.message).toContain(`key type "${type}" is not one of ed25519, rsa2048, rsa3072, rsa4096`);
      }
    } finally {
      keys.close();
    }
    for (const id of [1, 2, 3, 4, 5]) {
      const refused = (await c.audit(id)).filter((r) => r.event === 'refused' && r.action === 'put-certificate' && r.keyName === KEY);
      expect(refused.length, `node ${id}`).toBeGreaterThanOrEqual(3);
    }
    await rawVerifies();
  }, 300_000);
});

describe('ceremony split --import-gpg says what is wrong with a key file', () => {
  it('refuses an RSA-1024 key, a truncated export, garbage and a missing file, each in one line', async () => {
    requireTools('gpg', 'gpgconf');
    const dir = tempDir('rsa-bad-import');
    const gnupg = join(dir, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    const gpg = (...args: string[]) => spawnSync('gpg', ['--batch', '--no-tty', '--homedir', gnupg, '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { timeout: 300_000 });
    expect(gpg('--quick-gen-key', 'Small <small@example.org>', 'rsa1024', 'sign', '1y').status).toBe(0);
    const small = join(dir, 'small.gpg');
    writeFileSync(small, gpg('--export-secret-keys', 'small@example.org').stdout);
    expect(gpg('--quick-gen-key', 'Big <big@example.org>', 'rsa2048', 'sign', '1y').status).toBe(0);
    const exported = gpg('--export-secret-keys', 'big@example.org').stdout;
    const truncated = join(dir, 'truncated.gpg');
    writeFileSync(truncated, exported.subarray(0, 200));
    const garbage = join(dir, 'garbage.gpg');
    writeFileSync(garbage, 'this is not an OpenPGP key\n'.repeat(20));
    spawnSync('gpgconf', ['--homedir', gnupg, '--kill', 'all']);
    const split = (file: string, out: string) => qsign(['ceremony', 'split', '--threshold', '3', '--shares', '5', '--out', join(dir, out), '--import-gpg', file]);
    const expectOneLine = (r: { code: number; stderr: string }, pattern: RegExp) => {
      expect(r.code).not.toBe(0);
      const lines = r.stderr.trim().split('\n').filter((l) => !l.includes('warning: no --node enrollment keys'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
    };
    expectOneLine(await split(small, 'a'), /small\.gpg: an RSA-1024 key cannot be dealt: threshold RSA supports RSA-2048, 3072 and 4096 only/);
    expectOneLine(await split(truncated, 'b'), /truncated\.gpg: not an importable OpenPGP RSA secret key: packet stream: need \d+ more bytes/);
    expectOneLine(await split(garbage, 'c'), /garbage\.gpg: not an importable OpenPGP (RSA|Ed25519) secret key: /);
    expectOneLine(await split(join(dir, 'absent.gpg'), 'd'), /cannot read .*absent\.gpg/);
    expect(readFileSync(small).length).toBeGreaterThan(100);
  }, 600_000);
});

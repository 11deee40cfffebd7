/**
 * Issue 14 acceptance, through a real 3-of-3 cluster with real clients:
 * (1) Debian's createrepo_c and dnf (installroot, gpgcheck=1,
 *     repo_gpgcheck=1, gpgkey=file://) install a package from a repository
 *     whose RPMs and repomd.xml the cluster signed; a repomd.xml changed after
 *     signing is refused; every node's record lists the metadata checksums.
 * (2) skopeo standalone-verify accepts a container signature made by the
 *     cluster and rejects it for another digest or reference.
 * (3) A repomd.xml that is not well-formed, an XML bomb, a simple-signing
 *     payload with an unknown critical member and a reference outside policy
 *     are each refused by every node, with the reason in its audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { parseCertificate, toHex } from '@qsign/openpgp';
import { isQsignError, lookasidePath } from '@qsign/protocol';
import { certifyKey } from '@qsign/client';
import { QSIGN_BIN } from '@qsign/devcluster';
import { TestCluster } from './helpers/cluster.js';
import { SIGN_BIN } from './helpers/qsign-cli.js';
import { requireTools } from './helpers/tools.js';
import { buildRpm, tempDir } from '../packages/rpm/src/__tests__/fixtures.js';

const KEY = 'publish@example.org';
const ALLOWED = 'registry.example/proj/*';
const REF = 'registry.example/proj/app:1.0';

describe('publishing: repository metadata and container signatures', () => {
  let c: TestCluster;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let keyPath: string;
  let gnupg: string;
  let fingerprint: string;

  const run = (cmd: string, args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(cmd, args, { env: { ...env, ...extra }, encoding: 'utf8', timeout: 300_000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
  };
  const qsign = (...args: string[]) => run(process.execPath, [QSIGN_BIN, ...args]);
  const audits = () => Promise.all(c.file.nodes.map(async (n) => ({ id: n.id, records: await c.audit(n.id) })));
  /** Runs dnf against one repository in a fresh installroot and cache. */
  const dnfInstall = (repo: string, name: string, pkg: string) => {
    const root = join(dir, `root-${name}`);
    const reposd = join(dir, `repos-${name}`);
    mkdirSync(root, { recursive: true });
    mkdirSync(reposd, { recursive: true });
    writeFileSync(join(reposd, 'qsign.repo'), `[qsign]\nname=qsign test\nbaseurl=file://${repo}\ngpgcheck=1\nrepo_gpgcheck=1\ngpgkey=file://${keyPath}\n`);
    const conf = join(dir, `dnf-${name}.conf`);
    writeFileSync(conf, `[main]\ngpgcheck=1\nrepo_gpgcheck=1\ninstall_weak_deps=0\nreposdir=${reposd}\ncachedir=${join(dir, `cache-${name}`)}\n`);
    const r = run('dnf', ['-y', '-c', conf, '--installroot', root, '--releasever', '1', `--setopt=reposdir=${reposd}`, `--setopt=cachedir=${join(dir, `cache-${name}`)}`, '--disablerepo=*', '--enablerepo=qsign', 'install', pkg]);
    return { ...r, root };
  };
  /** A repository with one package the cluster signed, and its repomd.xml signed by `qsign repo sign`. */
  const signedRepository = (name: string) => {
    const repo = join(dir, name);
    mkdirSync(repo, { recursive: true });
    const rpm = buildRpm(dir, { name: 'qs-pub', buildArch: 'noarch', install: ['mkdir -p $RPM_BUILD_ROOT/usr/share/qs-pub', 'echo published > $RPM_BUILD_ROOT/usr/share/qs-pub/hello'], files: ['/usr/share/qs-pub'] });
    copyFileSync(rpm, join(repo, basename(rpm)));
    const signed = qsign('rpm', 'sign', '--key', KEY, join(repo, basename(rpm)));
    expect(signed.status, signed.stderr).toBe(0);
    const cr = run('createrepo_c', ['-q', repo]);
    expect(cr.status, cr.stderr).toBe(0);
    const rs = qsign('repo', 'sign', repo, '--key', KEY);
    expect(rs.status, rs.stderr).toBe(0);
    return repo;
  };

  beforeAll(async () => {
    requireTools('gpg', 'gpgconf', 'rpmbuild', 'createrepo_c', 'dnf', 'skopeo');
    dir = tempDir('publish');
    c = await TestCluster.start({
      nodes: 3,
      threshold: 3,
      keyName: KEY,
      nodeConfig: (_id, base) => ({
        ...base,
        policy: { keys: [{ match: KEY, payloadKinds: ['openpgp', 'rpm-header', 'certification', 'repomd', 'container'], containerReferences: [ALLOWED] }] },
      }),
    });
    await certifyKey(c.client, KEY);
    env = { ...process.env, QSIGN_CONFIG: c.file.clientConfig };
    const pub = qsign('pubkey', '--key', KEY, '--armor');
    expect(pub.status, pub.stderr).toBe(0);
    keyPath = join(dir, 'key.asc');
    writeFileSync(keyPath, pub.stdout);
    fingerprint = toHex(parseCertificate(pub.stdout).fingerprint).toUpperCase();
    gnupg = join(dir, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    const imp = run('gpg', ['--batch', '--homedir', gnupg, '--import', keyPath]);
    expect(imp.status, imp.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    if (gnupg) run('gpgconf', ['--homedir', gnupg, '--kill', 'all']);
    await c?.stop();
  });

  it('dnf (gpgcheck=1, repo_gpgcheck=1) installs from a repository whose RPMs and repomd.xml the cluster signed; every node records each metadata checksum', async () => {
    const repo = signedRepository('repo');
    const repomd = readFileSync(join(repo, 'repodata', 'repomd.xml'), 'utf8');
    expect(readFileSync(join(repo, 'repodata', 'repomd.xml.asc'), 'utf8')).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
    const dnf = dnfInstall(repo, 'ok', 'qs-pub');
    expect(dnf.status, dnf.out).toBe(0);
    expect(dnf.out).toMatch(/Importing GPG key/);
    expect(readFileSync(join(dnf.root, 'usr/share/qs-pub/hello'), 'utf8')).toBe('published\n');

    // What the file says, read independently of the node's parser.
    const listed = [...repomd.matchAll(/<data type="([^"]+)">\s*<checksum type="sha256">([0-9a-f]{64})<\/checksum>/g)].map((m) => ({ type: m[1], value: m[2] }));
    expect(listed.length).toBeGreaterThanOrEqual(3);
    const revision = /<revision>([^<]+)<\/revision>/.exec(repomd)![1];
    const dataSha = bytesToHex(sha256(new TextEncoder().encode(repomd)));
    for (const { id, records } of await audits()) {
      const rec = records.find((r) => r.event === 'signed' && r.payloadKind === 'repomd' && r.dataSha256 === dataSha) as { repomd?: { revision: string; data: Array<{ type: string; checksum: { value: string } }> } } | undefined;
      expect(rec, `node ${id} records the repomd.xml it signed`).toBeDefined();
      expect(rec!.repomd!.revision).toBe(revision);
      expect(rec!.repomd!.data.map((d) => ({ type: d.type, value: d.checksum.value }))).toEqual(listed);
    }
    const q = qsign('audit', 'query', '--cluster', c.dir, '--file', join(repo, 'repodata', 'repomd.xml'), '--json');
    expect(q.status, q.stderr).toBe(0);
    const rows = q.stdout.trim().split('\n').map((l) => JSON.parse(l) as { recordedBy: number[]; fileName?: string });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.recordedBy).toEqual([1, 2, 3]);
  }, 600_000);

  it('dnf refuses a repomd.xml changed after the cluster signed it', () => {
    const repo = signedRepository('tampered');
    const path = join(repo, 'repodata', 'repomd.xml');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/<revision>(\d+)<\/revision>/, '<revision>$19</revision>'));
    const dnf = dnfInstall(repo, 'tampered', 'qs-pub');
    expect(dnf.status, dnf.out).not.toBe(0);
    expect(dnf.out).toMatch(/repomd\.xml GPG signature verification error/);
    expect(existsSync(join(dnf.root, 'usr/share/qs-pub/hello'))).toBe(false);
  }, 600_000);

  it('sign -d repodata/repomd.xml (as OBS calls obs-sign) makes a repository-metadata request that gpg verifies', async () => {
    const repo = join(dir, 'obs');
    mkdirSync(repo);
    expect(run('createrepo_c', ['-q', repo]).status).toBe(0);
    const path = join(repo, 'repodata', 'repomd.xml');
    const s = run(process.execPath, [SIGN_BIN, '-u', KEY, '-d', path]);
    expect(s.status, s.stderr).toBe(0);
    const v = run('gpg', ['--batch', '--homedir', gnupg, '--trust-model', 'always', '--status-fd', '1', '--verify', `${path}.asc`, path]);
    expect(v.stdout, v.stderr).toContain(`[GNUPG:] VALIDSIG ${fingerprint}`);
    const dataSha = bytesToHex(sha256(readFileSync(path)));
    for (const { id, records } of await audits())
      expect(records.some((r) => r.event === 'signed' && r.payloadKind === 'repomd' && r.dataSha256 === dataSha), `node ${id}`).toBe(true);
  }, 300_000);

  it('skopeo standalone-verify accepts a container signature made by the cluster and rejects it for another digest or reference; nodes record reference and digest', async () => {
    const manifest = (config: string) => {
      const p = join(dir, `manifest-${config}.json`);
      writeFileSync(p, JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: `sha256:${bytesToHex(sha256(new TextEncoder().encode(config)))}` }, layers: [] }));
      return { path: p, digest: `sha256:${bytesToHex(sha256(readFileSync(p)))}` };
    };
    const m = manifest('{"a":1}');
    const other = manifest('{"b":2}');
    const sig = join(dir, 'container.sig');
    const s = qsign('container', 'sign', '--key', KEY, '--reference', REF, '--digest', m.digest, '-o', sig);
    expect(s.status, s.stderr).toBe(0);
    const verify = (manifestPath: string, ref: string, sigPath = sig) => run('skopeo', ['standalone-verify', manifestPath, ref, fingerprint, sigPath], { GNUPGHOME: gnupg });
    const ok = verify(m.path, REF);
    expect(ok.status, ok.out).toBe(0);
    expect(ok.stdout).toContain(`Signature verified, digest ${m.digest}`);
    const wrongDigest = verify(other.path, REF);
    expect(wrongDigest.status).not.toBe(0);
    expect(wrongDigest.out).toMatch(/does not match/);
    const wrongRef = verify(m.path, 'registry.example/proj/app:2.0');
    expect(wrongRef.status).not.toBe(0);
    expect(wrongRef.out).toMatch(/Docker reference .* does not match/);

    // The lookaside layout containers-registries.d expects.
    const store = join(dir, 'sigstore');
    const l = qsign('container', 'sign', '--key', KEY, '--reference', REF, '--digest', m.digest, '--lookaside', store);
    expect(l.status, l.stderr).toBe(0);
    const placed = join(store, `proj/app@${m.digest.replace(':', '=')}/signature-1`);
    expect(lookasidePath(REF, m.digest)).toBe(`proj/app@${m.digest.replace(':', '=')}/signature-1`);
    expect(verify(m.path, REF, placed).status).toBe(0);

    for (const { id, records } of await audits()) {
      const rec = records.filter((r) => r.event === 'signed' && r.payloadKind === 'container' && (r.container as { format?: string }).format === undefined);
      expect(rec.length, `node ${id}`).toBe(2);
      for (const r of rec) expect(r.container).toMatchObject({ reference: REF, digest: m.digest, creator: 'qsign' });
    }
  }, 300_000);

  it("cosign's variant: a plain Ed25519 signature over the cosign payload that OpenSSL verifies with the group key; nodes record the format", async () => {
    const digest = `sha256:${bytesToHex(sha256(new TextEncoder().encode('cosign manifest')))}`;
    const sigPath = join(dir, 'cosign.sig');
    const payloadPath = join(dir, 'cosign-payload.json');
    const s = qsign('container', 'sign', '--cosign', '--key', KEY, '--reference', REF, '--digest', digest, '-o', sigPath, '--payload', payloadPath);
    expect(s.status, s.stderr).toBe(0);
    const payload = JSON.parse(readFileSync(payloadPath, 'utf8'));
    expect(payload.critical).toEqual({ identity: { 'docker-reference': REF }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' });
    // An independent RFC 8032 verifier: OpenSSL, with the group key as an SPKI PEM (what cosign verify --key reads).
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from((await c.client.key(KEY)).groupPublicKey)]);
    const pem = join(dir, 'cosign.pub');
    writeFileSync(pem, `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64')}\n-----END PUBLIC KEY-----\n`);
    const raw = join(dir, 'cosign.sig.bin');
    writeFileSync(raw, Buffer.from(readFileSync(sigPath, 'utf8'), 'base64'));
    const ok = run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pem, '-rawin', '-in', payloadPath, '-sigfile', raw]);
    expect(ok.status, ok.out).toBe(0);
    writeFileSync(payloadPath, readFileSync(payloadPath, 'utf8').replace('proj/app', 'proj/evil'));
    expect(run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pem, '-rawin', '-in', payloadPath, '-sigfile', raw]).status).not.toBe(0);
    for (const { id, records } of await audits())
      expect(records.some((r) => r.event === 'signed' && r.payloadKind === 'container' && (r.container as { format?: string }).format === 'cosign' && !r.openpgp), `node ${id}`).toBe(true);
  }, 300_000);

  it('every node refuses a repomd.xml that is not well-formed, an XML bomb, an unknown critical member and a reference outside policy, with the reason in its audit log', async () => {
    const openpgp = { signatureType: 0x00, hashAlgorithm: 'sha256' as const, createdUnixSeconds: Math.floor(Date.now() / 1000) };
    const enc = (s: string) => new TextEncoder().encode(s);
    const digest = `sha256:${'0'.repeat(64)}`;
    const cases: Array<{ what: string; kind: 'repomd' | 'container'; data: Uint8Array; reason: RegExp }> = [
      { what: 'not well-formed', kind: 'repomd', data: enc('<?xml version="1.0"?><repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>1</revision><data type="primary">'), reason: /XML is not well-formed.*element <data> is not closed/ },
      {
        what: 'XML bomb',
        kind: 'repomd',
        data: enc(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>&lol9;</revision></repomd>`),
        reason: /DOCTYPE \(DTD\) is refused/,
      },
      {
        what: 'unknown critical member',
        kind: 'container',
        data: enc(`{"critical":{"identity":{"docker-reference":"${REF}"},"image":{"docker-manifest-digest":"${digest}"},"type":"atomic container signature","x-extra":true},"optional":{}}`),
        reason: /unknown member critical\.x-extra/,
      },
      {
        what: 'reference outside policy',
        kind: 'container',
        data: enc(`{"critical":{"identity":{"docker-reference":"registry.example/other/app:1"},"image":{"docker-manifest-digest":"${digest}"},"type":"atomic container signature"},"optional":{}}`),
        reason: /docker reference registry\.example\/other\/app:1 is outside the allowed references registry\.example\/proj\/\*/,
      },
    ];
    for (const k of cases) {
      const err = await c.client.sign({ keyName: KEY, kind: k.kind, data: k.data, openpgp }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isQsignError(err), `${k.what} is refused`).toBe(true);
      expect((err as Error).message, k.what).toMatch(k.reason);
    }
    // The CLI says so in one line too.
    const cli = qsign('container', 'sign', '--key', KEY, '--reference', 'registry.example/other/app:1', '--digest', digest, '-o', join(dir, 'never.sig'));
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/^qsign: .*outside the allowed references/);
    expect(existsSync(join(dir, 'never.sig'))).toBe(false);
    for (const { id, records } of await audits()) {
      const refused = records.filter((r) => r.event === 'refused');
      for (const k of cases)
        expect(refused.some((r) => r.payloadKind === k.kind && k.reason.test(String(r.reason))), `node ${id} records why it refused the ${k.what}`).toBe(true);
    }
  }, 300_000);
});

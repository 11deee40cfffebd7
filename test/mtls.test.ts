/**
 * Issue 9 acceptance 3: mutual TLS on every connection of `qsign cluster up`.
 * openssl sees TLS on the coordinator and every node; a plaintext client, a
 * client certificate from another CA and a node certificate presented as the
 * coordinator are each refused; certificates reload without a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterPkiDir, pkiInit, pkiIssue } from '@qsign/devcluster';
import { coordinatorTransport, loadClientConfig } from '@qsign/client';
import { isQsignError } from '@qsign/protocol';
import { CoordinatorRpcClient, NodeRpcClient, TlsMaterial, expectIdentity, startServer, stopServer, type TransportSecurity } from '@qsign/rpc';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { requireTools } from './helpers/tools.js';
import { httpsRequest } from './helpers/https.js';

let c: TestCluster;
let pki: string;
let foreign: string;
const pem = (name: string) => join(pki, name);

/** Transport with this party's files (ca = what the server must chain to). */
function asFiles(ca: string, cert: string, key: string): TransportSecurity {
  return { kind: 'mtls', material: new TlsMaterial({ ca, cert, key }) };
}

/** The certificate a TLS server presents right now (a fresh connection each time). */
function servedCertificate(address: string): Promise<{ serialNumber: string; subject: string }> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, ca: readFileSync(pem('ca.crt')), cert: readFileSync(pem('client-dev-client.crt')), key: readFileSync(pem('client-dev-client.key')), ALPNProtocols: ['h2'], checkServerIdentity: () => undefined }, () => {
      const cert = s.getPeerCertificate();
      s.destroy();
      resolve({ serialNumber: cert.serialNumber, subject: cert.subject.CN as string });
    });
    s.once('error', reject);
  });
}

beforeAll(async () => {
  requireTools('openssl');
  c = await TestCluster.start({ nodes: 3, threshold: 2 });
  pki = clusterPkiDir(c.dir);
  foreign = mkdtempSync(join(tmpdir(), 'qsign-foreign-ca-'));
  await pkiInit(foreign, { name: 'another CA' });
}, 180_000);

afterAll(async () => {
  await c?.stop();
  if (foreign) rmSync(foreign, { recursive: true, force: true });
});

describe('mutual TLS in a cluster started by cluster up', () => {
  it('openssl s_client sees TLS, with the party\'s own identity, on the coordinator and every node', () => {
    const parties = [{ address: c.file.coordinator.address, uri: 'qsign:coordinator:dev-coordinator' }, ...c.file.nodes.map((n) => ({ address: n.address, uri: `qsign:node:${n.id}` }))];
    for (const p of parties) {
      const out = execFileSync('openssl', ['s_client', '-connect', p.address, '-CAfile', pem('ca.crt'), '-cert', pem('client-dev-client.crt'), '-key', pem('client-dev-client.key'), '-verify_return_error', '-alpn', 'h2'], { input: '', encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
      expect(out).toMatch(/Verify return code: 0 \(ok\)/);
      expect(out).toMatch(/New, TLSv1\.[23], Cipher is/);
      expect(out).toContain(`CN = ${p.uri}`);
    }
  });

  it('signs end to end over TLS (client, coordinator, nodes, witnesses)', async () => {
    const r = await c.client.sign({ keyName: 'demo', kind: 'raw', data: new TextEncoder().encode('over tls') });
    expect(r.signers.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses a plaintext client on the coordinator and on a node', async () => {
    const plain: TransportSecurity = { kind: 'insecure' };
    const co = new CoordinatorRpcClient(c.file.coordinator.address, plain);
    const n1 = new NodeRpcClient(c.file.nodes[0]!.address, 'node 1', plain);
    try {
      const e1 = await co.clusterStatus(5000).catch((e) => e);
      expect(isQsignError(e1, 'NODE_UNAVAILABLE')).toBe(true);
      const e2 = await n1.status(5000).catch((e) => e);
      expect(isQsignError(e2, 'NODE_UNAVAILABLE')).toBe(true);
    } finally {
      co.close();
      n1.close();
    }
    // The same calls with the cluster's client certificate work.
    const ok = new CoordinatorRpcClient(c.file.coordinator.address, c.as('client'));
    try {
      expect((await ok.clusterStatus(10_000)).nodes.length).toBe(3);
    } finally {
      ok.close();
    }
  });

  it('refuses a client certificate issued by another CA', async () => {
    // The impostor trusts the real CA (so it would accept the server) but its own certificate is foreign.
    const bad = await pkiIssue(foreign, { role: 'coordinator', name: 'dev-coordinator' }, { out: join(foreign, 'impostor') });
    const bundle = join(foreign, 'bundle.crt');
    writeFileSync(bundle, readFileSync(join(foreign, 'ca.crt'), 'utf8') + readFileSync(pem('ca.crt'), 'utf8'));
    const n1 = new NodeRpcClient(c.file.nodes[0]!.address, 'node 1', asFiles(bundle, bad.cert, bad.key));
    const co = new CoordinatorRpcClient(c.file.coordinator.address, asFiles(bundle, bad.cert, bad.key));
    try {
      expect(isQsignError(await n1.getCommitments(1, 'dev-coordinator', 5000).catch((e) => e), 'NODE_UNAVAILABLE')).toBe(true);
      expect(isQsignError(await co.clusterStatus(5000).catch((e) => e), 'NODE_UNAVAILABLE')).toBe(true);
    } finally {
      n1.close();
      co.close();
    }
  });

  it('refuses a node certificate presented as the coordinator', async () => {
    const asNode2 = asFiles(pem('ca.crt'), pem('node-2.crt'), pem('node-2.key'));
    const n1 = new NodeRpcClient(c.file.nodes[0]!.address, 'node 1', asNode2);
    const co = new CoordinatorRpcClient(c.file.coordinator.address, asNode2);
    try {
      // Node 2 is a pinned peer: it may read node 1's status (witnessing) ...
      expect((await n1.status(10_000)).nodeId).toBe(1);
      // ... but not ask for nonces or shares, which only a coordinator may.
      const e = await n1.getCommitments(4, 'dev-coordinator', 10_000).catch((x) => x);
      expect(isQsignError(e, 'PEER_REFUSED')).toBe(true);
      expect(e.message).toMatch(/node 1 refuses \/qsign\.v1\.Node\/GetCommitments from qsign:node:2/);
      // The coordinator serves client certificates only.
      const e2 = await co.clusterStatus(10_000).catch((x) => x);
      expect(isQsignError(e2, 'PEER_REFUSED')).toBe(true);
      expect(e2.message).toMatch(/only client certificates/);
    } finally {
      n1.close();
      co.close();
    }
    // Node 1 logs the refusal and records it in its audit log.
    expect(readFileSync(c.file.nodes[0]!.log, 'utf8')).toMatch(/TLS: node 1 refuses \/qsign\.v1\.Node\/GetCommitments from qsign:node:2/);
    const recorded = async () => (await c.audit(1)).some((r) => r.event === 'refused' && r.code === 'PEER_REFUSED' && String(r.reason).includes('GetCommitments from qsign:node:2'));
    await waitFor(recorded, 30_000, 'node 1 to record the refusal');
  });

  it('a client refuses a node certificate presented as the coordinator', async () => {
    // An impostor coordinator holding node 2's certificate and key.
    const { server, port } = await startServer([], '127.0.0.1:0', asFiles(pem('ca.crt'), pem('node-2.crt'), pem('node-2.key')));
    const co = new CoordinatorRpcClient(`127.0.0.1:${port}`, coordinatorTransport(loadClientConfig(c.file.clientConfig)));
    try {
      const e = await co.clusterStatus(5000).catch((x) => x);
      expect(isQsignError(e, 'NODE_UNAVAILABLE')).toBe(true);
      expect(e.message).toMatch(/expected a coordinator certificate, the server presented qsign:node:2/);
    } finally {
      co.close();
      await stopServer(server);
    }
  });

  it('refuses a server that is not the node the client expects', async () => {
    const wrong = new NodeRpcClient(c.file.nodes[1]!.address, 'node 1', { ...c.as('coordinator'), expectPeer: expectIdentity({ role: 'node', name: '1' }) } as TransportSecurity);
    try {
      const e = await wrong.status(5000).catch((x) => x);
      expect(isQsignError(e, 'NODE_UNAVAILABLE')).toBe(true);
      expect(e.message).toMatch(/expected qsign:node:1, the server presented qsign:node:2/);
    } finally {
      wrong.close();
    }
  });

  it('serves the copr-keygen API over HTTPS to client certificates only', async () => {
    const get = (o: { cert?: string; key?: string }) => httpsRequest(c.file.keygen!, '/ping', { ca: pem('ca.crt'), ...o });
    expect(await get({ cert: pem('client-dev-client.crt'), key: pem('client-dev-client.key') })).toEqual({ status: 200, text: 'pong' });
    await expect(get({})).rejects.toThrow();
    const asNode = await get({ cert: pem('node-1.crt'), key: pem('node-1.key') });
    expect(asNode.status).toBe(403);
  });

  it('reloads a node certificate replaced on disk without a restart, and keeps the old one when the new one is bad', async () => {
    const n1 = c.file.nodes[0]!;
    const pid = n1.pid;
    const before = await servedCertificate(n1.address);
    expect(before.subject).toBe('qsign:node:1');
    // Issue into a temporary prefix, then move into place (the daemon never sees a half-written pair).
    const fresh = await pkiIssue(pki, { role: 'node', name: '1' }, { hosts: ['127.0.0.1'], out: join(pki, 'node-1.next') });
    const serial = new X509Certificate(readFileSync(fresh.cert)).serialNumber;
    expect(serial).not.toBe(before.serialNumber);
    writeFileSync(pem('node-1.key'), readFileSync(fresh.key), { mode: 0o600 });
    writeFileSync(pem('node-1.crt'), readFileSync(fresh.cert));
    await waitFor(async () => (await servedCertificate(n1.address).catch(() => undefined))?.serialNumber === serial, 60_000, 'node 1 to serve its new certificate');
    expect(n1.pid).toBe(pid);
    // A certificate from another CA is refused: node 2 keeps serving its own.
    const n2 = c.file.nodes[1]!;
    const old2 = await servedCertificate(n2.address);
    const bad = await pkiIssue(foreign, { role: 'node', name: '2' }, { out: join(foreign, 'node-2') });
    writeFileSync(pem('node-2.key'), readFileSync(bad.key), { mode: 0o600 });
    writeFileSync(pem('node-2.crt'), readFileSync(bad.cert));
    await waitFor(() => /TLS file change: kept the current certificate: .*node-2\.crt was not issued by the CA/.test(readFileSync(n2.log, 'utf8')), 60_000, 'node 2 to refuse the foreign certificate');
    expect((await servedCertificate(n2.address)).serialNumber).toBe(old2.serialNumber);
    // The cluster still signs, over new connections too.
    const r = await c.client.sign({ keyName: 'demo', kind: 'raw', data: new TextEncoder().encode('after reload') });
    expect(r.signers.length).toBeGreaterThanOrEqual(2);
  });
});

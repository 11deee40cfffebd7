/**
 * Issue #6 acceptance 1 and 4, with real processes: a key under `hold` on 3
 * of 5 nodes (threshold 3; nodes 4 and 5, which would sign automatically,
 * are down), so every signature needs three operators. The client sees
 * "waiting for approval" with the node ids; two operators approve with the
 * CLI, the third in the web console (headless Chromium); the signature
 * arrives and verifies. Then the console alone: an RPM request shows its
 * package name and is approved; no token → refused; cross-site POST → refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { readRpm } from '@qsign/rpm';
import { loadClientConfig } from '@qsign/client';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { requireTools } from './helpers/tools.js';
import { registerSignatures } from './helpers/r-registry.js';
import { CHROMIUM_ARGS, qsign, qsignAsync, signedRequest } from './helpers/operator.js';
import { buildRpm, readBytes } from '../packages/rpm/src/__tests__/fixtures.js';

let c: TestCluster;
let tmp: string;
let browser: BrowserContext;
let page: Page;
let consoleUrl: string;
let clientSecret: Uint8Array;
const me = userInfo().username;

const nodeCfg = (id: number) => c.file.nodes.find((n) => n.id === id)!.config;
const pendingIds = (id: number): string[] => {
  const r = qsign(['pending', '--node-config', nodeCfg(id)]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/)[0]!);
};

/** The console address and a fresh login token of node `id`, as `qsign console` prints them. */
function consoleInfo(id: number): { url: string; token: string } {
  const r = qsign(['console', '--node-config', nodeCfg(id)]);
  expect(r.status, r.stderr).toBe(0);
  return { url: /console: (\S+)\/login/.exec(r.stdout)![1]!, token: /token:\s+(\S+)/.exec(r.stdout)![1]! };
}

async function consoleLogin(id: number): Promise<void> {
  const { url, token } = consoleInfo(id);
  consoleUrl = url;
  await page.goto(`${consoleUrl}/login`);
  await page.fill('input[name=token]', token);
  await page.click('button');
  await page.waitForURL(`${consoleUrl}/`);
}

beforeAll(async () => {
  requireTools('chromium', 'rpmbuild');
  tmp = mkdtempSync(join(tmpdir(), 'qsign-holds-'));
  c = await TestCluster.start({
    nodes: 5,
    threshold: 3,
    nodeConfig: (id, base) => ({ ...base, policy: { keys: [id <= 3 ? { match: '*', approval: 'hold' } : { match: '*' }] } }),
  });
  clientSecret = loadClientConfig(c.file.clientConfig).secretKey;
  // Nodes 4 and 5 would sign without asking anyone: take them away so all three holds matter.
  await c.kill(4);
  await c.kill(5);
  await waitFor(async () => (await c.client.status()).nodes.filter((n) => n.healthy).length === 3, 10_000, 'the coordinator to notice nodes 4 and 5 are down');
  browser = await chromium.launchPersistentContext(join(tmp, 'chromium-profile'), { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  page = browser.pages()[0] ?? (await browser.newPage());
  // Each test logs in itself where it needs a session; the address is known up
  // front so that no test depends on an earlier one having run to the end.
  consoleUrl = consoleInfo(3).url;
});
afterAll(async () => {
  await browser?.close();
  await c?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('acceptance 1: three operators approve, the signature arrives', () => {
  it('waits with node ids, two CLI approvals and one web approval, then verifies', async () => {
    const file = join(tmp, 'release.tar.gz');
    writeFileSync(file, 'a release that three operators must approve\n');
    const sig = join(tmp, 'release.sig');
    const t0 = Date.now();
    const signing = qsignAsync(['sign', '--key', 'demo', '--raw', file, '-o', sig, '--wait', '120', '--config', c.file.clientConfig]);
    await waitFor(() => /waiting for approval from nodes 1, 2, 3/.test(signing.stderr()), 20_000, `"waiting for approval from nodes 1, 2, 3" (stderr: ${signing.stderr()})`);

    // Operators of nodes 1 and 2: the CLI.
    for (const id of [1, 2]) {
      const ids = pendingIds(id);
      expect(ids).toHaveLength(1);
      const show = qsign(['show', ids[0]!, '--node-config', nodeCfg(id)]);
      expect(show.stdout).toMatch(/PENDING/);
      expect(show.stdout).toMatch(/file\s+.*release\.tar\.gz/);
      expect(show.stdout).toMatch(/rule\s+policy\.keys\[0\]\.approval/);
      const ok = qsign(['approve', ids[0]!.slice(0, 6), '--comment', 'checked the tarball', '--node-config', nodeCfg(id)]);
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(new RegExp(`approved hold ${ids[0]} .* as ${me}`));
    }
    // Still waiting on node 3: one approval short of the threshold.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await Promise.race([signing.done.then(() => 'ended'), Promise.resolve('waiting')])).toBe('waiting');

    // Operator of node 3: the web console.
    await consoleLogin(3);
    const [holdId] = pendingIds(3);
    await page.click(`button[name=approve-${holdId}]`);
    await page.waitForURL(/msg=/);
    expect(await page.textContent('.msg')).toMatch(new RegExp(`hold ${holdId} approved`));

    expect(await signing.done, signing.stderr()).toBe(0);
    const signature = new Uint8Array(readFileSync(sig));
    const key = await c.client.key('demo');
    expect(ed25519.verify(signature, new Uint8Array(readFileSync(file)), key.groupPublicKey)).toBe(true);
    registerSignatures([signature]);
    console.log(`acceptance 1: signature after three approvals in ${Date.now() - t0} ms`);

    // Each decision is an audit record with the operator's local user name; the signed record names the approval.
    for (const id of [1, 2, 3]) {
      const audit = await c.audit(id);
      const approved = audit.find((r) => r.event === 'hold-approved')!;
      expect(approved.operator).toBe(id === 3 ? `${me}@console` : me);
      const signed = audit.find((r) => r.event === 'signed')!;
      expect((signed.approvedHold as { holdId: string }).holdId).toBe(approved.holdId);
      expect(audit.some((r) => r.event === 'config-changed' && (r.policy as { keys: unknown[] }).keys.length === 1)).toBe(true);
    }
  });
});

describe('acceptance 4: the web console in headless Chromium', () => {
  it('shows a pending RPM request with its package name and approves it', async () => {
    const rpmPath = buildRpm(tmp, { name: 'hello-qsign', version: '2.1', release: '4', buildArch: 'noarch', install: ['mkdir -p $RPM_BUILD_ROOT/usr/share/hello', 'echo hi > $RPM_BUILD_ROOT/usr/share/hello/README'], files: ['/usr/share/hello'] });
    const header = readRpm(readBytes(rpmPath)).mainHeader;
    const n3 = c.node(3);
    try {
      const rpmReq = signedRequest(clientSecret, { keyName: 'demo', expectedGroupKey: c.groupKey('demo'), kind: 'rpm-header', data: header, fileName: 'hello-qsign-2.1-4.noarch.rpm', clientName: 'dev-client' });
      const res = await n3.checkRequest(rpmReq, c.coordinatorId());
      expect(res.ready).toBe(false);
      await consoleLogin(3);
      const row = page.locator(`#hold-${res.holdId}`);
      expect(await row.locator('.rpm-name').textContent()).toBe('hello-qsign');
      expect(await row.textContent()).toMatch(/hello-qsign-2\.1-4\.noarch/);
      // QSIGN_SCREENSHOT=1 refreshes the screenshot in docs/operators.md.
      const shot = process.env.QSIGN_SCREENSHOT === '1' ? fileURLToPath(new URL('../docs/console.png', import.meta.url)) : join(tmp, 'console.png');
      await page.screenshot({ path: shot, fullPage: true });
      await page.click(`a[href="/holds/${res.holdId}"]`);
      expect(await page.textContent('pre')).toMatch(/\/usr\/share\/hello\/README/);
      await page.click(`button[name=approve-${res.holdId}]`);
      await page.waitForURL(/msg=/);
      const show = qsign(['show', res.holdId, '--node-config', nodeCfg(3)]);
      expect(show.stdout).toMatch(new RegExp(`decided\\s+approved by ${me}@console`));
      // Approved: the node now says it would sign this very request.
      expect((await n3.checkRequest(rpmReq, c.coordinatorId())).ready).toBe(true);
      // The activity table names the client, the operator and the package of the decision.
      await page.goto(`${consoleUrl}/`);
      const decided = page.locator('tr.activity', { hasText: 'hold-approved' }).first();
      expect(await decided.locator('.client').textContent()).toBe('dev-client');
      expect(await decided.locator('.operator').textContent()).toBe(`operator ${me}@console`);
      expect(await decided.locator('.rpm-name').textContent()).toBe('hello-qsign-2.1-4.noarch');
    } finally {
      n3.close();
    }
  });

  it('approve PREFIX refuses a prefix that is also a request id a client chose, naming both holds', async () => {
    const n3 = c.node(3);
    let victim: string;
    let decoy: string;
    try {
      victim = (await n3.checkRequest(signedRequest(clientSecret, { keyName: 'demo', kind: 'raw', data: new Uint8Array(9), fileName: 'victim', expectedGroupKey: c.groupKey() }), c.coordinatorId())).holdId;
      // A client picks, as its request id, the prefix an operator would type for someone else's hold.
      decoy = (await n3.checkRequest(signedRequest(clientSecret, { keyName: 'demo', kind: 'raw', data: new Uint8Array(10), fileName: 'decoy', requestId: victim.slice(0, 6), expectedGroupKey: c.groupKey() }), c.coordinatorId())).holdId;
    } finally {
      n3.close();
    }
    const r = qsign(['approve', victim.slice(0, 6), '--node-config', nodeCfg(3)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is ambiguous: it matches 2 held requests/);
    expect(r.stderr).toContain(`hold ${victim}`);
    expect(r.stderr).toContain(`hold ${decoy}`);
    for (const id of [victim, decoy]) expect(qsign(['show', id, '--node-config', nodeCfg(3)]).stdout).toMatch(/PENDING/);
    // The full hold id is never ambiguous.
    const ok = qsign(['deny', victim, '--reason', 'test request', '--node-config', nodeCfg(3)]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(qsign(['deny', decoy, '--reason', 'test request', '--node-config', nodeCfg(3)]).status).toBe(0);
  });

  it('refuses requests without the token, and cross-site POSTs', async () => {
    const n3 = c.node(3);
    let holdId: string;
    try {
      holdId = (await n3.checkRequest(signedRequest(clientSecret, { keyName: 'demo', expectedGroupKey: c.groupKey('demo'), kind: 'raw', data: new Uint8Array(8), fileName: 'csrf-target' }), c.coordinatorId())).holdId;
    } finally {
      n3.close();
    }
    // No session cookie: nothing is shown, nothing is decided.
    const anon = await fetch(`${consoleUrl}/`, { redirect: 'manual' });
    expect(anon.status).toBe(401);
    expect(await anon.text()).not.toMatch(new RegExp(holdId));
    const anonPost = await fetch(`${consoleUrl}/holds/${holdId}/decide`, { method: 'POST', body: 'action=approve', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(anonPost.status).toBe(401);
    const badLogin = await fetch(`${consoleUrl}/login`, { method: 'POST', body: 'token=guess', headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    expect(badLogin.status).toBe(403);
    // A foreign Host header (DNS rebinding) is refused even before the session check.
    const rebound = await new Promise<number>((resolve, reject) =>
      request(`${consoleUrl}/`, { headers: { host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end(),
    );
    expect(rebound).toBe(421);

    // A page on another origin (same host, another port: same site, so the
    // cookie would even be sent) auto-submits an approval form to the console.
    const evil: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<form id=f method=post action="${consoleUrl}/holds/${holdId}/decide"><input name=action value=approve><input name=csrf value=x></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (evil.address() as { port: number }).port;
      const resp = page.waitForResponse((r) => r.url().includes(`/holds/${holdId}/decide`));
      await page.goto(`http://127.0.0.1:${port}/`);
      expect((await resp).status()).toBe(403);
    } finally {
      evil.close();
    }
    // The logged-in browser's own cookie with a same-origin Origin but no CSRF token: refused too.
    const cookies = await browser.cookies(consoleUrl);
    const cookie = cookies.map((k) => `${k.name}=${k.value}`).join('; ');
    const noCsrf = await fetch(`${consoleUrl}/holds/${holdId}/decide`, { method: 'POST', body: 'action=approve', headers: { cookie, origin: consoleUrl, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(noCsrf.status).toBe(403);
    const show = qsign(['show', holdId, '--node-config', nodeCfg(3)]);
    expect(show.stdout).toMatch(/PENDING/);
    // Clean up with the CLI: a denial needs a reason and is final.
    expect(qsign(['deny', holdId, '--node-config', nodeCfg(3)]).status).not.toBe(0);
    const denied = qsign(['deny', holdId, '--reason', 'test request', '--node-config', nodeCfg(3)]);
    expect(denied.status, denied.stderr).toBe(0);
    const again = qsign(['approve', holdId, '--node-config', nodeCfg(3)]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already denied .* a decision is final/);
  });
});

#!/usr/bin/env node
// Many keys (issue #4 acceptance 6): a 5-node 3-of-5 dev cluster gets 10
// keys, then 10,000, all created by ceremony split and imported as
// encrypted share bundles (one envelope per node per batch, over the nodes'
// operator sockets: the batch import path). Prints sign latency and node
// start-up time at 10 and at 10,000 keys from the same run, and the ratios.
// Also the RSS of a node holding them; the last line is the figures as JSON (bench.mjs reads it).
// Run after `npx tsc -b`:  node scripts/bench-keys.mjs [total-keys] [signatures]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { clusterUp, clusterDown, clusterTransportAs, spawnDaemon, alive, writeClusterFile, loadNodeConfig } from '../packages/devcluster/dist/index.js';
import { loadClientConfig, QsignClient, pinOf } from '../packages/client/dist/index.js';
import { splitKey, wipeShares } from '../packages/ceremony/dist/index.js';
import { ed25519Fingerprint } from '../packages/openpgp/dist/index.js';
import { encryptShareFiles, parseEnrollmentPublicKey } from '../packages/storage/dist/index.js';
import { NodeSealRpcClient, NodeRpcClient } from '../packages/rpc/dist/index.js';

const TOTAL = Number(process.argv[2] ?? 10_000);
const SIGS = Number(process.argv[3] ?? 60);
const BATCH = 500;
const say = (m) => process.stderr.write(`${m}\n`);
const dir = mkdtempSync(join(tmpdir(), 'qsign-bench-keys-'));
let cluster;
/** The bench client's config: keys the bench splits are pinned from the split (docs/pinning.md). */
let clientConfig;

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

function makeBatch(start, end) {
  const perNode = new Map();
  const all = [];
  for (let i = start; i < end; i++) {
    const { files } = splitKey({ keyName: `project-${i}@copr.example.org`, threshold: 3, shares: 5, userId: `Copr project ${i} <project-${i}@copr.example.org>` });
    clientConfig.keys.set(files[0].keyName, pinOf(files[0].groupPublicKey, ed25519Fingerprint(files[0].groupPublicKey, files[0].createdUnixSeconds)));
    for (const f of files) (perNode.get(f.identifier) ?? perNode.set(f.identifier, []).get(f.identifier)).push(f);
    all.push(files);
  }
  return { perNode, all };
}

/** Imports keys [from, to): the next batch is generated while the nodes import the current one. */
async function importKeys(from, to) {
  const nodes = cluster.nodes.map((n) => ({ id: n.id, cfg: loadNodeConfig(n.config), pub: parseEnrollmentPublicKey(readFileSync(join(dirname(n.config), 'enrollment.pub'), 'utf8')) }));
  const t0 = performance.now();
  let pending = Promise.resolve();
  for (let start = from; start < to; start += BATCH) {
    const end = Math.min(start + BATCH, to);
    const batch = makeBatch(start, end);
    const texts = new Map(nodes.map((n) => [n.id, encryptShareFiles(batch.perNode.get(n.id), n.pub)]));
    for (const files of batch.all) wipeShares(files);
    await pending;
    pending = Promise.all(
      nodes.map(async (n) => {
        const c = new NodeSealRpcClient(n.cfg.adminSocket);
        try {
          await c.importShares([texts.get(n.id)]);
        } finally {
          c.close();
        }
      }),
    ).then(() => say(`  imported ${end} / ${to} keys (${((end - from) / ((performance.now() - t0) / 1000)).toFixed(0)} keys/s)`));
  }
  await pending;
}

async function signLatency(client, keyCount, label) {
  const times = [];
  for (let i = 0; i < SIGS; i++) {
    // Keys drawn at random over the whole key space; most are looked up for the first time.
    const k = Math.floor(Math.random() * keyCount);
    const keyName = k === 0 ? 'demo' : `project-${k}@copr.example.org`;
    const t = performance.now();
    await client.sign({ keyName, kind: 'raw', data: new Uint8Array(randomBytes(100)) }); // not hash-sized: those are digests (docs/signing.md)
    times.push(performance.now() - t);
  }
  const r = { label, keys: keyCount, median: pct(times, 0.5), p95: pct(times, 0.95) };
  say(`  ${label}: median ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms over ${SIGS} signatures`);
  return r;
}

async function nodeStartup(id) {
  const n = cluster.nodes.find((x) => x.id === id);
  process.kill(n.pid, 'SIGTERM');
  while (alive(n.pid)) await new Promise((r) => setTimeout(r, 50));
  const t = performance.now();
  n.pid = spawnDaemon(n.command, n.log);
  writeClusterFile(dir, cluster);
  // Wait for the port with plain TCP connects every 10 ms, then ask for the status on a fresh
  // channel: a gRPC channel that failed to connect while the node was starting would wait out
  // its reconnect backoff (about a second) and add that to the figure.
  const [host, port] = [n.address.slice(0, n.address.lastIndexOf(':')), Number(n.address.slice(n.address.lastIndexOf(':') + 1))];
  const listening = () => new Promise((resolve) => {
    const s = connect({ host, port }, () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
  let keys = -1;
  for (;;) {
    if (!(await listening())) {
      await new Promise((r) => setTimeout(r, 10));
      continue;
    }
    const admin = new NodeRpcClient(n.address, `node ${id}`, clusterTransportAs(cluster, 'client'));
    try {
      keys = (await admin.status(2000)).keys;
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 10));
    } finally {
      admin.close();
    }
  }
  const ms = performance.now() - t;
  say(`  node ${id} start-up (spawn → gRPC status answers): ${ms.toFixed(0)} ms with ${keys} keys`);
  // Let the coordinator see it healthy again.
  await new Promise((r) => setTimeout(r, 1500));
  return ms;
}

try {
  say(`bench-keys: 5-node 3-of-5 cluster in ${dir}`);
  cluster = await clusterUp({ dir, nodes: 5, threshold: 3, keyName: 'demo', progress: (m) => say(`  ${m}`) });
  clientConfig = loadClientConfig(cluster.clientConfig);
  const client = new QsignClient(clientConfig);
  await importKeys(1, 10);
  for (let i = 0; i < 20; i++) await client.sign({ keyName: 'demo', kind: 'raw', data: new Uint8Array(8) }); // warm up connections and JIT
  const small = await signLatency(client, 10, 'sign latency at 10 keys');
  const startSmall = await nodeStartup(5);
  say(`importing up to ${TOTAL} keys (batches of ${BATCH}, encrypted bundles, one durable batch per node per ${BATCH} keys)…`);
  await importKeys(10, TOTAL);
  const big = await signLatency(client, TOTAL, `sign latency at ${TOTAL} keys`);
  const startBig = await nodeStartup(5);
  const rssMB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${cluster.nodes.find((x) => x.id === 5).pid}/status`, 'utf8'))[1]) / 1024;
  client.close();
  console.log(`keys\tmedian_ms\tp95_ms\tnode_startup_ms`);
  console.log(`10\t${small.median.toFixed(1)}\t${small.p95.toFixed(1)}\t${startSmall.toFixed(0)}`);
  console.log(`${TOTAL}\t${big.median.toFixed(1)}\t${big.p95.toFixed(1)}\t${startBig.toFixed(0)}`);
  console.log(`node 5 RSS with ${TOTAL} keys, after start-up and ${SIGS} signatures: ${rssMB.toFixed(0)} MB`);
  console.log(`ratio (${TOTAL} / 10): median ${(big.median / small.median).toFixed(2)}x, p95 ${(big.p95 / small.p95).toFixed(2)}x, start-up ${(startBig / startSmall).toFixed(2)}x`);
  console.log(JSON.stringify({ keys: TOTAL, rssMB, startupMs: startBig, startupMs10: startSmall, signP50Ms: big.median, signP50Ms10: small.median }));
} finally {
  if (cluster) await clusterDown(dir).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

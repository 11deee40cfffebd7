/**
 * Helpers for audit tests: run `qsign audit …` as a real process, read JSON
 * lines, and make every node sign a checkpoint now.
 */
import { execFile } from 'node:child_process';
import { QSIGN_BIN } from '@qsign/devcluster';
import { AuditRpcClient } from '@qsign/rpc';
import type { TestCluster } from './cluster.js';

/** Runs the qsign binary; resolves with exit code and output (never rejects on a non-zero exit). */
export function qsign(args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [QSIGN_BIN, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Parses JSON lines. */
export function jsonLines(text: string): Array<Record<string, any>> {
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** Asks every live log of the cluster to sign a checkpoint covering all its records now. */
export async function checkpointAll(c: TestCluster, ids: number[] = c.file.nodes.map((n) => n.id)): Promise<void> {
  const addrs = [c.file.coordinator.address, ...c.file.nodes.filter((n) => ids.includes(n.id)).map((n) => n.address)];
  await Promise.all(addrs.map(async (a) => {
    const cl = new AuditRpcClient(a, undefined, c.as('client'));
    try {
      await cl.checkpoint(true);
    } finally {
      cl.close();
    }
  }));
}

/** Waits until every node's latest checkpoint carries at least `n` witness cosignatures. */
export async function waitCosigned(c: TestCluster, n: number, ids: number[] = c.file.nodes.map((x) => x.id), timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (const node of c.file.nodes.filter((x) => ids.includes(x.id))) {
    const cl = new AuditRpcClient(node.address, undefined, c.as('client'));
    try {
      for (;;) {
        const note = await cl.cosigned();
        const lines = note.slice(note.indexOf('\n\n') + 2).split('\n').filter((l) => l.startsWith('\u2014 ')).length;
        if (lines - 1 >= n) break;
        if (Date.now() > until) throw new Error(`node ${node.id}: only ${lines - 1} cosignatures on its latest checkpoint`);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      cl.close();
    }
  }
}

/**
 * What an attacker with the box does offline: truncates a node's log in its
 * LevelDB to the first `keep` records and rebuilds tree hashes and state to
 * match (a consistent rewrite). With `dropCheckpoints` it also deletes every
 * checkpoint covering more than `keep` records, as if they were never signed.
 */
export async function truncateLog(dataDir: string, keep: number, dropCheckpoints = false): Promise<void> {
  const { Level } = await import('level');
  const { CompactRange, leafHash } = await import('@qsign/audit');
  const { hashSlot } = await import('@qsign/storage');
  const db = new Level<string, Uint8Array>(dataDir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  const tree = new CompactRange();
  const ops: Array<{ type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }> = [];
  for await (const k of db.keys({ gte: 'h!', lt: 'h!\xff' })) ops.push({ type: 'del', key: k });
  let i = 0;
  for await (const [k, v] of db.iterator({ gte: 'a!', lt: 'a!\xff' })) {
    if (i++ < keep) tree.append(leafHash(v), (l, x, h) => ops.push({ type: 'put', key: hashSlot(l, x), value: h }));
    else ops.push({ type: 'del', key: k });
  }
  ops.push({ type: 'put', key: 't!state', value: tree.toBytes() });
  if (dropCheckpoints) {
    for await (const [k, v] of db.iterator({ gte: 'c!', lt: 'c!\xff' })) {
      if (Number(new TextDecoder().decode(v).split('\n')[1]) > keep) ops.push({ type: 'del', key: k });
    }
  }
  await db.batch(ops, { sync: true });
  await db.close();
}

/**
 * Helpers for audit tests: run `qsign audit …` as a real process, read JSON
 * lines, and make every node sign a checkpoint now.
 */
import { execFile } from 'node:child_process';
import { QSIGN_BIN } from '@qsign/cli';
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
    const cl = new AuditRpcClient(a);
    try {
      await cl.checkpoint(true);
    } finally {
      cl.close();
    }
  }));
}

/** Waits until every node's latest checkpoint carries at least `n` witness cosignatures. */
export async function waitCosigned(c: TestCluster, n: number, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (const node of c.file.nodes) {
    const cl = new AuditRpcClient(node.address);
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

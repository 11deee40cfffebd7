/**
 * `qsign node init / unseal / import` over the node library and its
 * operator socket: argument handling and output only.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { hexToBytes } from '@noble/hashes/utils.js';
import { QSIGN_HINT, QsignError } from '@qsign/protocol';
import { initNode, loadNodeConfig, parseKofL } from '@qsign/node';
import { NodeSealRpcClient } from '@qsign/rpc';

/** Parses repeated NAME=HEX options. */
function pairs(list: string[], what: string, hexLen: number): Array<[string, string]> {
  return list.map((x) => {
    const i = x.indexOf('=');
    const k = x.slice(0, i);
    const v = x.slice(i + 1).trim();
    if (i < 1 || !new RegExp(`^[0-9a-f]{${hexLen}}$`).test(v)) throw new QsignError('INVALID_ARGUMENT', `${what} must be NAME=HEX (${hexLen / 2} bytes), got ${JSON.stringify(x)}`);
    return [k, v];
  });
}

/** `qsign node init`. Unseal shares are printed once, on stdout. */
export async function nodeInit(o: { dir: string; id: number; listen?: string; unseal: string; devMasterKey?: boolean; client: string[]; officer: string[]; peer: string[]; tlsCa?: string; tlsCert?: string; tlsKey?: string; coordinator: string[] }): Promise<void> {
  const unseal = parseKofL(o.unseal, '--unseal');
  const tlsGiven = [o.tlsCa, o.tlsCert, o.tlsKey].filter((x) => x !== undefined).length;
  if (tlsGiven !== 0 && (tlsGiven !== 3 || o.coordinator.length === 0))
    throw new QsignError('INVALID_ARGUMENT', '--tls-ca, --tls-cert, --tls-key and --coordinator go together (docs/tls.md)');
  const r = await initNode({
    dir: o.dir,
    nodeId: o.id,
    listen: o.listen,
    unseal,
    devMasterKey: o.devMasterKey,
    clients: pairs(o.client, '--client', 64).map(([name, publicKey]) => ({ name, publicKey })),
    officers: pairs(o.officer, '--officer', 64).map(([name, publicKey]) => ({ name, publicKey })),
    peers: pairs(o.peer, '--peer', 64).map(([id, enrollmentKey]) => ({ id: Number(id), enrollmentKey })),
    tls: tlsGiven ? { ca: resolve(o.tlsCa!), cert: resolve(o.tlsCert!), key: resolve(o.tlsKey!), coordinators: o.coordinator } : undefined,
  });
  process.stdout.write(`node ${o.id} initialised: ${r.configPath}\nenrollment public key (also in ${o.dir}/enrollment.pub):\n  ${r.enrollmentPublicKey}\n`);
  if (r.unsealShares.length) {
    process.stdout.write(`\nunseal shares — ${unseal.threshold} of ${unseal.shares} unseal the node. They are shown ONCE and stored nowhere; give one to each custodian:\n`);
    r.unsealShares.forEach((s, i) => process.stdout.write(`  unseal share ${i + 1}: ${s}\n`));
  } else process.stdout.write(`development master key: ${o.dir}/master.key (the node starts unsealed)\n`);
}

/** True if something accepts connections on a unix socket (the node's operator socket here). */
export { canReachSocket } from '@qsign/agent/thin';

async function readShares(): Promise<string[]> {
  if (process.stdin.isTTY) process.stderr.write('enter unseal shares, one per line; end with an empty line or Ctrl-D:\n');
  const rl = createInterface({ input: process.stdin });
  const out: string[] = [];
  for await (const line of rl) {
    const t = line.trim();
    if (!t) {
      if (process.stdin.isTTY) break;
      continue;
    }
    out.push(t);
  }
  rl.close();
  return out;
}

/** `qsign node unseal`. */
export async function nodeUnseal(configPath: string, given: string[]): Promise<void> {
  const cfg = loadNodeConfig(configPath);
  const shares = given.length ? given : await readShares();
  for (const s of shares) if (!/^([0-9a-f]{2})+$/.test(s)) throw new QsignError('INVALID_ARGUMENT', `an unseal share is hex as printed by ${QSIGN_HINT} node init`);
  const c = new NodeSealRpcClient(cfg.adminSocket);
  try {
    await c.unseal(shares.map((s) => hexToBytes(s)));
    process.stdout.write(`node ${cfg.nodeId} unsealed\n`);
  } finally {
    c.close();
  }
}

/** `qsign node import` against a running node. */
export async function nodeImportOnline(socket: string, texts: string[]): Promise<void> {
  const c = new NodeSealRpcClient(socket);
  try {
    const r = await c.importShares(texts);
    for (const k of r.keys.slice(0, 20)) process.stdout.write(`imported key ${k}\n`);
    if (r.keys.length > 20) process.stdout.write(`… and ${r.keys.length - 20} more (${r.keys.length} keys)\n`);
  } finally {
    c.close();
  }
}

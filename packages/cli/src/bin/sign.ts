#!/usr/bin/env node
/**
 * `sign` — an obs-sign compatible client backed by the qsign cluster, so
 * Fedora Copr switches from obs-sign by changing the path of its sign binary.
 * When client.json names a running `qsign agent` ("agent": {"socket": …}),
 * this is a thin client: it loads only the argument parser and the agent's
 * wire format, and the agent signs (docs/agent.md). Otherwise it loads the
 * full client and talks gRPC to the coordinator itself.
 * `sign --which-client` says which of the two a call would use.
 */
import { canReachSocket, callAgent, findAgent, Program } from '@qsign/agent/thin';
import { readFileSync } from 'node:fs';
import { parseObsSignArgs, type ObsSignArgs } from '../obs-sign-args.js';

const argv = process.argv.slice(2);

/** Runs `argv` through the agent; undefined when there is none to use (the caller signs directly). */
async function viaAgent(): Promise<number | undefined> {
  if (argv[0] === '--which-client') {
    const t = findAgent(argv[1] === '--config' ? argv[2] : undefined);
    const live = t && (await canReachSocket(t.socket));
    process.stdout.write(live ? `node-thin agent ${t.socket}\n` : `node-direct${t ? ` (agent ${t.socket} not answering)` : ''}\n`);
    return 0;
  }
  let a: ObsSignArgs | 'help';
  try {
    a = parseObsSignArgs(argv);
  } catch {
    return undefined; // the full client prints the usage error
  }
  if (a === 'help') return undefined;
  const target = findAgent(a.config);
  if (!target) return undefined;
  const filter = a.files.length === 0 && ['rpm', 'clearsign', 'detached', 'rawdetached'].includes(a.mode);
  const io = { stdout: (b: Uint8Array) => void process.stdout.write(b), stderr: (b: Uint8Array | string) => void process.stderr.write(b) };
  const code = await callAgent(target.socket, { program: Program.SIGN, config: target.config, cwd: process.cwd(), argv }, io, filter ? () => new Uint8Array(readFileSync(0)) : undefined);
  if (code !== 'unreachable') return code;
  process.stderr.write(`sign: no agent answers on ${target.socket}; signing directly\n`);
  return undefined;
}

process.exitCode = (await viaAgent()) ?? (await (await import('../obs-sign.js')).obsSign(argv));

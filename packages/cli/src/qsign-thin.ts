/**
 * The thin path of `qsign sign` (docs/agent.md): when the client config names
 * a running `qsign agent`, `qsign sign …` is sent to it as it was typed and
 * the agent runs it with its warm client. This module loads only the agent's
 * wire format: the full CLI (commander, gRPC, noble) is loaded only when
 * there is no agent to use.
 */
import { readFileSync } from 'node:fs';
import { callAgent, findAgent, Program } from '@qsign/agent/thin';

/** gpg-style options of `qsign sign` that take a value (commands/sign.ts). */
const VALUE_LONG = new Set(['--key', '--local-user', '--raw', '--digest-algo', '--output', '--wait', '--config', '--pinentry-mode', '--passphrase-fd', '--passphrase-file', '--homedir', '--status-fd', '--logger-fd']);
const VALUE_SHORT = new Set(['u', 'o', 'c']);
const FLAG_SHORT = new Set(['b', 's', 'a', 'q']);

/**
 * What the thin client must know of `qsign sign` arguments: the config they
 * name and whether the input is stdin. Undefined for --help or anything it
 * cannot read for sure (the full CLI then runs and explains).
 */
export function scanSignArgs(argv: readonly string[]): { config?: string; stdin: boolean } | undefined {
  let config: string | undefined;
  let raw: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h' || a === '--help') return undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      if (!VALUE_LONG.has(name)) continue; // a flag; an unknown one is reported by the agent's parser
      const v = eq < 0 ? argv[++i] : a.slice(eq + 1);
      if (v === undefined) return undefined;
      if (name === '--config') config = v;
      if (name === '--raw') raw = v;
    } else if (a.startsWith('-') && a !== '-') {
      for (let k = 1; k < a.length; k++) {
        const ch = a[k]!;
        if (VALUE_SHORT.has(ch)) {
          const v = a.slice(k + 1) || argv[++i];
          if (v === undefined) return undefined;
          if (ch === 'c') config = v;
          break;
        }
        if (!FLAG_SHORT.has(ch)) return undefined;
      }
    } else positional.push(a);
  }
  return { ...(config !== undefined && { config }), stdin: (raw ?? positional[0] ?? '-') === '-' };
}

/** Runs `qsign sign ARGS` through the agent; undefined when there is none to use (the caller runs the full CLI). */
export async function qsignSignViaAgent(args: readonly string[]): Promise<number | undefined> {
  const scan = scanSignArgs(args);
  const target = scan && findAgent(scan.config);
  if (!scan || !target) return undefined;
  const io = { stdout: (b: Uint8Array) => void process.stdout.write(b), stderr: (b: Uint8Array | string) => void process.stderr.write(b) };
  const code = await callAgent(target.socket, { program: Program.QSIGN_SIGN, config: target.config, cwd: process.cwd(), argv: [...args] }, io, scan.stdin ? () => new Uint8Array(readFileSync(0)) : undefined);
  if (code !== 'unreachable') return code;
  process.stderr.write(`qsign: no agent answers on ${target.socket}; signing directly\n`);
  return undefined;
}

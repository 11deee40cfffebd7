/**
 * The thin side of the agent (docs/agent.md): find the agent a client config
 * names and send it one request. It loads only node:net / node:fs and the
 * wire format — no gRPC, no crypto library — so a `sign` call costs little
 * more than Node's own start-up. Import it as `@qsign/agent/thin`.
 */
import { connect } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FrameReader, MAX_FRAME, WireError, decodeReply, encodeRequest, type AgentRequest } from './wire.js';

export { Program } from './wire.js';

/** Where the agent of a client config listens. */
export interface AgentTarget {
  /** Absolute path of the client config. */
  config: string;
  /** Absolute path of the agent's unix socket. */
  socket: string;
}

/**
 * The client config a command would use (--config, else $QSIGN_CONFIG, else
 * ./client.json, as loadClientConfig looks) and the agent it names in
 * `"agent": {"socket": PATH}` (relative to the config's directory); undefined
 * when there is no config or it names no agent (the caller signs directly
 * and reports config errors its usual way). QSIGN_NO_AGENT=1 skips the agent.
 */
export function findAgent(explicit?: string): AgentTarget | undefined {
  const path = explicit ?? process.env.QSIGN_CONFIG ?? (existsSync('client.json') ? 'client.json' : undefined);
  if (!path || process.env.QSIGN_NO_AGENT === '1') return undefined;
  return agentOfConfig(path);
}

/** The agent the client config at `path` names, or undefined (no agent field, or the file does not read). */
export function agentOfConfig(path: string): AgentTarget | undefined {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as { agent?: { socket?: unknown } };
    const socket = o?.agent?.socket;
    if (typeof socket !== 'string' || !socket) return undefined;
    const config = resolve(path);
    return { config, socket: resolve(dirname(config), socket) };
  } catch {
    return undefined;
  }
}

/** Where the agent's answer goes. */
export interface ThinIo {
  stdout: (b: Uint8Array) => void;
  stderr: (b: Uint8Array | string) => void;
}

/**
 * Sends `req` to the agent at `socket` and relays its output; resolves to
 * the exit code, or 'unreachable' if no agent listens there (nothing was
 * sent, so the caller may sign directly instead).
 */
export function callAgent(socket: string, req: Omit<AgentRequest, 'stdin'>, io: ThinIo, stdin?: () => Uint8Array): Promise<number | 'unreachable'> {
  return new Promise((done) => {
    const s = connect(socket);
    let connected = false;
    const reader = new FrameReader(MAX_FRAME);
    let finished = false;
    const finish = (v: number | 'unreachable') => {
      if (finished) return;
      finished = true;
      s.destroy();
      done(v);
    };
    s.on('connect', () => {
      connected = true;
      // stdin is read only once an agent answers, so a caller that falls back still has it.
      try {
        s.write(encodeRequest({ ...req, ...(stdin && { stdin: stdin() }) }));
      } catch (e) {
        io.stderr(`sign: ${e instanceof Error ? e.message : String(e)}\n`);
        finish(1);
      }
    });
    s.on('data', (chunk: Buffer) => {
      try {
        for (const b of reader.push(chunk)) {
          const r = decodeReply(b);
          if (r.type === 'exit') return finish(r.code);
          (r.type === 'stdout' ? io.stdout : io.stderr)(r.data);
        }
      } catch (e) {
        io.stderr(`sign: bad answer from the agent at ${socket}: ${e instanceof WireError ? e.message : String(e)}\n`);
        finish(1);
      }
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (!connected) return finish('unreachable');
      io.stderr(`sign: lost the agent at ${socket}: ${e.message}\n`);
      finish(1);
    });
    s.on('close', () => {
      if (finished) return;
      if (!connected) return finish('unreachable');
      io.stderr(`sign: the agent at ${socket} closed the connection without an answer\n`);
      finish(1);
    });
  });
}

/** True if something accepts connections on the unix socket `socket` (an agent, a node's operator socket, …). */
export function canReachSocket(socket: string): Promise<boolean> {
  return new Promise((done) => {
    const s = connect(socket);
    s.on('connect', () => {
      s.destroy();
      done(true);
    });
    s.on('error', () => done(false));
  });
}

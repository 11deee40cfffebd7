/**
 * `qsign agent`: the review thread's "trusted proxy" for the client side. A
 * local daemon that holds the client key (from client.json) and a warm
 * mutual-TLS gRPC connection to the coordinator(s), and listens on a unix
 * socket in a 0700 directory (socket 0600). Thin `sign` clients send it
 * their arguments (docs/agent.md); it runs them with its QsignClient, which
 * signs each request body with the client key, so every node checks every
 * request exactly as it does for a direct client.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { realpathSync, rmSync } from 'node:fs';
import { QsignError, errorMessage } from '@qsign/protocol';
import { QsignClient, loadClientConfig } from '@qsign/client';
import { agentOfConfig } from './thin-client.js';
import { clearStaleSocket, prepareSocketDir, restrictSocket } from './socket-dir.js';
import { FrameReader, MAX_FRAME, Program, WireError, decodeRequest, encodeOutput, encodeReply, type AgentRequest } from './wire.js';

/** Where a request's output goes (the caller's stdout / stderr, as frames). */
export interface AgentIo {
  stdout: (s: string | Uint8Array) => void;
  stderr: (s: string) => void;
}

/** Runs one request with the agent's client; resolves to the exit code. */
export type AgentProgram = (req: AgentRequest, io: AgentIo, client: QsignClient) => Promise<number>;

/** Options of {@link startAgent}. */
export interface AgentOptions {
  /** The client config (its key, coordinators, pins; `agent.socket` unless `socket` is given). */
  configPath: string;
  socket?: string;
  /** The programs by wire program number (1: the obs-sign `sign`, 2: `qsign sign`). */
  programs: Record<number, AgentProgram>;
  /** One line per request and per problem (default: stderr). */
  log?: (line: string) => void;
  /** A request must arrive within this time of connecting (default 30 s). */
  requestTimeoutMs?: number;
  /** Most requests served at once (default 16). */
  maxConnections?: number;
}

/** A running agent. */
export interface RunningAgent {
  socket: string;
  /** Stops listening, waits for requests in flight, removes the socket, closes the connection. */
  stop(): Promise<void>;
}

const enc = new TextEncoder();

/** Starts the agent; resolves once it listens. */
export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const config = loadClientConfig(o.configPath);
  const socket = o.socket ?? agentOfConfig(o.configPath)?.socket;
  if (!socket) throw new QsignError('CONFIG', `${o.configPath} names no agent socket ("agent": {"socket": PATH}); pass --socket PATH`);
  const own = realpathSync(o.configPath);
  const log = o.log ?? ((l: string) => void process.stderr.write(`${l}\n`));
  prepareSocketDir(socket);
  await clearStaleSocket(socket);
  const client = new QsignClient(config, (m) => log(`failover: ${m}`));
  const inFlight = new Set<Promise<void>>();
  // allowHalfOpen: a client that half-closes inside a frame still hears why it was refused.
  const server: Server = createServer({ allowHalfOpen: true }, (conn) => {
    const p = serve(conn, { own, client, programs: o.programs, log, timeoutMs: o.requestTimeoutMs ?? 30_000 }).finally(() => inFlight.delete(p));
    inFlight.add(p);
  });
  server.maxConnections = o.maxConnections ?? 16;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(socket, () => {
      server.off('error', fail);
      ok();
    });
  });
  restrictSocket(socket);
  server.on('error', (e) => log(`socket error: ${errorMessage(e)}`));
  // Warm the connection now (TLS handshake, HTTP/2 settings), and keep it from idling out.
  const warm = () => client.status().then(() => undefined, (e) => log(`coordinator not answering yet: ${errorMessage(e)}`));
  void warm();
  const timer = setInterval(warm, 240_000);
  timer.unref();
  log(`qsign agent: listening on ${socket} for ${own} (client ${config.clientName}, coordinator ${client.coordinator})`);
  return {
    socket,
    async stop() {
      clearInterval(timer);
      await new Promise<void>((done) => server.close(() => done()));
      await Promise.allSettled([...inFlight]);
      rmSync(socket, { force: true });
      client.close();
    },
  };
}

interface ServeContext {
  own: string;
  client: QsignClient;
  programs: Record<number, AgentProgram>;
  log: (line: string) => void;
  timeoutMs: number;
}

/** Reads one request frame from `conn`, runs it, answers; never throws. */
async function serve(conn: Socket, c: ServeContext): Promise<void> {
  const send = (frames: Uint8Array[]) => {
    for (const f of frames) if (!conn.destroyed) conn.write(f);
  };
  const refuse = (why: string) => {
    c.log(`refused a request: ${why}`);
    send([...encodeOutput('stderr', enc.encode(`sign: the agent refused the request: ${why}\n`)), encodeReply({ type: 'exit', code: 1 })]);
    conn.end();
    conn.resume(); // discard the rest of an oversize frame rather than read it
    setTimeout(() => conn.destroy(), 2000).unref();
  };
  conn.on('error', () => undefined); // a client that went away: its files are still written atomically
  let req: AgentRequest | undefined;
  try {
    req = await readRequest(conn, c.timeoutMs);
  } catch (e) {
    return refuse(e instanceof WireError || e instanceof QsignError ? e.message : errorMessage(e));
  }
  if (!req) return void conn.end(); // a probe (connect, then close): nothing to answer
  try {
    if (safeRealpath(req.config) !== c.own)
      return refuse(`this agent serves ${c.own}, not ${req.config}: start one for it ('qsign agent --config ${req.config}') or remove its "agent" field`);
    const program = c.programs[req.program];
    if (!program) return refuse(`this agent does not run program ${req.program}`);
    const started = Date.now();
    const io: AgentIo = {
      stdout: (s) => send(encodeOutput('stdout', typeof s === 'string' ? enc.encode(s) : s)),
      stderr: (s) => send(encodeOutput('stderr', enc.encode(s))),
    };
    let code: number;
    try {
      code = await program(req, io, c.client);
    } catch (e) {
      io.stderr(`sign: ${errorMessage(e)}\n`);
      code = 1;
    }
    c.log(`${req.program === Program.QSIGN_SIGN ? 'qsign sign' : 'sign'} ${req.argv.join(' ')} (in ${req.cwd}): exit ${code}, ${Date.now() - started} ms`);
    send([encodeReply({ type: 'exit', code })]);
    conn.end();
  } catch (e) {
    c.log(`internal error: ${errorMessage(e)}`);
    conn.destroy();
  }
}

function safeRealpath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

/**
 * Collects exactly one request frame (undefined: the peer closed without
 * sending a byte, as a liveness probe does); refuses oversize or malformed
 * frames as soon as their header shows it.
 */
function readRequest(conn: Socket, timeoutMs: number): Promise<AgentRequest | undefined> {
  return new Promise((ok, fail) => {
    const reader = new FrameReader(MAX_FRAME);
    let size = 0;
    const timer = setTimeout(() => stop(new WireError(`no complete request within ${timeoutMs / 1000} s`)), timeoutMs);
    const stop = (e?: Error, r?: AgentRequest) => {
      clearTimeout(timer);
      conn.off('data', onData);
      conn.off('end', onEnd);
      if (e) fail(e);
      else ok(r);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      try {
        const bodies = reader.push(chunk);
        if (bodies.length === 0) return;
        if (bodies.length > 1 || reader.buffered > 0) throw new WireError('more than one frame: one request per connection');
        stop(undefined, decodeRequest(bodies[0]!));
      } catch (e) {
        stop(e as Error);
      }
    };
    const onEnd = () => (size === 0 ? stop() : stop(new WireError(`the connection closed inside a frame (${size} bytes read)`)));
    conn.on('data', onData);
    conn.on('end', onEnd);
  });
}

/**
 * Operations plumbing both daemons share: the structured JSON logger (pino,
 * one JSON object per line on stderr), the HTTP endpoint that serves
 * Prometheus metrics, and prom-client helpers. The daemons' own log.ts and
 * metrics.ts modules say what is logged and measured. prom-client is the
 * standard Node.js Prometheus client (plain JavaScript, no install scripts,
 * registries that are not global); pino the common structured logger.
 */
import { createServer, type Server } from 'node:http';
import { pino } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { QsignError, errorMessage } from '@qsign/protocol';

/** Extra fields of one log line: plain values only (strings, numbers, booleans). */
export type LogFields = Record<string, string | number | boolean | undefined> & { level?: 'debug' | 'info' | 'warn' | 'error' };

/** A daemon's log function: a message and optional fields (e.g. `requestId`). */
export type Log = (msg: string, fields?: LogFields) => void;

/**
 * A JSON-lines logger on stderr with `base` fields on every line (e.g.
 * `{ daemon: "node", nodeId: 3 }`). Writes synchronously, so lines before a
 * crash are not lost. Only plain field values are kept: a byte array (a
 * share, a nonce) can never be passed through a field by mistake.
 */
export function daemonLogger(base: Record<string, string | number>, level = process.env.QSIGN_LOG_LEVEL ?? 'info'): Log {
  const logger = pino({ base, level, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, pino.destination({ fd: 2, sync: true }));
  return (msg, fields = {}) => {
    const { level: lvl = 'info', ...rest } = fields;
    const plain: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(rest)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') plain[k] = v;
    logger[lvl](plain, msg);
  };
}

/** A running metrics endpoint. */
export interface MetricsEndpoint {
  server: Server;
  /** The bound address, "host:port". */
  address: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text exposition format) on `listen`
 * ("host:port"; port 0 picks one). Anything else is 404. No request body is
 * read and no secret is ever rendered: `render` gives counters and gauges only.
 */
export async function serveMetrics(listen: string, render: () => Promise<{ contentType: string; body: string }>, log: Log): Promise<MetricsEndpoint> {
  const m = /^(\[[0-9a-fA-F:]+\]|[^\s:]+):(\d{1,5})$/.exec(listen);
  if (!m) throw new QsignError('CONFIG', `metricsListen must be host:port, got ${JSON.stringify(listen)}`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at GET /metrics\n');
      return;
    }
    render().then(
      (out) => res.writeHead(200, { 'content-type': out.contentType }).end(out.body),
      (e) => {
        log(`cannot render metrics: ${errorMessage(e)}`, { level: 'error' });
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new QsignError('CONFIG', `cannot serve metrics on ${listen}: ${errorMessage(e)}`)));
    server.listen(Number(m[2]), host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    server,
    address: `${m[1]}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Validates a `metricsListen` config value: "off" (the default) or host:port. */
export function parseMetricsListen(v: unknown, bad: (field: string, why: string) => never, field = 'metricsListen'): string {
  if (v === undefined || v === 'off') return 'off';
  if (typeof v !== 'string' || !/^(\[[0-9a-fA-F:]+\]|[^\s:]+):\d{1,5}$/.test(v)) bad(field, `must be "off" or host:port (e.g. "127.0.0.1:${field === 'metricsListen' ? 9464 : 7180}"; it is not authenticated, keep it on loopback or a monitoring network)`);
  return v as string;
}

/** Latency buckets in seconds: a share takes milliseconds, a busy or held request seconds to minutes. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

/**
 * A gauge in `registry` read at scrape time: `read` gives one value, a map of
 * label value → value (for gauges with one label, `label`), or undefined
 * (no sample).
 */
export function scrapedGauge(
  registry: Registry,
  name: string,
  help: string,
  read: () => number | undefined | Map<string, number> | Promise<number | undefined | Map<string, number>>,
  label?: string,
): Gauge<string> {
  return new Gauge({
    name,
    help,
    labelNames: label ? [label] : [],
    registers: [registry],
    async collect() {
      const v = await read();
      this.reset();
      if (v instanceof Map) for (const [k, x] of v) this.set({ [label!]: k }, x);
      else if (v !== undefined) this.set(v);
    },
  });
}

/** The exposition text of `registry`, for serveMetrics. */
export async function renderMetrics(registry: Registry): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

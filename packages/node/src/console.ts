/**
 * The node's web console (issue 6): server-rendered HTML over node:http,
 * with no client-side JavaScript and no external assets, so there is no
 * front-end supply chain at all (docs/operators.md explains the choice).
 *
 * Security: bound to 127.0.0.1 by default (reach it with SSH forwarding);
 * login with a one-time token minted over the 0600 operator socket for a
 * named local user (`qsign console`); the session cookie is HttpOnly and
 * SameSite=Strict; every POST also needs the session's CSRF token and a
 * same-origin Origin / Sec-Fetch-Site; the Host header must be the console's
 * own (DNS rebinding); a strict CSP forbids scripts, frames and foreign
 * form targets.
 */
import { decodeRecord, type AuditRecord } from '@qsign/audit';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { QSIGN_HINT, QsignError, errorMessage } from '@qsign/protocol';
import type { NodeStore } from '@qsign/storage';
import type { Approvals, Hold } from './approvals.js';
import type { NodeConfig } from './config.js';
import { sha256Hex } from './digest.js';

/** What the console shows and acts on. */
export interface ConsoleDeps {
  config: NodeConfig;
  store: NodeStore;
  approvals: Approvals;
  startedAtMs: number;
  sealed: () => boolean;
  log: (m: string) => void;
}

/** Lifetime of a login token minted by `qsign console`. */
export const LOGIN_TOKEN_TTL_MS = 10 * 60_000;
/** Lifetime of a console session. */
export const SESSION_TTL_MS = 8 * 3_600_000;
const COOKIE = 'qsign_session';
const MAX_BODY = 16 * 1024;

const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:10px 20px;display:flex;gap:24px;align-items:center}
header a{color:#fff}header b{font-size:16px}header form{margin-left:auto}main{padding:16px 20px}
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin-bottom:16px;padding:12px 16px}
h2{font-size:15px;margin:0 0 8px}table{border-collapse:collapse;width:100%}
td,th{text-align:left;border-bottom:1px solid #eaeef2;padding:4px 6px;vertical-align:top}
code{font:12px ui-monospace,monospace}.ok{color:#1a7f37}.bad{color:#cf222e}.muted{color:#57606a}
form.inline{display:inline-flex;gap:4px;margin:2px 0}input[type=text],input[type=password]{padding:3px 6px}
button{padding:3px 10px;cursor:pointer}.approve{background:#1f883d;color:#fff;border:1px solid #1a7f37}
.deny{background:#cf222e;color:#fff;border:1px solid #a40e26}.login{max-width:420px;margin:80px auto}
.msg{padding:8px 12px;border-radius:6px;background:#ddf4ff;border:1px solid #54aeff;margin-bottom:12px}`;

/** Escapes text for HTML element and attribute content. */
export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const when = (ms: number) => (ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');

interface Session {
  operator: string;
  csrf: string;
  expiresAtMs: number;
}

/** A running console. */
export class WebConsole {
  readonly #tokens = new Map<string, { operator: string; expiresAtMs: number }>();
  readonly #sessions = new Map<string, Session>();
  #hosts = new Set<string>();
  #url = '';

  private constructor(
    private readonly deps: ConsoleDeps,
    private readonly server: Server,
  ) {}

  /** Starts the console on `listen` ("host:port", port 0 picks one). */
  static async start(deps: ConsoleDeps, listen: string): Promise<WebConsole> {
    const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(listen)!;
    const host = m[1]!;
    const server = createServer();
    const c = new WebConsole(deps, server);
    server.on('request', (req, res) => void c.#handle(req, res).catch((e) => c.#fail(res, e)));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(m[2]), host, () => resolve());
    });
    const port = (server.address() as { port: number }).port;
    const shown = host.includes(':') ? `[${host}]` : host;
    c.#url = `http://${shown}:${port}/`;
    c.#hosts = new Set([`${shown}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);
    return c;
  }

  /** The console's address. */
  get url(): string {
    return this.#url;
  }

  /** Mints a one-time login token for a local operator (called over the operator socket). */
  mintLogin(operator: string): { url: string; token: string; expiresAtMs: number } {
    const token = randomBytes(24).toString('base64url');
    const expiresAtMs = Date.now() + LOGIN_TOKEN_TTL_MS;
    for (const [k, v] of this.#tokens) if (v.expiresAtMs < Date.now()) this.#tokens.delete(k);
    this.#tokens.set(sha256Hex(token), { operator, expiresAtMs });
    return { url: `${this.#url}login`, token, expiresAtMs };
  }

  /** Stops listening. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  #fail(res: ServerResponse, e: unknown): void {
    if (!(e instanceof QsignError)) this.deps.log(`console error: ${errorMessage(e)}`);
    if (res.headersSent) return void res.end();
    const msg = e instanceof QsignError ? e.message : 'internal error (see the node log)';
    this.#send(res, e instanceof QsignError ? 400 : 500, this.#page('Error', `<section><p class="bad">${esc(msg)}</p><p><a href="/">back</a></p></section>`));
  }

  #send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}, type = 'text/html; charset=utf-8'): void {
    res.writeHead(status, {
      'content-type': type,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      // Not no-referrer: with it Chromium sends "Origin: null" on our own form posts.
      'referrer-policy': 'same-origin',
      'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      ...headers,
    });
    res.end(body);
  }

  #refuse(res: ServerResponse, status: number, why: string): void {
    this.deps.log(`console refused a request: ${why}`);
    this.#send(res, status, this.#page('Refused', `<section><p class="bad">${esc(why)}</p><p><a href="/login">log in</a></p></section>`));
  }

  #session(req: IncomingMessage): Session | undefined {
    const m = new RegExp(`(?:^|;\\s*)${COOKIE}=([A-Za-z0-9_-]{20,100})`).exec(req.headers.cookie ?? '');
    if (!m) return undefined;
    const s = this.#sessions.get(sha256Hex(m[1]!));
    if (!s || s.expiresAtMs < Date.now()) return undefined;
    return s;
  }

  /** Same-origin check for state-changing requests: Origin and Sec-Fetch-Site when the browser sends them. */
  #crossSite(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) return `cross-origin POST from ${origin} refused`;
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return `cross-site POST (Sec-Fetch-Site: ${site}) refused`;
    return undefined;
  }

  async #form(req: IncomingMessage): Promise<URLSearchParams> {
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) throw new QsignError('INVALID_ARGUMENT', 'forms only (application/x-www-form-urlencoded)');
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of req) {
      n += (c as Buffer).length;
      if (n > MAX_BODY) throw new QsignError('INVALID_ARGUMENT', 'form too large');
      chunks.push(c as Buffer);
    }
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.#hosts.has(req.headers.host ?? '')) return this.#refuse(res, 421, `unexpected Host header ${JSON.stringify(req.headers.host ?? '')} (DNS rebinding protection)`);
    const url = new URL(req.url ?? '/', this.#url);
    const path = url.pathname;
    if (req.method === 'GET' && path === '/style.css') return this.#send(res, 200, STYLE, { 'cache-control': 'max-age=3600' }, 'text/css; charset=utf-8');
    if (req.method === 'GET' && path === '/favicon.ico') return this.#send(res, 204, '');
    if (req.method === 'GET' && path === '/login') return this.#send(res, 200, this.#loginPage());
    if (req.method === 'POST') {
      const cross = this.#crossSite(req);
      if (cross) return this.#refuse(res, 403, cross);
      if (path === '/login') return this.#login(req, res);
    }
    const session = this.#session(req);
    if (!session) return this.#refuse(res, 401, `not logged in: get a login token with '${QSIGN_HINT} console --socket ${this.deps.config.adminSocket}' on the node host`);
    if (req.method === 'GET' && path === '/') return this.#send(res, 200, await this.#dashboard(session, url.searchParams.get('msg') ?? ''));
    const hold = /^\/holds\/([0-9a-f]{12})(\/decide)?$/.exec(path);
    if (req.method === 'GET' && hold && !hold[2]) return this.#send(res, 200, this.#holdPage(session, await this.deps.approvals.find(hold[1]!)));
    if (req.method === 'POST') {
      const form = await this.#form(req);
      if (!same(form.get('csrf') ?? '', session.csrf)) return this.#refuse(res, 403, 'missing or wrong CSRF token');
      if (path === '/logout') {
        for (const [k, v] of this.#sessions) if (v === session) this.#sessions.delete(k);
        return this.#send(res, 303, '', { location: '/login', 'set-cookie': `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` });
      }
      if (hold && hold[2]) {
        const approve = form.get('action') === 'approve';
        if (!approve && form.get('action') !== 'deny') throw new QsignError('INVALID_ARGUMENT', 'action must be approve or deny');
        const h = await this.deps.approvals.decide(hold[1]!, approve, form.get('note') ?? '', `${session.operator}@console`);
        this.deps.log(`hold ${h.holdId} (request ${h.requestId}, key ${h.keyName}) ${h.status} by operator ${h.decidedBy} in the web console`);
        return this.#send(res, 303, '', { location: `/?msg=${encodeURIComponent(`hold ${h.holdId} ${h.status}`)}` });
      }
    }
    this.#send(res, 404, this.#page('Not found', '<section><p>Not found. <a href="/">Home</a></p></section>'));
  }

  async #login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await this.#form(req);
    const token = form.get('token') ?? '';
    const entry = this.#tokens.get(sha256Hex(token));
    if (!token || !entry || entry.expiresAtMs < Date.now()) return this.#refuse(res, 403, 'invalid or expired login token');
    this.#tokens.delete(sha256Hex(token)); // one use
    const sid = randomBytes(32).toString('base64url');
    this.#sessions.set(sha256Hex(sid), { operator: entry.operator, csrf: randomBytes(24).toString('base64url'), expiresAtMs: Date.now() + SESSION_TTL_MS });
    this.deps.log(`console login by operator ${entry.operator}`);
    this.#send(res, 303, '', { location: '/', 'set-cookie': `${COOKIE}=${sid}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}` });
  }

  #page(title: string, body: string, session?: Session): string {
    const n = this.deps.config.nodeId;
    const who = session
      ? `<span>operator <b>${esc(session.operator)}</b></span><form method="post" action="/logout"><input type="hidden" name="csrf" value="${esc(session.csrf)}"><button>Log out</button></form>`
      : '';
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)} · qsign node ${n}</title><link rel="stylesheet" href="/style.css"></head><body><header><b>qsign node ${n}</b><a href="/">pending &amp; activity</a>${who}</header><main>${body}</main></body></html>`;
  }

  #loginPage(): string {
    return this.#page(
      'Log in',
      `<section class="login"><h2>Log in to node ${this.deps.config.nodeId}</h2><p class="muted">On the node host, run <code>${esc(QSIGN_HINT)} console --socket ${esc(this.deps.config.adminSocket)}</code> (you need access to the operator socket) and paste the one-time token it prints.</p>
<form method="post" action="/login"><input type="password" name="token" autocomplete="off" size="40" placeholder="login token" required> <button>Log in</button></form></section>`,
    );
  }

  #decideForms(s: Session, h: Hold): string {
    const csrf = `<input type="hidden" name="csrf" value="${esc(s.csrf)}">`;
    return `<form class="inline" method="post" action="/holds/${h.holdId}/decide">${csrf}<input type="hidden" name="action" value="approve"><input type="text" name="note" placeholder="comment (optional)"><button class="approve" name="approve-${h.holdId}">Approve</button></form>
<form class="inline" method="post" action="/holds/${h.holdId}/decide">${csrf}<input type="hidden" name="action" value="deny"><input type="text" name="note" placeholder="reason (required)" required><button class="deny" name="deny-${h.holdId}">Deny</button></form>`;
  }

  async #dashboard(s: Session, msg: string): Promise<string> {
    const d = this.deps;
    const pending = await d.approvals.list(false);
    const rows = pending
      .map(
        (h) => `<tr id="hold-${h.holdId}"><td><a href="/holds/${h.holdId}"><code>${h.holdId}</code></a></td><td>${esc(h.keyName)}</td><td>${esc(h.client)}</td><td>${esc(h.kind)}</td>
<td>${h.rpm ? `<b class="rpm-name">${esc(h.rpm.name)}</b><br><code>${esc(h.rpm.nevra)}</code><br><span class="muted">${h.rpm.files.length} files</span>` : esc(h.fileName)}</td>
<td><code title="${esc(h.dataSha256)}">${esc(h.dataSha256.slice(0, 16))}…</code></td><td>${esc(when(h.heldAtMs))}<br><span class="muted">expires ${esc(when(h.expiresAtMs))}</span></td><td>${esc(h.reason)}</td><td>${this.#decideForms(s, h)}</td></tr>`,
      )
      .join('');
    const activity: string[] = [];
    const from = Math.max(0, d.store.audit.size - 25);
    for await (const r of d.store.audit.records(from)) {
      const a = decodeRecord(r.bytes);
      const { client, operator, rpm, detail } = activityOf(a);
      const who = [client && `<span class="client">${esc(client)}</span>`, operator && `<span class="operator">operator ${esc(operator)}</span>`].filter(Boolean).join('<br>');
      const what = [rpm && `<b class="rpm-name">${esc(rpm)}</b>`, detail && esc(detail)].filter(Boolean).join('<br>');
      activity.unshift(`<tr class="activity"><td>${a.seq}</td><td>${esc(when(Number(a.timeMs)))}</td><td class="${a.event === 'refused' || a.event === 'hold-denied' ? 'bad' : ''}">${esc(String(a.event))}</td><td>${esc(String(a.keyName ?? ''))}</td><td>${who}</td><td>${what}</td></tr>`);
    }
    const keys = await d.store.listKeys();
    const keyRows: string[] = [];
    for (const name of keys.slice(0, 100)) {
      const k = await d.store.getKey(name);
      if (k) keyRows.push(`<tr><td>${esc(name)}</td><td>${k.minSigners}-of-${k.maxSigners}</td><td>${k.identifier}</td><td><code>${esc(k.fingerprint ?? '')}</code></td><td>${esc(k.userId)}</td></tr>`);
    }
    const sealed = d.sealed();
    const up = Math.round((Date.now() - d.startedAtMs) / 1000);
    return this.#page(
      'Console',
      `${msg ? `<div class="msg">${esc(msg)}</div>` : ''}
<section><h2>Health</h2><table><tr><th>seal state</th><td class="${sealed ? 'bad' : 'ok'}">${sealed ? 'SEALED' : 'unsealed'}</td><th>up</th><td>${up} s (since ${esc(when(d.startedAtMs))})</td><th>listening</th><td><code>${esc(d.config.listen)}</code></td></tr>
<tr><th>keys</th><td>${keys.length}</td><th>unused nonces</th><td>${d.store.nonceCount}</td><th>audit records</th><td>${d.store.audit.size}</td></tr></table></section>
<section><h2>Pending requests (${pending.length})</h2>${pending.length ? `<table><tr><th>hold</th><th>key</th><th>client</th><th>kind</th><th>file / RPM</th><th>data SHA-256</th><th>held</th><th>why held</th><th>decision</th></tr>${rows}</table>` : '<p class="muted">Nothing waits for you.</p>'}</section>
<section><h2>Recent activity</h2><table><tr><th>#</th><th>time</th><th>event</th><th>key</th><th>who</th><th>detail</th></tr>${activity.join('')}</table></section>
<section><h2>Keys</h2><table><tr><th>name</th><th>threshold</th><th>this node's id</th><th>fingerprint</th><th>user id</th></tr>${keyRows.join('')}</table>${keys.length > 100 ? `<p class="muted">and ${keys.length - 100} more</p>` : ''}</section>`,
      s,
    );
  }

  #holdPage(s: Session, h: Hold): string {
    const row = (k: string, v: string) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`;
    return this.#page(
      `Hold ${h.holdId}`,
      `<section><h2>Held request ${h.holdId} — ${esc(h.status)}</h2><table>
${row('key', esc(h.keyName))}${row('client', esc(h.client))}${row('kind', esc(h.kind))}${row('file', `${esc(h.fileName)} (${h.fileSize} bytes)`)}
${row('data SHA-256', `<code>${esc(h.dataSha256)}</code>`)}${row('request id', `<code>${esc(h.requestId)}</code>`)}${h.rpm ? row('RPM', `<b class="rpm-name">${esc(h.rpm.name)}</b> <code>${esc(h.rpm.nevra)}</code>`) : ''}
${row('held', esc(when(h.heldAtMs)))}${row('expires', esc(when(h.expiresAtMs)))}${row('rule', `<code>${esc(h.rule)}</code>`)}${row('why', esc(h.reason))}
${h.decidedBy ? row('decided', `${esc(h.status)} by ${esc(h.decidedBy)} at ${esc(when(h.decidedAtMs ?? 0))}: ${esc(h.note)}`) : ''}
</table>${h.status === 'pending' ? this.#decideForms(s, h) : ''}</section>
${h.rpm ? `<section><h2>Files (${h.rpm.files.length})</h2><pre>${esc(h.rpm.files.join('\n'))}</pre></section>` : ''}`,
      s,
    );
  }
}

/**
 * Who and what an audit record names, for the activity table: the client
 * (`clientId`), the operator (`details.operator` of a decision, or of the
 * approved hold a signature used), the RPM (`rpm.nevra`, or the NEVRA a hold
 * record keeps in details) and a reason, comment or file name.
 */
export function activityOf(a: AuditRecord): { client: string; operator: string; rpm: string; detail: string } {
  const d: Record<string, unknown> = a.details ?? {};
  const s = (v: unknown): string => (typeof v === 'string' ? v : '');
  const rpm = a.rpm as { nevra?: unknown; name?: unknown } | undefined;
  return {
    client: s(a.clientId),
    operator: s(d.operator) || s((d.approvedHold as { operator?: unknown } | undefined)?.operator),
    rpm: s(rpm?.nevra) || s(rpm?.name) || s(d.rpm) || s((d.rpm as { nevra?: unknown } | undefined)?.nevra),
    detail: s(a.reason) || s(d.comment) || s(a.fileName),
  };
}

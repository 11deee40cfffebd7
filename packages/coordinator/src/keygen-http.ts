/**
 * copr-keygen compatibility: the HTTP API Copr's keygen step calls, served
 * by the coordinator (loopback by default). `GET /ping` → "pong";
 * `POST /gen_key` with JSON {name_real, name_email} → 201 when the key was
 * created (by DKG), 200 when it already exists, 400 for bad input. The key
 * is named by the email, as Copr's `sign -u EMAIL` looks it up.
 * With TLS the API is HTTPS and wants a client certificate from the cluster
 * CA naming a client (qsign:client:NAME); it follows certificate reloads.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { errorMessage, isKeyEmail, isQsignError, isValidKeyName } from '@qsign/protocol';
import { describeIdentity, identityOfCertificate, type TransportSecurity } from '@qsign/rpc';
import type { CoordinatorKeys } from './keys.js';

/** Largest request body accepted. */
const MAX_BODY = 16 * 1024;

/** A valid gen_key request, or why not. */
export function validateGenKey(body: unknown): { nameReal: string; email: string } | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object {name_real, name_email}';
  const o = body as Record<string, unknown>;
  const email = o.name_email;
  const real = o.name_real;
  if (!isKeyEmail(email) || !isValidKeyName(email)) return 'name_email must be an email address (letters, digits, . _ - # in the local part, as Copr\'s USER#PROJECT@copr.DOMAIN)';
  if (typeof real !== 'string' || real.trim().length === 0 || real.length > 200 || /[<>\u0000-\u001f\u007f]/.test(real)) return 'name_real must be 1-200 characters without <, > or control characters';
  return { nameReal: real.trim(), email };
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the copr-keygen HTTP API on `listen` ("host:port"); resolves with the server and port. */
export async function startKeygenHttp(keys: CoordinatorKeys, listen: string, log: (m: string) => void, security: TransportSecurity = { kind: 'insecure' }): Promise<{ server: Server; port: number }> {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      if (security.kind === 'mtls') {
        const peer = identityOfCertificate((req.socket as TLSSocket).getPeerCertificate());
        if (peer?.role !== 'client') {
          log(`TLS: copr-keygen refuses ${describeIdentity(peer)}: only client certificates may create keys`);
          return send(res, 403, `only client certificates (qsign:client:NAME) may use this API; got ${describeIdentity(peer)}`);
        }
      }
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/ping') return send(res, 200, 'pong');
      if (path !== '/gen_key') return send(res, 404, 'not found');
      if (req.method !== 'POST') return send(res, 405, 'use POST');
      const text = await readBody(req);
      if (text === undefined) return send(res, 413, 'request body too large');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return send(res, 400, 'body is not valid JSON');
      }
      const v = validateGenKey(body);
      if (typeof v === 'string') return send(res, 400, v);
      try {
        const k = await keys.generateKey(v.email, `${v.nameReal} <${v.email}>`);
        log(`gen_key ${v.email}: ${k.created ? 'created' : 'exists'}`);
        return send(res, k.created ? 201 : 200, k.created ? 'created' : 'exists');
      } catch (e) {
        log(`gen_key ${v.email} failed: ${errorMessage(e)}`);
        return send(res, isQsignError(e, 'INVALID_ARGUMENT') ? 400 : 500, `key generation failed: ${errorMessage(e)}`);
      }
    })().catch((e) => {
      log(`keygen http internal error: ${errorMessage(e)}`);
      if (!res.headersSent) send(res, 500, 'internal error');
    });
  };
  const server = security.kind === 'mtls' ? httpsServer(security, handler) : createServer(handler);
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i);
  const port = Number(listen.slice(i + 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as { port: number }).port };
}

/** An HTTPS server requiring client certificates from the cluster CA; it swaps its context on every TLS reload. */
function httpsServer(security: Extract<TransportSecurity, { kind: 'mtls' }>, handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const server = createHttpsServer({ ...security.material.contextOptions(), requestCert: true, rejectUnauthorized: true }, handler);
  security.material.onReload = () => server.setSecureContext(security.material.contextOptions());
  return server as unknown as Server;
}

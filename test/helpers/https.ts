/**
 * HTTPS requests with a client certificate (the copr-keygen API wants one
 * from the cluster CA, docs/tls.md); fetch() cannot present one.
 */
import { request } from 'node:https';
import { readFileSync } from 'node:fs';

/** Sends one request to https://ADDRESS/PATH; `tls` names PEM files (cert/key may be omitted to send none). */
export function httpsRequest(
  address: string,
  path: string,
  tls: { ca: string; cert?: string; key?: string },
  opts: { method?: string; body?: unknown } = {},
): Promise<{ status: number; text: string }> {
  const i = address.lastIndexOf(':');
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address.slice(0, i),
        port: Number(address.slice(i + 1)),
        path,
        method: opts.method ?? 'GET',
        headers: body ? { 'content-type': 'application/json' } : {},
        ca: readFileSync(tls.ca),
        cert: tls.cert ? readFileSync(tls.cert) : undefined,
        key: tls.key ? readFileSync(tls.key) : undefined,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

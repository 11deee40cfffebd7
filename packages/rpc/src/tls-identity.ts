/**
 * Who is on the other end of a mutual-TLS connection. Every qsign
 * certificate names exactly one identity as a subjectAltName URI
 * (RFC 5280 §4.2.1.6): `qsign:node:3`, `qsign:coordinator:NAME` or
 * `qsign:client:NAME`. Access rules (which identity may call which method)
 * are the daemons' business; this module only names and parses identities.
 */

/** The three kinds of party in a cluster. */
export type PeerRole = 'node' | 'coordinator' | 'client';

/** An identity taken from a verified certificate. */
export interface PeerIdentity {
  role: PeerRole;
  /** Node id (decimal) for nodes, the configured name otherwise. */
  name: string;
}

const URI = /^qsign:(node|coordinator|client):([A-Za-z0-9._@+-]{1,128})$/;

/** The SAN URI of an identity, e.g. "qsign:node:3". */
export function identityUri(id: PeerIdentity): string {
  return `qsign:${id.role}:${id.name}`;
}

/** Parses "qsign:ROLE:NAME"; undefined if it is not one (node names must be ids 1..65535). */
export function parseIdentityUri(uri: string): PeerIdentity | undefined {
  const m = URI.exec(uri);
  if (!m) return undefined;
  const id = { role: m[1] as PeerRole, name: m[2]! };
  if (id.role === 'node' && !(/^[1-9]\d{0,4}$/.test(id.name) && Number(id.name) <= 0xffff)) return undefined;
  return id;
}

/**
 * The identity a certificate names, from node:tls's `subjectaltname` string
 * ("URI:qsign:node:3, IP Address:127.0.0.1"); undefined unless it names
 * exactly one qsign identity.
 */
export function identityOfCertificate(cert: { subjectaltname?: string } | undefined): PeerIdentity | undefined {
  const uris = (cert?.subjectaltname ?? '')
    .split(', ')
    .filter((s) => s.startsWith('URI:qsign:'))
    .map((s) => parseIdentityUri(s.slice(4)));
  return uris.length === 1 ? uris[0] : undefined;
}

/** "qsign:node:3" for messages; "no qsign identity" when there is none. */
export function describeIdentity(id: PeerIdentity | undefined): string {
  return id ? identityUri(id) : 'a certificate with no qsign identity';
}

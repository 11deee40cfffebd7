/**
 * `qsign pki`: a per-cluster certificate authority for mutual TLS
 * (docs/tls.md). X.509 v3 (RFC 5280) with ECDSA P-256 / SHA-256 keys,
 * which every TLS stack (OpenSSL, grpc-js, curl) handles; each leaf
 * certificate names exactly one qsign identity as a subjectAltName URI
 * (`qsign:node:3`, `qsign:coordinator:NAME`, `qsign:client:NAME`) plus the
 * host names / IP addresses it is reached at.
 *
 * node:crypto verifies certificates but cannot issue them; @peculiar/x509
 * (a maintained, pure TypeScript X.509 library over WebCrypto, prebuilt)
 * builds them, and node's WebCrypto makes the keys and signatures.
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection (tsyringe) needs the Reflect polyfill
import * as x509 from '@peculiar/x509';
import { X509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { QsignError, errorMessage } from '@qsign/protocol';
import { identityUri, parseIdentityUri, type PeerIdentity } from '@qsign/rpc';
import { pkiPaths } from './pki-files.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export { pkiPaths };

/** A random positive 128-bit serial number, hex (RFC 5280 §4.1.2.2). */
function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }) as string;
}

/** Creates DIR/ca.crt and DIR/ca.key (0600): the cluster's own CA. Refuses to overwrite one. */
export async function pkiInit(dir: string, opts: { name?: string; days?: number } = {}): Promise<{ caCert: string; caKey: string }> {
  const p = pkiPaths(dir);
  if (existsSync(p.caKey) || existsSync(p.caCert)) throw new QsignError('INVALID_ARGUMENT', `${dir} already holds a CA (ca.crt/ca.key); refusing to replace it`);
  mkdirSync(resolve(dir), { recursive: true, mode: 0o700 });
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${(opts.name ?? 'qsign cluster CA').replace(/[,=+<>#;\\"]/g, ' ')}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + (opts.days ?? 3650) * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  writeFileSync(p.caKey, await pkcs8Pem(keys.privateKey), { mode: 0o600 });
  writeFileSync(p.caCert, cert.toString('pem') + '\n');
  return p;
}

/** Options of {@link pkiIssue}. */
export interface IssueOptions {
  /** Host names and IP addresses the party is reached at (subjectAltName DNS / IP). */
  hosts?: string[];
  days?: number;
  /** Output prefix: writes PREFIX.crt and PREFIX.key (default DIR/ROLE-NAME). */
  out?: string;
}

/** Issues a certificate for `identity` signed by the CA in `dir`; writes PREFIX.crt and PREFIX.key (0600). */
export async function pkiIssue(dir: string, identity: PeerIdentity, opts: IssueOptions = {}): Promise<{ cert: string; key: string }> {
  const uri = identityUri(identity);
  if (!parseIdentityUri(uri)) throw new QsignError('INVALID_ARGUMENT', `not a valid identity: ${uri} (node ids are 1..65535; names use letters, digits and ._@+-)`);
  const p = pkiPaths(dir);
  let ca: x509.X509Certificate;
  let caKey: webcrypto.CryptoKey;
  try {
    ca = new x509.X509Certificate(readFileSync(p.caCert, 'utf8'));
    const der = createPrivateKey(readFileSync(p.caKey)).export({ format: 'der', type: 'pkcs8' });
    caKey = (await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign'])) ;
  } catch (e) {
    throw new QsignError('CONFIG', `cannot read the CA in ${dir} (run 'qsign pki init --dir ${dir}' first): ${errorMessage(e)}`);
  }
  const hosts = opts.hosts ?? [];
  for (const h of hosts) if (!isIP(h) && !/^[A-Za-z0-9*]([A-Za-z0-9.-]{0,252})$/.test(h)) throw new QsignError('INVALID_ARGUMENT', `--host ${JSON.stringify(h)} is neither a host name nor an IP address`);
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${uri}`,
    issuer: ca.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(Math.min(now + (opts.days ?? 825) * DAY_MS, ca.notAfter.getTime())),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      // Every party is both: nodes serve the coordinator and call their witnesses.
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: uri }, ...hosts.map((h) => ({ type: isIP(h) ? ('ip' as const) : ('dns' as const), value: h }))], false),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const prefix = opts.out ?? join(resolve(dir), `${identity.role}-${identity.name}`);
  const out = { cert: `${prefix}.crt`, key: `${prefix}.key` };
  writeFileSync(out.key, await pkcs8Pem(keys.privateKey), { mode: 0o600 });
  writeFileSync(out.cert, cert.toString('pem') + '\n');
  // Check with node's own X.509 code what a peer will check.
  if (!new X509Certificate(readFileSync(out.cert)).checkIssued(new X509Certificate(readFileSync(p.caCert)))) throw new QsignError('INTERNAL', `${out.cert} does not chain to ${p.caCert}`);
  return out;
}

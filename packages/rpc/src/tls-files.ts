/**
 * A daemon's TLS material — the cluster CA, its own certificate and private
 * key, as PEM files — kept current without a restart: the files are re-read
 * on SIGHUP and when they change on disk (polled), checked (the certificate
 * is issued by the CA, unexpired, and matches the key), and only then handed
 * to grpc-js, which swaps the server's secure context
 * (`Http2SecureServer.setSecureContext`) and uses the new files for new
 * client connections. A bad replacement — or one naming another identity —
 * is refused and the old material kept.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { experimental } from '@grpc/grpc-js';
import { QsignError, errorMessage } from '@qsign/protocol';
import { describeIdentity, identityOfCertificate, type PeerIdentity } from './tls-identity.js';

type CertificateProvider = experimental.CertificateProvider;
type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/** Paths of the PEM files of one party (config field `tls`). */
export interface TlsFiles {
  /** The cluster CA certificate every peer must be issued by. */
  ca: string;
  /** This party's certificate (issued by `ca`). */
  cert: string;
  /** This party's private key (PKCS#8 PEM, mode 0600). */
  key: string;
}

/** One consistent set of material, checked. */
interface Loaded {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  identity: PeerIdentity | undefined;
  notAfter: string;
  serialNumber: string;
}

/** Reads and checks a set of TLS files; throws a CONFIG error naming the file and the problem. */
export function loadTlsFiles(files: TlsFiles): Loaded {
  const read = (what: string, p: string) => {
    try {
      return readFileSync(p);
    } catch (e) {
      throw new QsignError('CONFIG', `cannot read TLS ${what} ${p}: ${errorMessage(e)}`);
    }
  };
  const ca = read('CA certificate', files.ca);
  const cert = read('certificate', files.cert);
  const key = read('private key', files.key);
  let caCert: X509Certificate;
  let own: X509Certificate;
  try {
    caCert = new X509Certificate(ca);
  } catch (e) {
    throw new QsignError('CONFIG', `${files.ca}: not a PEM certificate: ${errorMessage(e)}`);
  }
  try {
    own = new X509Certificate(cert);
  } catch (e) {
    throw new QsignError('CONFIG', `${files.cert}: not a PEM certificate: ${errorMessage(e)}`);
  }
  if (!own.checkIssued(caCert) || !own.verify(caCert.publicKey)) throw new QsignError('CONFIG', `${files.cert} was not issued by the CA in ${files.ca}`);
  const now = Date.now();
  if (Date.parse(own.validTo) < now) throw new QsignError('CONFIG', `${files.cert} expired on ${own.validTo}`);
  if (Date.parse(own.validFrom) > now) throw new QsignError('CONFIG', `${files.cert} is not valid before ${own.validFrom}`);
  let matches = false;
  try {
    matches = own.checkPrivateKey(createPrivateKey(key));
  } catch (e) {
    throw new QsignError('CONFIG', `${files.key}: not a PEM private key: ${errorMessage(e)}`);
  }
  if (!matches) throw new QsignError('CONFIG', `${files.key} is not the private key of ${files.cert}`);
  return { ca, cert, key, identity: identityOfCertificate({ subjectaltname: own.subjectAltName }), notAfter: own.validTo, serialNumber: own.serialNumber };
}

/**
 * TLS material that reloads itself. Implements grpc-js's CertificateProvider
 * for both the CA and the identity, so servers and channels built from it
 * follow every accepted reload.
 */
export class TlsMaterial implements CertificateProvider {
  #current: Loaded;
  readonly #ca = new Set<CaListener>();
  readonly #id = new Set<IdentityListener>();
  #watching = false;
  readonly #onHup = () => this.reload('SIGHUP');
  readonly #onChange = () => this.reload('file change');

  /** Loads the files now (throws if they are unusable). */
  constructor(
    readonly files: TlsFiles,
    private readonly log: (m: string) => void = () => undefined,
  ) {
    this.#current = loadTlsFiles(files);
  }

  /** The identity this party's own certificate names. */
  get identity(): PeerIdentity | undefined {
    return this.#current.identity;
  }

  /** Serial number (hex) of the certificate currently in use. */
  get serialNumber(): string {
    return this.#current.serialNumber;
  }

  /** The CA certificate (PEM) currently in use. */
  get caPem(): Buffer {
    return this.#current.ca;
  }

  /** Secure-context options for a node:https server or client (current material). */
  contextOptions(): { ca: Buffer; cert: Buffer; key: Buffer } {
    const { ca, cert, key } = this.#current;
    return { ca, cert, key };
  }

  /**
   * Re-reads the files; on success every listener gets the new material and
   * true is returned, otherwise the old material stays and the reason is logged.
   */
  reload(why = 'reload'): boolean {
    try {
      const next = loadTlsFiles(this.files);
      if (next.ca.equals(this.#current.ca) && next.cert.equals(this.#current.cert) && next.key.equals(this.#current.key)) return false;
      // A party's identity never changes under it (a node 2 certificate on node 1's path is a mistake or an attack).
      const was = this.#current.identity;
      if (next.identity?.role !== was?.role || next.identity?.name !== was?.name)
        throw new QsignError('CONFIG', `${this.files.cert} now names ${describeIdentity(next.identity)}, but this party is ${describeIdentity(was)}`);
      this.#current = next;
    } catch (e) {
      this.log(`TLS ${why}: kept the current certificate: ${errorMessage(e)}`);
      return false;
    }
    this.log(`TLS ${why}: loaded ${this.files.cert} (${describeIdentity(this.#current.identity)}, valid until ${this.#current.notAfter})`);
    for (const l of this.#ca) l({ caCertificate: this.#current.ca });
    for (const l of this.#id) l({ certificate: this.#current.cert, privateKey: this.#current.key });
    this.onReload?.();
    return true;
  }

  /** Called after every accepted reload (the copr-keygen HTTPS server swaps its context). */
  onReload: (() => void) | undefined;

  /** Reloads on SIGHUP and whenever one of the files changes (polled every `intervalMs`). */
  watch(intervalMs = 1000): this {
    if (this.#watching) return this;
    this.#watching = true;
    process.on('SIGHUP', this.#onHup);
    for (const p of [this.files.ca, this.files.cert, this.files.key]) watchFile(p, { interval: intervalMs, persistent: false }, this.#onChange);
    return this;
  }

  /** Stops watching. */
  close(): void {
    if (!this.#watching) return;
    this.#watching = false;
    process.off('SIGHUP', this.#onHup);
    for (const p of [this.files.ca, this.files.cert, this.files.key]) unwatchFile(p, this.#onChange);
  }

  // The first update is delivered asynchronously, as grpc-js expects: its
  // server credentials register their own watcher only after subscribing.
  addCaCertificateListener(listener: CaListener): void {
    this.#ca.add(listener);
    queueMicrotask(() => this.#ca.has(listener) && listener({ caCertificate: this.#current.ca }));
  }
  removeCaCertificateListener(listener: CaListener): void {
    this.#ca.delete(listener);
  }
  addIdentityCertificateListener(listener: IdentityListener): void {
    this.#id.add(listener);
    queueMicrotask(() => this.#id.has(listener) && listener({ certificate: this.#current.cert, privateKey: this.#current.key }));
  }
  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.#id.delete(listener);
  }
}

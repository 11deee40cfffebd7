/**
 * The one place where connections are set up: server and channel
 * credentials, message size limits, keepalive and who may connect.
 *
 * Every TCP connection is mutual TLS with the cluster CA (docs/tls.md):
 * the client checks that the server's certificate names the identity it
 * expects (`expectPeer`), and the server refuses any call whose client
 * certificate names an identity its `authorize` rule does not accept.
 * Plaintext is a development mode that only reaches loopback addresses;
 * unix sockets (the operator interface, protected by file mode) are plaintext.
 */
import * as grpc from '@grpc/grpc-js';
import { QsignError } from '@qsign/protocol';
import type { TlsMaterial } from './tls-files.js';
import { toServiceError } from './status.js';
import { describeIdentity, identityOfCertificate, type PeerIdentity } from './tls-identity.js';

/** Largest message either side accepts: an RPM header is at most a few MiB. */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** Why a peer is refused, or undefined to accept it. */
export type PeerCheck = (peer: PeerIdentity | undefined) => string | undefined;

/** Why `peer` may not call `method` ("/qsign.v1.Node/SignShare"), or undefined to allow it. */
export type Authorizer = (method: string, peer: PeerIdentity | undefined) => string | undefined;

/** Transport security of one client or server. */
export type TransportSecurity =
  /** Development only: plaintext, refused for anything but loopback addresses. */
  | { kind: 'insecure' }
  /** Mutual TLS with the cluster CA. */
  | {
      kind: 'mtls';
      material: TlsMaterial;
      /** Client side: accept the server only if this passes (e.g. "is qsign:node:3"). */
      expectPeer?: PeerCheck;
      /** Server side: per-call access rule; absent = every identity from the CA. */
      authorize?: Authorizer;
    };

/** Channel options used by every client and server. */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2_000,
  // TLS clients check the server's qsign identity, not its host name (see
  // channelCredentials); a fixed SNI name keeps IP addresses out of SNI (RFC 6066 §3).
  'grpc.ssl_target_name_override': 'qsign.invalid',
};

/**
 * Server options: the message limits, without the clients' 30 s keepalive
 * ping. Clients ping to find dead servers; a server pinging every client
 * would drop a busy client (one whose event loop is blocked longer than the
 * 20 s ping timeout) in the middle of a long call, e.g. one waiting for
 * operator approval.
 */
const SERVER_OPTIONS: grpc.ServerOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
};

/** True for unix sockets and loopback hosts (127.0.0.0/8, ::1, localhost). */
export function isLoopbackAddress(address: string): boolean {
  if (address.startsWith('unix:')) return true;
  const host = address.replace(/^dns:(\/\/[^/]*\/)?/, '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Refuses plaintext to or on a non-loopback address. */
function plaintextOnlyOnLoopback(address: string, security: TransportSecurity | undefined): void {
  if (address.startsWith('unix:')) return;
  if (!security)
    throw new QsignError('CONFIG', `no TLS settings for ${address}: qsign connects over TCP with mutual TLS only (set "tls" in the config; see docs/tls.md)`);
  if (security.kind === 'insecure' && !isLoopbackAddress(address))
    throw new QsignError('CONFIG', `plaintext refused for ${address}: the development plaintext mode reaches loopback addresses only; configure "tls" (docs/tls.md)`);
}

/** Expects the server to be `want` exactly (e.g. {role: 'node', name: '3'}). */
export function expectIdentity(want: PeerIdentity): PeerCheck {
  return (peer) => (peer?.role === want.role && peer.name === want.name ? undefined : `expected ${describeIdentity(want)}, the server presented ${describeIdentity(peer)}`);
}

/** Expects the server to have role `role` (any name). */
export function expectRole(...roles: PeerIdentity['role'][]): PeerCheck {
  return (peer) => (peer && roles.includes(peer.role) ? undefined : `expected a ${roles.join(' or ')} certificate, the server presented ${describeIdentity(peer)}`);
}

/** Credentials a client uses to reach `target` ("host:port" or "unix://…"). */
export function channelCredentials(security: TransportSecurity | undefined, target: string): grpc.ChannelCredentials {
  plaintextOnlyOnLoopback(target, security);
  if (!security || security.kind === 'insecure') return grpc.credentials.createInsecure();
  const expect = security.expectPeer;
  return grpc.experimental.createCertificateProviderChannelCredentials(security.material, security.material, {
    // The cluster CA is private and names parties by their SAN URI, not by
    // host name: the identity check replaces the host name check.
    checkServerIdentity: (_host, cert) => {
      const why = expect?.(identityOfCertificate(cert));
      return why === undefined ? undefined : new Error(`TLS peer refused: ${why}`);
    },
  });
}

/** The qsign identity the client certificate of a server call names; undefined on plaintext or without one. */
export function callerIdentity(call: { getAuthContext(): { sslPeerCertificate?: { subjectaltname?: string } } }): PeerIdentity | undefined {
  return identityOfCertificate(call.getAuthContext().sslPeerCertificate);
}

/** A server interceptor that refuses calls `authorize` does not accept (PEER_REFUSED, with the reason). */
function authorizationInterceptor(authorize: Authorizer): grpc.ServerInterceptor {
  return (method, call) =>
    new grpc.ServerInterceptingCall(
      call,
      new grpc.ResponderBuilder()
        .withStart((next) => {
          const peer = callerIdentity(call);
          const why = authorize(method.path, peer);
          if (why === undefined) return next(new grpc.ServerListenerBuilder().build());
          next(new grpc.ServerListenerBuilder().withOnReceiveMetadata(() => {
            const e = toServiceError(new QsignError('PEER_REFUSED', why));
            call.sendStatus({ code: e.code!, details: e.details!, metadata: e.metadata! });
          }).build());
        })
        .build(),
    );
}

/** Starts a gRPC server with the given services on `address` ("host:port"; port 0 picks one). */
export async function startServer(
  services: Array<[grpc.ServiceDefinition, grpc.UntypedServiceImplementation]>,
  address: string,
  security?: TransportSecurity,
): Promise<{ server: grpc.Server; port: number }> {
  plaintextOnlyOnLoopback(address, security);
  const tls = security?.kind === 'mtls' ? security : undefined;
  const server = new grpc.Server({ ...SERVER_OPTIONS, interceptors: tls?.authorize ? [authorizationInterceptor(tls.authorize)] : [] });
  for (const [def, impl] of services) server.addService(def, impl);
  // Client certificates are required and must chain to the cluster CA.
  const creds = tls ? grpc.experimental.createCertificateProviderServerCredentials(tls.material, tls.material, true) : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(address, creds, (err, p) => (err ? reject(err) : resolve(p))));
  return { server, port };
}

/** Stops a server, forcefully after `graceMs`. */
export function stopServer(server: grpc.Server, graceMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

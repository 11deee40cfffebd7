/**
 * The one place where connections are set up: server and channel
 * credentials, message size limits and keepalive. Mutual TLS (a later issue)
 * plugs in here and nowhere else.
 */
import * as grpc from '@grpc/grpc-js';

/** Largest message either side accepts: an RPM header is at most a few MiB. */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** Transport security settings; only plaintext loopback exists so far. */
export interface TransportSecurity {
  kind: 'insecure';
}

/** Channel options used by every client and server. */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2_000,
};

/** Credentials a client uses to reach a server. */
export function channelCredentials(_security: TransportSecurity = { kind: 'insecure' }): grpc.ChannelCredentials {
  return grpc.credentials.createInsecure();
}

/** Credentials a server listens with. */
export function serverCredentials(_security: TransportSecurity = { kind: 'insecure' }): grpc.ServerCredentials {
  return grpc.ServerCredentials.createInsecure();
}

/** Starts a gRPC server with the given services on `address` ("host:port"; port 0 picks one). */
export async function startServer(
  services: Array<[grpc.ServiceDefinition, grpc.UntypedServiceImplementation]>,
  address: string,
  security?: TransportSecurity,
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server(CHANNEL_OPTIONS);
  for (const [def, impl] of services) server.addService(def, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, serverCredentials(security), (err, p) => (err ? reject(err) : resolve(p))),
  );
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

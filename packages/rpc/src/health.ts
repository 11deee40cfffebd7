/**
 * The standard gRPC health service (grpc.health.v1, grpc/doc/health-checking.md),
 * written by hand over the generated proto: Check answers the status at once,
 * Watch streams it (the current status, then every change). The daemon gives
 * a function saying how each service name stands; "" is the whole server.
 * A small implementation rather than the `grpc-health-check` package, which
 * loads the proto at run time through @grpc/proto-loader and protobufjs.
 */
import * as grpc from '@grpc/grpc-js';
import { HealthCheckResponse_ServingStatus as ServingStatus, HealthService, HealthClient, type HealthServer } from '@qsign/proto';
import { CHANNEL_OPTIONS, channelCredentials, type TransportSecurity } from './channel.js';
import { callUnary } from './unary.js';

export { ServingStatus };

/** How a service stands now; undefined for a service name this server does not know. */
export type HealthSource = (service: string) => ServingStatus.SERVING | ServingStatus.NOT_SERVING | undefined;

/** How often Watch re-reads the status (it is computed from daemon state, not pushed). */
const WATCH_POLL_MS = 1000;

/** The Health service handlers over `source`. */
export function healthHandlers(source: HealthSource): HealthServer {
  return {
    check: (call, cb) => {
      const status = source(call.request.service);
      if (status === undefined) cb({ code: grpc.status.NOT_FOUND, details: `unknown service ${JSON.stringify(call.request.service.slice(0, 80))}` } as grpc.ServiceError);
      else cb(null, { status });
    },
    watch: (call) => {
      let last: ServingStatus | undefined;
      const send = () => {
        const status = source(call.request.service) ?? ServingStatus.SERVICE_UNKNOWN;
        if (status !== last) call.write({ status });
        last = status;
      };
      send();
      const timer = setInterval(send, WATCH_POLL_MS);
      timer.unref();
      const stop = () => clearInterval(timer);
      call.on('cancelled', stop);
      call.on('close', stop);
      call.on('error', stop);
    },
  };
}

/** The entry to pass to startServer. */
export function healthService(source: HealthSource): [grpc.ServiceDefinition, grpc.UntypedServiceImplementation] {
  return [HealthService as unknown as grpc.ServiceDefinition, healthHandlers(source) as unknown as grpc.UntypedServiceImplementation];
}

/**
 * A plaintext gRPC server on `address` (`healthListen`) serving ONLY
 * grpc.health.v1 from `source`: Kubernetes gRPC probes speak plaintext,
 * the daemon's own port is mutual TLS only. Every other method is
 * UNIMPLEMENTED here, and the status says nothing secret.
 */
export async function startHealthListener(address: string, source: HealthSource): Promise<{ port: number; close(): Promise<void> }> {
  const server = new grpc.Server();
  server.addService(HealthService as unknown as grpc.ServiceDefinition, healthHandlers(source) as unknown as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((res, rej) => server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return { port, close: () => new Promise<void>((res) => server.tryShutdown(() => res())) };
}

/** Health.Check against a daemon ("" asks about the whole server). */
export async function checkHealth(address: string, service = '', timeoutMs = 5000, security?: TransportSecurity): Promise<ServingStatus> {
  const c = new HealthClient(address, channelCredentials(security, address), CHANNEL_OPTIONS);
  try {
    return (await callUnary(c, c.check, { service }, timeoutMs, `health service at ${address}`)).status;
  } finally {
    c.close();
  }
}

/**
 * A man in the middle for tests: a real gRPC server that forwards every
 * unary call of the given services to a real target (a coordinator or a
 * node) as raw bytes, and lets the test rewrite chosen answers — a
 * malicious coordinator, a lying node, or anyone on the wire.
 */
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, channelCredentials, startServer, stopServer, type TransportSecurity } from '@qsign/rpc';

/** Rewrites the answer of `method` ("/qsign.v1.Coordinator/GetKey"); return the bytes to send on. */
export type Rewrite = (method: string, response: Buffer, request: Buffer) => Buffer | Promise<Buffer>;

/** A running proxy. */
export interface GrpcProxy {
  address: string;
  /** The rewrite in force (tests swap it between cases; undefined passes everything through). */
  rewrite: Rewrite | undefined;
  stop(): Promise<void>;
}

const raw = (b: Buffer) => b;

/**
 * Starts a proxy on a free loopback port in front of `target` for `services`.
 * Under mutual TLS it is a party the cluster CA issued a certificate to (a
 * compromised coordinator or node): it serves with `tls.serve` and calls the
 * target with `tls.upstream`.
 */
export async function startGrpcProxy(target: string, services: grpc.ServiceDefinition[], rewrite?: Rewrite, tls: { serve?: TransportSecurity; upstream?: TransportSecurity } = {}): Promise<GrpcProxy> {
  const upstream = new grpc.Client(target, channelCredentials(tls.upstream, target), CHANNEL_OPTIONS);
  const proxy: GrpcProxy = { address: '', rewrite, stop: async () => undefined };
  const impls: Array<[grpc.ServiceDefinition, grpc.UntypedServiceImplementation]> = services.map((svc) => {
    const def: grpc.ServiceDefinition = {};
    const impl: grpc.UntypedServiceImplementation = {};
    for (const [name, m] of Object.entries(svc)) {
      def[name] = { ...m, requestDeserialize: raw, responseSerialize: raw } as grpc.MethodDefinition<Buffer, Buffer>;
      impl[name] = ((call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const deadline = call.getDeadline();
        upstream.makeUnaryRequest(m.path, raw, raw, call.request, call.metadata, { deadline }, (err, res) => {
          if (err || !res) return callback(err ?? { code: grpc.status.INTERNAL, details: 'no response' });
          Promise.resolve(proxy.rewrite ? proxy.rewrite(m.path, res, call.request) : res).then(
            (out) => callback(null, out),
            (e) => callback({ code: grpc.status.INTERNAL, details: String(e) }),
          );
        });
      }) as grpc.UntypedHandleCall;
    }
    return [def, impl];
  });
  const { server, port } = await startServer(impls, '127.0.0.1:0', tls.serve);
  proxy.address = `127.0.0.1:${port}`;
  proxy.stop = async () => {
    await stopServer(server, 1000);
    upstream.close();
  };
  return proxy;
}

/**
 * Promise adapters between grpc-js callback style and async domain code.
 */
import * as grpc from '@grpc/grpc-js';
import { toServiceError, fromServiceError } from './status.js';

/** Wraps an async function as a grpc-js unary handler with error mapping. */
export function unaryHandler<Req, Res>(
  fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
  onInternal?: (e: unknown) => void,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request, call).then(
      (res) => callback(null, res),
      (e) => callback(toServiceError(e, onInternal) as grpc.ServiceError),
    );
  };
}

type UnaryMethod<Req, Res> = (
  req: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (err: grpc.ServiceError | null, res: Res) => void,
) => grpc.ClientUnaryCall;

/**
 * Calls a generated client method as a promise with a deadline; errors become QsignError.
 * A call that finds no connection (the channel not READY when it starts, and in
 * TRANSIENT_FAILURE when it fails) was failed by grpc-js's picker before it was
 * sent (no waitForReady): its UNAVAILABLE error says `notSent` (status.ts). The
 * channel's typed state decides this, not the error's text.
 */
export function callUnary<Req, Res>(
  client: grpc.Client,
  method: UnaryMethod<Req, Res>,
  req: Req,
  timeoutMs: number,
  peer: string,
): Promise<Res> {
  const channel = client.getChannel();
  const ready = channel.getConnectivityState(false) === grpc.connectivityState.READY;
  return new Promise((resolve, reject) => {
    method.call(client, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) =>
      err ? reject(fromServiceError(err, peer, { notSent: !ready && channel.getConnectivityState(false) === grpc.connectivityState.TRANSIENT_FAILURE })) : resolve(res),
    );
  });
}

/**
 * Who may call the coordinator, by the identity in the caller's certificate
 * (docs/tls.md): signing clients (qsign:client:NAME, any name the cluster CA
 * issued — the nodes still check every request's Ed25519 signature against
 * their own client lists). Node and coordinator certificates are refused.
 */
import { describeIdentity, type Authorizer } from '@qsign/rpc';

/** The coordinator's access rule (refusals are passed to `onRefused` for the log). */
export function coordinatorAuthorizer(onRefused: (why: string) => void = () => undefined): Authorizer {
  return (method, peer) => {
    if (peer?.role === 'client') return undefined;
    const why = `the coordinator refuses ${method} from ${describeIdentity(peer)}: only client certificates (qsign:client:NAME) may call it`;
    onRefused(why);
    return why;
  };
}

/**
 * The client config (`client.json`): which coordinator to call and the
 * client's Ed25519 secret key. Found via --config, QSIGN_CONFIG, or
 * ./client.json.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hexToBytes } from '@noble/hashes/utils.js';
import { QsignError, errorMessage } from '@qsign/protocol';
import { expectRole, expecting, openTransport, parseTransport, type TransportSecurity, type TransportSetting } from '@qsign/rpc';

/** A client's settings. */
export interface ClientConfig {
  coordinator: string;
  clientName: string;
  /** 32-byte Ed25519 secret key. */
  secretKey: Uint8Array;
  /** `tls` (the client's certificate, issued by the cluster CA) or development plaintext to a loopback coordinator. */
  transport: TransportSetting;
}

/** Locates and reads the client config; errors say where it looked. */
export function loadClientConfig(explicit?: string): ClientConfig {
  const path = explicit ?? process.env.QSIGN_CONFIG ?? (existsSync('client.json') ? 'client.json' : undefined);
  if (!path)
    throw new QsignError('CONFIG', 'no client config: pass --config FILE or set QSIGN_CONFIG (qsign cluster up writes DIR/client.json)');
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new QsignError('CONFIG', `cannot read client config ${path}: ${errorMessage(e)}`);
  }
  if (typeof o.coordinator !== 'string' || !o.coordinator) throw new QsignError('CONFIG', `${path}: field "coordinator" must be host:port`);
  if (typeof o.secretKey !== 'string' || !/^[0-9a-f]{64}$/.test(o.secretKey))
    throw new QsignError('CONFIG', `${path}: field "secretKey" must be a 32-byte Ed25519 secret key in hex`);
  const bad = (field: string, why: string): never => {
    throw new QsignError('CONFIG', `${path}: field "${field}": ${why}`);
  };
  const transport = parseTransport(o, dirname(resolve(path)), bad, [['coordinator', o.coordinator]], false);
  return { coordinator: o.coordinator, clientName: typeof o.clientName === 'string' ? o.clientName : 'client', secretKey: hexToBytes(o.secretKey), transport };
}

const opened = new WeakMap<ClientConfig, TransportSecurity>();

/** The client's transport (TLS files read once per config), without a server identity check. */
export function clientTransport(config: ClientConfig): TransportSecurity {
  let t = opened.get(config);
  if (!t) opened.set(config, (t = openTransport(config.transport)));
  return t;
}

/** The client's transport to its coordinator: the server must present a coordinator certificate. */
export function coordinatorTransport(config: ClientConfig): TransportSecurity {
  return expecting(clientTransport(config), expectRole('coordinator'));
}

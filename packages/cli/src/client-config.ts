/**
 * The client config (`client.json`): which coordinator(s) to call and the
 * client's Ed25519 secret key. Found via --config, QSIGN_CONFIG, or
 * ./client.json. `"coordinators": ["host:port", …]` lists several
 * coordinators over the same nodes: the client fails over in that order.
 */
import { readFileSync, existsSync } from 'node:fs';
import { hexToBytes } from '@noble/hashes/utils.js';
import { QsignError, errorMessage } from '@qsign/protocol';

/** A client's settings. */
export interface ClientConfig {
  /** The first coordinator (the one tools without failover call). */
  coordinator: string;
  /** Every coordinator, in failover order (`coordinator` is the first); absent: just `coordinator`. */
  coordinators?: string[];
  clientName: string;
  /** 32-byte Ed25519 secret key. */
  secretKey: Uint8Array;
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
  const coordinators = coordinatorList(o, path);
  if (typeof o.secretKey !== 'string' || !/^[0-9a-f]{64}$/.test(o.secretKey))
    throw new QsignError('CONFIG', `${path}: field "secretKey" must be a 32-byte Ed25519 secret key in hex`);
  return { coordinator: coordinators[0]!, coordinators, clientName: typeof o.clientName === 'string' ? o.clientName : 'client', secretKey: hexToBytes(o.secretKey) };
}

/** The coordinators of a client config: `coordinators` (a list of host:port) or `coordinator` (one). */
function coordinatorList(o: Record<string, unknown>, path: string): string[] {
  const hostPort = (v: unknown) => typeof v === 'string' && /^[^\s]+:\d+$/.test(v);
  if (o.coordinators !== undefined) {
    if (!Array.isArray(o.coordinators) || o.coordinators.length === 0 || !o.coordinators.every(hostPort))
      throw new QsignError('CONFIG', `${path}: field "coordinators" must be a non-empty list of host:port`);
    if (o.coordinator !== undefined) throw new QsignError('CONFIG', `${path}: give either "coordinator" or "coordinators", not both`);
    return [...new Set(o.coordinators as string[])];
  }
  if (typeof o.coordinator !== 'string' || !o.coordinator) throw new QsignError('CONFIG', `${path}: field "coordinator" must be host:port (or "coordinators": a list of them)`);
  return [o.coordinator];
}

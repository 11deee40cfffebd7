/**
 * The officer key file (`officer.json`): the Ed25519 key that signs
 * lifecycle requests (`qsign keygen`, `qsign ceremony reshare`), kept apart
 * from the signing client key in client.json (docs/key-lifecycle.md,
 * "Roles"). Found via --officer, QSIGN_OFFICER, or the client config's
 * `officer` field (a path relative to client.json).
 */
import { readFileSync } from 'node:fs';
import { hexToBytes } from '@noble/hashes/utils.js';
import { QsignError, errorMessage } from '@qsign/protocol';
import type { ClientConfig } from './client-config.js';

/** An officer's name and secret key. */
export interface OfficerKey {
  name: string;
  /** 32-byte Ed25519 secret key. */
  secretKey: Uint8Array;
}

/** The option that names the officer key file. */
export const OFFICER_OPTION = ['--officer <file>', 'officer key file (default: $QSIGN_OFFICER, else the client config\'s "officer" field)'] as const;

/** Locates and reads the officer key file; errors say where it looked. */
export function loadOfficerKey(explicit: string | undefined, client: ClientConfig): OfficerKey {
  const path = explicit ?? process.env.QSIGN_OFFICER ?? client.officer;
  if (!path) throw new QsignError('CONFIG', 'no officer key: lifecycle operations are signed by an officer, not by the signing client; pass --officer FILE, set QSIGN_OFFICER, or add "officer": "officer.json" to the client config');
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new QsignError('CONFIG', `cannot read officer key file ${path}: ${errorMessage(e)}`);
  }
  if (typeof o.secretKey !== 'string' || !/^[0-9a-f]{64}$/.test(o.secretKey)) throw new QsignError('CONFIG', `${path}: field "secretKey" must be a 32-byte Ed25519 secret key in hex`);
  if (typeof o.name !== 'string' || !o.name) throw new QsignError('CONFIG', `${path}: field "name" must be the officer's name`);
  return { name: o.name, secretKey: hexToBytes(o.secretKey) };
}

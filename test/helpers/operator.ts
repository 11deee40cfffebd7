/**
 * Helpers for operator tests: run the real `qsign` binary, build signed
 * requests for a given client key, and drive a node's web console.
 */
import { spawn, spawnSync } from 'node:child_process';
import { ed25519 } from '@noble/curves/ed25519.js';
import { newRequestId, signRequestBody, type PayloadKind, type SignedRequest } from '@qsign/protocol';
import { encodeSignRequest } from '@qsign/rpc';
import { QSIGN_BIN } from '@qsign/devcluster';

/** Runs `qsign args…` to completion. */
export function qsign(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [QSIGN_BIN, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `qsign args…` in the background, collecting its output. */
export function qsignAsync(args: string[]): { stderr: () => string; stdout: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, [QSIGN_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr.on('data', (d) => (err += d));
  child.stdout.on('data', (d) => (out += d));
  return { stderr: () => err, stdout: () => out, done: new Promise((r) => child.on('exit', (code) => r(code))) };
}

/** A client key pair for tests. */
export function newClient(name: string): { name: string; secret: Uint8Array; publicHex: string } {
  const secret = ed25519.utils.randomSecretKey();
  return { name, secret, publicHex: Buffer.from(ed25519.getPublicKey(secret)).toString('hex') };
}

/** A signed request of any kind, as a client would send it. */
export function signedRequest(secret: Uint8Array, o: { keyName: string; kind: PayloadKind; data: Uint8Array; expectedGroupKey: Uint8Array; fileName?: string; clientName?: string; createdAtMs?: number; requestId?: string }): SignedRequest {
  const needsPgp = o.kind !== 'raw' && o.kind !== 'certification';
  return signRequestBody(
    encodeSignRequest({
      requestId: o.requestId ?? newRequestId(),
      keyName: o.keyName,
      createdAtMs: o.createdAtMs ?? Date.now(),
      kind: o.kind,
      data: o.data,
      openpgp: needsPgp ? { signatureType: 0, hashAlgorithm: 'sha256', createdUnixSeconds: Math.floor(Date.now() / 1000) } : undefined,
      claims: o.fileName ? { fileName: o.fileName, size: o.data.length, sha256: new Uint8Array(32) } : undefined,
      clientName: o.clientName ?? 'test',
      expectedGroupKey: o.expectedGroupKey,
    }),
    secret,
  );
}

/** Chromium flags for a quiet, sandbox-free headless run. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

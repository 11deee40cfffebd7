// Shared test helpers (tests only; may use node:crypto).
import { createPublicKey, verify as nodeVerify, randomBytes } from 'node:crypto';

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

/** Verifies an Ed25519 signature with OpenSSL through node:crypto (raw key via SPKI DER). */
export function opensslVerify(sig: Uint8Array, msg: Uint8Array, publicKey: Uint8Array): boolean {
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(publicKey)]);
  const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  return nodeVerify(null, msg, key, sig);
}

/** A deterministic byte stream (counter-mode-ish) for reproducible rng-injected tests. */
export function seededRng(seed: number): (n?: number) => Uint8Array<ArrayBuffer> {
  let state = seed >>> 0;
  return (n = 32) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      out[i] = state >>> 24;
    }
    return out;
  };
}

export const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

/** k random distinct members of 1..m, sorted. */
export function randomSubset(m: number, k: number): number[] {
  const ids = Array.from({ length: m }, (_, i) => i + 1);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = rand(1)[0]! % (i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids.slice(0, k).sort((a, b) => a - b);
}

/** Loads the Shoup test vectors (vectors/shoup-vectors.json) into typed cases. */
import { readFileSync } from 'node:fs';
import {
  decodePublicKey,
  decodeSecretShare,
  decodeSignatureShare,
  type RsaHash,
  type RsaSignatureShare,
  type SecretRsaKey,
  type SecretRsaShare,
  type ThresholdRsaPublicKey,
  type ThresholdRsaPublicKeyJSON,
  type SecretRsaShareJSON,
  type RsaSignatureShareJSON,
} from '../index.js';

/** One decoded vector case. */
export interface VectorCase {
  name: string;
  hash: RsaHash;
  key: SecretRsaKey;
  publicKey: ThresholdRsaPublicKey;
  secretShares: SecretRsaShare[];
  signatureShares: RsaSignatureShare[];
  signature: Uint8Array;
}

interface RawCase {
  name: string;
  hash: RsaHash;
  key: Record<'n' | 'e' | 'p' | 'q', string>;
  publicKey: ThresholdRsaPublicKeyJSON;
  secretShares: SecretRsaShareJSON[];
  signatureShares: RsaSignatureShareJSON[];
  signature: string;
}

const raw = JSON.parse(readFileSync(new URL('./vectors/shoup-vectors.json', import.meta.url), 'utf8')) as { message: string; cases: RawCase[] };

/** The signed message of every case. */
export const MESSAGE = new TextEncoder().encode(raw.message);

/** All cases, decoded. */
export const CASES: VectorCase[] = raw.cases.map((c) => ({
  name: c.name,
  hash: c.hash,
  key: { n: BigInt(`0x${c.key.n}`), e: BigInt(`0x${c.key.e}`), p: BigInt(`0x${c.key.p}`), q: BigInt(`0x${c.key.q}`) },
  publicKey: decodePublicKey(c.publicKey),
  secretShares: c.secretShares.map(decodeSecretShare),
  signatureShares: c.signatureShares.map(decodeSignatureShare),
  signature: Uint8Array.from(Buffer.from(c.signature, 'hex')),
}));

/** The case with this name. */
export function vector(name: string): VectorCase {
  const c = CASES.find((v) => v.name === name);
  if (c === undefined) throw new Error(`no vector ${name}`);
  return c;
}

/** All k-subsets of `items`. */
export function subsetsOf<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [head, ...tail] = items;
  return [...subsetsOf(tail, k - 1).map((s) => [head!, ...s]), ...subsetsOf(tail, k)];
}

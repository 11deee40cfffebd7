/**
 * New RSA keys on a running cluster (issue 11). There is no practical dealerless RSA key
 * generation, so one participant — the dealer the coordinator names in the DKG parameters
 * (its `keygenDealerNode`, else the lowest node id), which every participant's own
 * `lifecycle.rsaDealers` must allow (roles.ts) — generates a key with safe primes,
 * deals Shoup shares with verification keys (EUROCRYPT 2000, protocol 1) and seals each
 * peer's share file to that peer's pinned enrollment key, authenticated by its own; then it
 * drops the primes and d. Every participant has checked the same officer-signed keygen
 * request (naming the key type) before the dealer generates anything (keys.ts), and every
 * receiver checks its share against the public package before it keeps it pending.
 * docs/threshold-rsa.md, "Where the key exists whole", says for how long the key is whole.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { Worker } from 'node:worker_threads';
import { bitLength, fromBytes } from '@qsign/threshold-rsa';
import { QsignError, decodeShareFile, encodeShareFile, errorMessage, isKeyType, parseRsaGroupPublicKey, rsaBitsOf, type KeyType, type ShareFile } from '@qsign/protocol';
import type { DealJob } from './rsa-deal-worker.js';
import { checkShareFile } from './import.js';
import type { DkgParams } from './keys.js';

/** The DKG parameters an RSA key generation reads. */
export type RsaKeygenParams = Omit<DkgParams, 'sessionId'>;

/** The RSA key type of DKG parameters, or undefined for Ed25519 ('' or 'ed25519'). */
export function rsaKeyTypeOf(p: Pick<RsaKeygenParams, 'keyType'>): Exclude<KeyType, 'ed25519'> | undefined {
  const t = p.keyType || 'ed25519';
  if (!isKeyType(t)) throw new QsignError('INVALID_ARGUMENT', `unknown key type ${JSON.stringify(String(t).slice(0, 40))} (ed25519, rsa2048, rsa3072 or rsa4096)`);
  return t === 'ed25519' ? undefined : t;
}

/**
 * Why these parameters cannot make an RSA key, or undefined: the dealer must be a
 * participant and the participants exactly 1..l (Shoup's share indices are the node ids).
 */
export function rsaParamsProblem(p: RsaKeygenParams): string | undefined {
  if (!p.dealer || !p.participants.includes(p.dealer)) return `the RSA dealer node ${p.dealer ?? 0} is not a participant (${p.participants.join(', ')})`;
  if (p.participants.some((id, i) => id !== i + 1)) return `an RSA key needs node ids 1..${p.participants.length} (Shoup's share indices); participants are ${p.participants.join(', ')}`;
  return undefined;
}

/** What the dealer produced: its own share file and one sealed share per peer. */
export interface RsaDealing<T> {
  own: ShareFile;
  sealed: T[];
  groupPublicKey: Uint8Array;
  generationMs: number;
}

/** Runs the generation and dealing in a worker thread (rsa-deal-worker.ts); resolves with the encoded share files. */
function dealInWorker(job: DealJob): Promise<{ texts: string[]; generationMs: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./rsa-deal-worker.js', import.meta.url), { workerData: job });
    w.once('message', (m: { ok: boolean; texts?: string[]; generationMs?: number; error?: string }) => {
      void w.terminate();
      if (m.ok) resolve({ texts: m.texts!, generationMs: m.generationMs! });
      else reject(new QsignError('SIGNING_FAILED', `RSA key generation failed: ${m.error}`));
    });
    w.once('error', (e) => reject(new QsignError('SIGNING_FAILED', `RSA key generation failed: ${errorMessage(e)}`)));
  });
}

/**
 * The dealer's part: generates the key and deals it k-of-l with proofs in a worker thread
 * (rsa-deal-worker.ts; the node keeps serving), seals every peer's share file with
 * `seal(recipient, plaintext)` and zeroes the plaintexts and share bytes it holds; the key
 * object's primes are overwritten once dealt (BigInts and strings cannot be wiped).
 */
export async function dealRsaKey<T>(p: RsaKeygenParams, self: number, seal: (recipient: number, plain: Uint8Array) => T): Promise<RsaDealing<T>> {
  const keyType = rsaKeyTypeOf(p)!;
  const meta = { keyName: p.keyName, userId: p.userId, createdUnixSeconds: p.createdUnixSeconds };
  const { texts, generationMs } = await dealInWorker({ bits: rsaBitsOf(keyType)!, parties: p.participants.length, threshold: p.minSigners, meta });
  const files = texts.map((t, i) => decodeShareFile(t, `dealt share ${i + 1}`));
  const sealed: T[] = [];
  try {
    for (const f of files) {
      if (f.identifier === self) continue;
      const plain = utf8ToBytes(encodeShareFile(f));
      try {
        sealed.push(seal(f.identifier, plain));
      } finally {
        plain.fill(0);
      }
    }
  } finally {
    for (const f of files) if (f.identifier !== self) f.share.fill(0);
  }
  const own = files.find((f) => f.identifier === self)!;
  return { own, sealed, groupPublicKey: own.groupPublicKey, generationMs };
}

/**
 * A receiver's check of the share file the dealer sealed to it: for this key, user ID,
 * creation time, threshold and node; an RSA key of the requested size with Shoup
 * verification keys (a new key always has safe primes); the share matches its
 * verification key ({@link checkShareFile}). Throws INVALID_ARGUMENT naming the dealer.
 */
export function receivedRsaShare(p: RsaKeygenParams, plain: Uint8Array, self: number): ShareFile {
  const from = `share from dealer node ${p.dealer}`;
  let f: ShareFile;
  try {
    f = decodeShareFile(new TextDecoder('utf-8', { fatal: true }).decode(plain), from);
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `${from}: ${errorMessage(e)}`);
  }
  const bad = (why: string): never => {
    f.share.fill(0);
    throw new QsignError('INVALID_ARGUMENT', `${from}: ${why}`);
  };
  if (f.scheme !== 'rsa-shoup') bad('not a threshold RSA share');
  if (f.keyName !== p.keyName || f.userId !== p.userId || f.createdUnixSeconds !== p.createdUnixSeconds) bad('names another key, user ID or creation time than the keygen request');
  if (f.identifier !== self) bad(`is for node ${f.identifier}, this is node ${self}`);
  if (f.minSigners !== p.minSigners || f.maxSigners !== p.participants.length) bad(`is ${f.minSigners}-of-${f.maxSigners}, the keygen is ${p.minSigners}-of-${p.participants.length}`);
  if (!f.verificationBase) bad('carries no Shoup verification keys (a new key must have safe primes)');
  const bits = bitLength(parseRsaGroupPublicKey(f.groupPublicKey).n);
  if (bits !== rsaBitsOf(rsaKeyTypeOf(p)!)) bad(`is for a ${bits}-bit modulus, the keygen asked for ${p.keyType}`);
  checkShareFile(f, from);
  if (fromBytes(f.share) === 0n) bad('share exponent is zero');
  return f;
}

/**
 * The dealer's CPU work for a new RSA key (keys-rsa.ts), in a worker thread so the node's
 * event loop keeps answering (gRPC keepalive pings, other requests) through the seconds of
 * Miller–Rabin checks and dealing: two safe primes from OpenSSL, Shoup dealing with proofs,
 * one share file per node. Posts the encoded share files (JSON text) back; the key itself
 * never leaves this thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { dealShares, safePrimeKey, type SecretRsaKey } from '@qsign/threshold-rsa';
import { installNativeModexp, nodeSafePrimeAsync } from '@qsign/threshold-rsa-native';
import { encodeShareFile, errorMessage, rsaShareFiles } from '@qsign/protocol';

/** What the worker is asked to deal. */
export interface DealJob {
  bits: number;
  parties: number;
  threshold: number;
  meta: { keyName: string; userId: string; createdUnixSeconds: number };
}

/** Two safe primes from OpenSSL until they make a key of exactly `bits` bits. */
async function newSafePrimeKey(bits: number): Promise<SecretRsaKey> {
  for (;;) {
    const [p, q] = await Promise.all([nodeSafePrimeAsync(bits / 2), nodeSafePrimeAsync(bits / 2)]);
    const key = safePrimeKey(bits, p, q);
    if (key) return key;
  }
}

async function run(job: DealJob): Promise<{ texts: string[]; generationMs: number }> {
  installNativeModexp({ log: () => undefined });
  const started = Date.now();
  const key = await newSafePrimeKey(job.bits);
  const generationMs = Date.now() - started;
  try {
    const files = rsaShareFiles(dealShares(key, { parties: job.parties, threshold: job.threshold, proofs: 'require' }), job.meta);
    const texts = files.map((f) => encodeShareFile(f));
    for (const f of files) f.share.fill(0);
    return { texts, generationMs };
  } finally {
    key.p = 0n;
    key.q = 0n;
  }
}

run(workerData as DealJob).then(
  (r) => parentPort!.postMessage({ ok: true, ...r }),
  (e: unknown) => parentPort!.postMessage({ ok: false, error: errorMessage(e) }),
);

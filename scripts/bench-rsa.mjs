#!/usr/bin/env node
// Benchmark of threshold RSA's CPU cost (run after `npx tsc -b`): per-share CPU (x^(2Δs_i)
// mod n, with and without Shoup's proof), combining, proof verification and a whole 3-of-5
// signature, for RSA-2048 and RSA-4096, next to a single-key node:crypto (OpenSSL, CRT)
// signature measured in the same run. Process CPU time (process.cpuUsage), so other load on
// the machine inflates wall time but not these figures. Figures, not assertions.
//   node scripts/bench-rsa.mjs [--n=50] [--backend=bigint] [--json]
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rsa = await import(join(root, 'packages/threshold-rsa/dist/index.js'));
const native = await import(join(root, 'packages/threshold-rsa-native/dist/index.js'));
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const N = Number(args.n ?? 50);
const backend = native.installNativeModexp({ env: args.backend === 'bigint' ? { QSIGN_RSA_BACKEND: 'bigint' } : {}, log: () => {} });

const big = (s) => BigInt(`0x${Buffer.from(s, 'base64url').toString('hex')}`);
/** Mean CPU milliseconds (user + system) of `fn` over `n` runs, after one warm-up. */
function cpu(n, fn) {
  fn(0);
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) fn(i + 1);
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000 / n;
}

const figures = {};
const log = 'json' in args ? () => undefined : console.log;
log(`threshold-rsa bench: modexp backend ${backend} (Node ${process.versions.node}, OpenSSL ${process.versions.openssl}), ${N} runs each, CPU ms per operation`);
for (const bits of [2048, 4096]) {
  const n = bits === 4096 ? Math.max(5, Math.floor(N / 4)) : N;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const j = privateKey.export({ format: 'jwk' });
  const parts = { n: big(j.n), e: big(j.e), p: big(j.p), q: big(j.q) };
  const dealt = rsa.dealShares(parts, { parties: 5, threshold: 3, proofs: 'none' });
  const digests = Array.from({ length: n + 1 }, (_, i) => createHash('sha256').update(`message ${i}`).digest());
  const single = cpu(n, (i) => sign('sha256', Buffer.from(`message ${i}`), privateKey));
  const share = cpu(n, (i) => rsa.signShare(dealt.publicKey, dealt.shares[0], 'sha256', digests[i]));
  const sets = digests.map((d) => [1, 3, 5].map((k) => rsa.signShare(dealt.publicKey, dealt.shares[k - 1], 'sha256', d)));
  const comb = cpu(n, (i) => rsa.combine(dealt.publicKey, 'sha256', digests[i], sets[i]));
  // Shoup's proofs need safe primes; their cost depends only on the modulus size, so a
  // public key with verification data over this modulus measures it without generating one.
  const v = 4n;
  const proofPub = { ...dealt.publicKey, verification: { v, verificationKeys: dealt.shares.map((s) => rsa.modPowSecret(v, s.secret, parts.n)) } };
  const proved = cpu(n, (i) => rsa.signShare(proofPub, dealt.shares[0], 'sha256', digests[i]));
  const provedShares = digests.map((d) => rsa.signShare(proofPub, dealt.shares[0], 'sha256', d));
  const verify = cpu(n, (i) => rsa.verifyShare(proofPub, 'sha256', digests[i], provedShares[i]));
  const total = 3 * share + comb;
  figures[`rsa${bits}`] = { singleKeyMs: single, shareMs: share, shareWithProofMs: proved, combineMs: comb, verifyProofMs: verify, totalMs: total };
  log(`\nRSA-${bits}`);
  log(`  node:crypto sign (single key, CRT)        ${single.toFixed(2).padStart(8)} ms`);
  log(`  signature share, no proof (per node)      ${share.toFixed(2).padStart(8)} ms   ${(share / single).toFixed(1)}× a single-key signature`);
  log(`  signature share with Shoup proof          ${proved.toFixed(2).padStart(8)} ms`);
  log(`  combine 3 shares + verify (coordinator)   ${comb.toFixed(2).padStart(8)} ms`);
  log(`  verify one share's proof (on blame only)  ${verify.toFixed(2).padStart(8)} ms`);
  log(`  3-of-5 signature, CPU summed (no proofs)  ${total.toFixed(2).padStart(8)} ms`);
}
if ('json' in args) console.log(JSON.stringify({ backend, ...figures }));

#!/usr/bin/env node
// Benchmarks @qsign/frost against @noble/curves' ed25519_FROST, 3-of-5 (3 signers).
// Also compares @qsign/frost's point backends (noble, libsodium) per signing operation and
// per group operation. Run after `npx tsc -b`:  node scripts/bench-frost.mjs [iterations]
import { ed25519_FROST as nf } from '@noble/curves/ed25519.js';
import * as q from '../packages/frost/dist/index.js';
import { loadSodiumBackend } from '../packages/frost-native/dist/index.js';

const N = Number(process.argv[2] ?? 30);
const MIN = 3, MAX = 5, SIGNERS = [1, 3, 5];
const rnd = (n) => crypto.getRandomValues(new Uint8Array(n));
const now = () => performance.now();
const nid = (i) => nf.Identifier.fromNumber(i);
const cold = () => { q.clearPointCache(); q.clearSigningCache(); };

const { shares, publicKeyPackage: pkp } = q.trustedDealerKeygen(MIN, MAX);
const gpk = pkp.groupPublicKey;
const pub = { signers: { min: MIN, max: MAX }, commitments: pkp.vssCommitment, verifyingShares: Object.fromEntries([...pkp.verifyingShares].map(([i, v]) => [nid(i), v])) };
const nsec = (i) => ({ identifier: nid(i), signingShare: shares[i - 1].share });
const hedge = rnd(32);

function ours(t, coldCaches) {
  const msg = rnd(100);
  let s = now();
  const r = SIGNERS.map((i) => q.commit(i, hedge));
  t.commit += (now() - s) / SIGNERS.length;
  const list = r.map((x) => x.commitments);
  const z = [];
  for (let k = 0; k < SIGNERS.length; k++) {
    if (coldCaches) cold(); // every signer is its own process
    s = now();
    z.push(q.signShare(shares[SIGNERS[k] - 1], gpk, r[k].nonces, list, msg));
    t.signShare += (now() - s) / SIGNERS.length;
  }
  if (coldCaches) cold(); // the coordinator has seen nothing yet
  s = now();
  const sig = q.aggregate(z, gpk, list, msg);
  t.aggregate += now() - s;
  if (coldCaches) cold();
  s = now();
  if (!q.verifySignature(sig, msg, gpk)) throw new Error('bad signature');
  t.verifySignature += now() - s;
  for (const zi of z) {
    if (coldCaches) cold();
    s = now();
    if (!q.verifyShare(zi, pkp.verifyingShares.get(zi.identifier), gpk, list, msg)) throw new Error('bad share');
    t.verifyShare += (now() - s) / z.length;
  }
  if (coldCaches) cold();
  s = now();
  q.aggregate(z, gpk, list, msg, pkp); // what a coordinator calls: aggregate + one verification
  t.aggregateVerified += now() - s;
}

function noble(t) {
  const msg = rnd(100);
  let s = now();
  const r = SIGNERS.map((i) => nf.commit(nsec(i)));
  t.commit += (now() - s) / SIGNERS.length;
  const list = r.map((x) => x.commitments);
  const z = {};
  s = now();
  for (let k = 0; k < SIGNERS.length; k++) z[nid(SIGNERS[k])] = nf.signShare(nsec(SIGNERS[k]), pub, r[k].nonces, list, msg);
  t.signShare += (now() - s) / SIGNERS.length;
  s = now();
  for (const id in z) if (!nf.verifyShare(pub, list, msg, id, z[id])) throw new Error('bad share');
  t.verifyShare += (now() - s) / SIGNERS.length;
  s = now();
  const sig = nf.aggregate(pub, list, msg, z); // noble's aggregate always verifies
  t.aggregate += now() - s;
  t.aggregateVerified = t.aggregate;
  s = now();
  if (!nf.verify(sig, msg, gpk)) throw new Error('bad signature');
  t.verifySignature += now() - s;
}

const zero = () => ({ commit: 0, signShare: 0, verifyShare: 0, aggregate: 0, aggregateVerified: 0, verifySignature: 0 });
function run(f, ...a) {
  for (let i = 0; i < 3; i++) f(zero(), ...a); // warm-up
  const t = zero();
  const s = now();
  for (let i = 0; i < N; i++) f(t, ...a);
  const total = (now() - s) / N;
  for (const k in t) t[k] /= N;
  return { ...t, total };
}

const fmt = (x) => x.toFixed(3).padStart(9);
const KEYS = ['commit', 'signShare', 'verifyShare', 'aggregate', 'aggregateVerified', 'verifySignature', 'total'];

// 1. @qsign/frost on each backend (cold caches, as separate processes would see it) vs noble's FROST.
const sodium = loadSodiumBackend();
q.setPointBackend(q.nobleBackend);
const cOurs = run(ours, true);
const wOurs = run(ours, false);
q.setPointBackend(sodium);
const cNative = run(ours, true);
const wNative = run(ours, false);
q.setPointBackend(q.nobleBackend);
const tNoble = run(noble);
console.log(`FROST(Ed25519, SHA-512) ${MIN}-of-${MAX}, ${SIGNERS.length} signers, ${N} signatures, node ${process.version}`);
console.log('ms per call          noble-be cold  warm  libsodium cold  warm  noble FROST  noble-be/libsodium (cold)');
for (const k of KEYS) {
  console.log(`${k.padEnd(18)} ${fmt(cOurs[k])} ${fmt(wOurs[k])} ${fmt(cNative[k])} ${fmt(wNative[k])} ${fmt(tNoble[k])}   ${(cOurs[k] / cNative[k]).toFixed(1).padStart(5)}x`);
}
console.log('noble-be / libsodium: @qsign/frost with the noble (default) or libsodium point backend (@qsign/frost-native).');
console.log('cold: point/signing caches cleared before every timed call (nothing decoded before); warm: caches kept.');
console.log('noble FROST = @noble/curves ed25519_FROST, whose aggregate always verifies (= aggregateVerified).');
console.log('total = all rounds of one signature incl. verifyShare of every share and both aggregates.');

// 2. The group operations themselves, per backend.
const M = Math.max(50, N * 5);
const pts = Array.from({ length: M }, () => q.nobleBackend.mulBaseSecret(q.encodeIdentifier(1 + (rnd(2)[0] | (rnd(1)[0] << 8)))));
const secret = Array.from({ length: M }, () => { const s = rnd(32); s[31] &= 0x0f; return s; });
const pubK = Array.from({ length: M }, () => BigInt('0x' + Buffer.from(rnd(31)).toString('hex')));
function op(b, f) {
  for (let i = 0; i < 5; i++) f(b, i);
  const s = now();
  for (let i = 0; i < M; i++) f(b, i);
  return (now() - s) / M;
}
const OPS = {
  'validate element': (b, i) => b.isValidElement(pts[i]),
  'base mult (secret)': (b, i) => b.mulBaseSecret(secret[i]),
  'scalar mult (public)': (b, i) => b.multiScalarMulPublic([pts[i]], [pubK[i]]),
  'MSM D1..3 + [rho]E1..3': (b, i) => b.multiScalarMulPublic(pts.slice(0, 6).map((_, j) => pts[(i + j) % M]), [1n, 1n, 1n, pubK[i], pubK[(i + 1) % M], pubK[(i + 2) % M]]),
  'add': (b, i) => b.add(pts[i], pts[(i + 1) % M]),
};
console.log(`\ngroup operations, ms per call (${M} calls each)   noble  libsodium  ratio`);
for (const [name, f] of Object.entries(OPS)) {
  q.clearPointCache();
  const a = op(q.nobleBackend, f);
  const c = op(sodium, f);
  console.log(`${name.padEnd(40)} ${fmt(a)} ${fmt(c)}  ${(a / c).toFixed(1).padStart(5)}x`);
}

#!/usr/bin/env node
// Benchmarks @qsign/frost against @noble/curves' ed25519_FROST, 3-of-5 (3 signers).
// Run after `npx tsc -b packages/frost`:  node scripts/bench-frost.mjs [iterations]
import { ed25519_FROST as nf } from '@noble/curves/ed25519.js';
import * as q from '../packages/frost/dist/index.js';

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

const cOurs = run(ours, true);
const wOurs = run(ours, false);
const tNoble = run(noble);
const fmt = (x) => x.toFixed(2).padStart(9);
console.log(`FROST(Ed25519, SHA-512) ${MIN}-of-${MAX}, ${SIGNERS.length} signers, ${N} signatures, node ${process.version}`);
console.log('ms per call            @qsign cold  @qsign warm   noble   noble/cold');
for (const k of ['commit', 'signShare', 'verifyShare', 'aggregate', 'aggregateVerified', 'verifySignature', 'total']) {
  console.log(`${k.padEnd(20)} ${fmt(cOurs[k])}  ${fmt(wOurs[k])} ${fmt(tNoble[k])}   ${(tNoble[k] / cOurs[k]).toFixed(1).padStart(5)}x`);
}
console.log('cold: point/signing caches cleared before every timed call (nothing decoded before);');
console.log('warm: one process, caches kept. noble aggregate always verifies the aggregate (= aggregateVerified).');
console.log('total = all rounds of one signature incl. verifyShare of every share and both aggregates.');

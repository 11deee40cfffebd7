#!/usr/bin/env node
// Regenerates shoup-vectors.json (run after `npx tsc -b`): one imported-style RSA-2048 key
// (ordinary primes, no proofs) and one safe-prime RSA-2048 key (proofs), each dealt 3-of-5,
// with the expected signature from node:crypto (OpenSSL) for a fixed message.
import { createHash, createPrivateKey, generateKeyPairSync, generatePrimeSync, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as t from '../../../dist/index.js';

const b64 = (x) => Buffer.from(x.toString(16).padStart(x.toString(16).length + (x.toString(16).length % 2), '0'), 'hex').toString('base64url');
const fromB64 = (s) => BigInt(`0x${Buffer.from(s, 'base64url').toString('hex')}`);
function keyObject({ n, e, p, q }) {
  const d = inv(e, (p - 1n) * (q - 1n));
  return createPrivateKey({ key: { kty: 'RSA', n: b64(n), e: b64(e), d: b64(d), p: b64(p), q: b64(q), dp: b64(d % (p - 1n)), dq: b64(d % (q - 1n)), qi: b64(inv(q, p)) }, format: 'jwk' });
}
function inv(a, m) { let [r0, r1, s0, s1] = [a % m, m, 1n, 0n]; while (r1) { const q = r0 / r1; [r0, r1] = [r1, r0 - q * r1]; [s0, s1] = [s1, s0 - q * s1]; } return ((s0 % m) + m) % m; }

const message = 'qsign threshold RSA test vector\n';
const out = { description: 'Shoup protocol 1, 3-of-5, EMSA-PKCS1-v1_5; signature = node:crypto sign() with the undivided key', message, cases: [] };
const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const imported = { n: fromB64(jwk.n), e: fromB64(jwk.e), p: fromB64(jwk.p), q: fromB64(jwk.q) };
const safe = t.generateSafePrimeKey({ bits: 2048, safePrime: (bits) => generatePrimeSync(bits, { safe: true, bigint: true }) });
for (const [name, key] of [['imported-2048', imported], ['safe-prime-2048', safe]]) {
  for (const hash of ['sha256', 'sha512']) {
    const dealt = t.dealShares(key, { parties: 5, threshold: 3 });
    const digest = createHash(hash).update(message).digest();
    const shares = dealt.shares.map((s) => t.signShare(dealt.publicKey, s, hash, digest));
    out.cases.push({
      name: `${name}-${hash}`,
      hash,
      key: { n: key.n.toString(16), e: key.e.toString(16), p: key.p.toString(16), q: key.q.toString(16) },
      publicKey: t.encodePublicKey(dealt.publicKey),
      secretShares: dealt.shares.map(t.encodeSecretShare),
      signatureShares: shares.map(t.encodeSignatureShare),
      signature: Buffer.from(sign(hash, Buffer.from(message), keyObject(key))).toString('hex'),
    });
  }
}
writeFileSync(new URL('./shoup-vectors.json', import.meta.url), `${JSON.stringify(out, null, 1)}\n`);

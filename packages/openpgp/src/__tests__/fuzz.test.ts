// Fuzz-style robustness: thousands of mutated inputs to every parser. The only
// acceptable failure is an OpenPgpError; nothing may hang or allocate beyond the input.
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  armor,
  buildCertificate,
  dearmor,
  ed25519Fingerprint,
  encodeMpi,
  finishSignature,
  OpenPgpError,
  parseCertificate,
  parsePackets,
  parseSecretKey,
  parseSignature,
  prepareSignature,
  publicKeyPacketBody,
  verifySignaturePacket,
} from '../index.js';
import { mutate, prng } from './helpers.js';

const T = 1_700_000_000;
const ITERATIONS = 3000;
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);

/** A secret-key export as gpg writes it (old-format headers, S2K usage 0, checksum). */
function secretKeyExport(seed: Uint8Array): Uint8Array {
  const pub = publicKeyPacketBody(ed25519.getPublicKey(seed), T);
  const mpi = encodeMpi(seed);
  let sum = 0;
  for (const b of mpi) sum = (sum + b) & 0xffff;
  const body = Uint8Array.of(...pub, 0, ...mpi, sum >> 8, sum & 0xff);
  const uid = new TextEncoder().encode('Fuzz <f@example.org>');
  return Uint8Array.of(0x94, body.length, ...body, 0xb4, uid.length, ...uid);
}

function mutateText(r: ReturnType<typeof prng>, text: string): string {
  const alphabet = 'AZaz09+/=-: \n\r\t';
  const chars = [...text];
  switch (r.int(5)) {
    case 0:
      for (let i = r.int(4) + 1; i > 0 && chars.length; i--) chars[r.int(chars.length)] = alphabet[r.int(alphabet.length)]!;
      return chars.join('');
    case 1:
      return text.slice(0, r.int(text.length + 1));
    case 2: {
      const lines = text.split('\n');
      lines.splice(r.int(lines.length), 1);
      return lines.join('\n');
    }
    case 3: {
      const lines = text.split('\n');
      const i = r.int(lines.length);
      lines.splice(i, 0, lines[r.int(lines.length)]!);
      return lines.join('\n');
    }
    default:
      return Array.from(r.bytes(r.int(200)), (x) => alphabet[x % alphabet.length]).join('');
  }
}

/** Runs `f` on many inputs; fails on any non-OpenPgpError throw or a slow call. */
function hammer<T extends Uint8Array | string>(name: string, seeds: T[], mut: (r: ReturnType<typeof prng>, s: T) => T, f: (x: T) => unknown): { ok: number; codes: Set<string> } {
  const r = prng(SEED ^ name.length * 0x9e3779b1);
  const codes = new Set<string>();
  let ok = 0;
  let slowest = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    let x = seeds[r.int(seeds.length)]!;
    for (let k = r.int(3) + 1; k > 0; k--) x = mut(r, x);
    const t0 = performance.now();
    try {
      f(x);
      ok++;
    } catch (e) {
      if (!(e instanceof OpenPgpError)) throw new Error(`${name}: iteration ${i} (FUZZ_SEED=${SEED}) threw a non-OpenPgpError: ${String(e)}`);
      codes.add(e.code);
    }
    slowest = Math.max(slowest, performance.now() - t0);
  }
  expect(slowest, `${name}: slowest call ${slowest.toFixed(1)} ms`).toBeLessThan(1000);
  return { ok, codes };
}

describe('fuzz: mutated inputs only ever raise OpenPgpError', async () => {
  const sk = ed25519.utils.randomSecretKey();
  const pk = ed25519.getPublicKey(sk);
  const fpr = ed25519Fingerprint(pk, T);
  const cert = await buildCertificate({ publicKey: pk, createdUnixSeconds: T, userId: 'Fuzz <f@example.org>', sign: async (d) => ed25519.sign(d, sk) });
  const data = new TextEncoder().encode('fuzz data\n');
  const p = prepareSignature({ signatureType: 0x01, hashAlgorithm: 'sha512', createdUnixSeconds: T, issuerFingerprint: fpr }, data);
  const sig = finishSignature(p, ed25519.sign(p.digest, sk));
  const secret = secretKeyExport(ed25519.utils.randomSecretKey());
  const binarySeeds = [cert, sig, secret];

  it('seeds are valid', () => {
    expect(parseCertificate(cert).userIds).toEqual(['Fuzz <f@example.org>']);
    expect(verifySignaturePacket(sig, data, pk)).toBe(true);
    expect(parseSecretKey(secret).userIds).toEqual(['Fuzz <f@example.org>']);
  });

  it('parsePackets', () => {
    const { codes } = hammer('parsePackets', binarySeeds, mutate, (b) => parsePackets(b));
    expect(codes).toContain('TRUNCATED');
    expect(codes).toContain('UNKNOWN_PACKET');
  });

  it('parseSignature and verifySignaturePacket', () => {
    hammer('parseSignature', [sig], mutate, (b) => parseSignature(b));
    const { ok } = hammer('verifySignaturePacket', [sig], mutate, (b) => {
      if (verifySignaturePacket(b, data, pk)) {
        // A mutation may only survive if it changed nothing that is signed or checked.
        expect(parseSignature(b).hashedArea).toEqual(p.hashedArea);
      }
    });
    expect(ok).toBeGreaterThan(0);
  });

  it('parseSecretKey', () => {
    const { codes } = hammer('parseSecretKey', [secret, cert], mutate, (b) => {
      const k = parseSecretKey(b);
      expect(ed25519.getPublicKey(k.seed32)).toEqual(k.publicKey32);
    });
    expect(codes).toContain('BAD_CHECKSUM');
  });

  it('parseCertificate', () => {
    hammer('parseCertificate', [cert], mutate, (b) => parseCertificate(b));
  });

  it('dearmor, and the parsers on armored text', () => {
    const texts = [armor('PUBLIC KEY BLOCK', cert), armor('SIGNATURE', sig, [['Comment', 'x']]), armor('PRIVATE KEY BLOCK', secret)];
    const { codes } = hammer('dearmor', texts, mutateText, (t) => dearmor(t));
    expect(codes).toContain('BAD_ARMOR');
    hammer('parseSecretKey(text)', texts, mutateText, (t) => parseSecretKey(t));
    hammer('parseSignature(bytes of text)', texts, mutateText, (t) => parseSignature(new TextEncoder().encode(t)));
  });

  it('huge declared lengths fail fast without allocating', () => {
    for (const b of [Uint8Array.of(0xc2, 0xff, 0xff, 0xff, 0xff, 0xff), Uint8Array.of(0x8a, 0xff, 0xff, 0xff, 0xff), Uint8Array.of(0xcb, 0xfe, 1, 2, 3)]) {
      expect(() => parsePackets(b)).toThrow(OpenPgpError);
    }
  });
});

// Interoperability with GnuPG: certificates, detached/armored/cleartext signatures,
// minimal MPIs, and importing gpg's own unencrypted secret key.
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../../../test/helpers/tools.js';
import {
  armor,
  buildCertificate,
  cleartextSignedMessage,
  cleartextSigningInput,
  ed25519Fingerprint,
  finishSignature,
  parseCertificate,
  parseSecretKey,
  parseSignature,
  prepareSignature,
  toHex,
  verifySignaturePacket,
  type HashAlgorithm,
  type SignatureParams,
} from '../index.js';
import { errorCode, gnupgHome, newKey, tempDir } from './helpers.js';

const T = 1_700_000_000;
const USER_ID = 'qsign test <qsign@example.org>';

/** Random printable text with trailing blanks, dash lines, CRLF/LF mixes. */
function randomText(): string {
  const lines: string[] = [];
  const n = 1 + (randomBytes(1)[0]! % 12);
  for (let i = 0; i < n; i++) {
    let l = Array.from(randomBytes(randomBytes(1)[0]! % 60), (b) => String.fromCharCode(0x21 + (b % 94))).join('');
    const r = randomBytes(1)[0]! % 6;
    if (r === 0) l = '-' + l;
    if (r === 1) l += '  \t ';
    if (r === 2) l = 'From ' + l;
    lines.push(l);
  }
  return lines.join(randomBytes(1)[0]! % 2 ? '\r\n' : '\n') + '\n';
}

describe('gpg interoperability', () => {
  let g: ReturnType<typeof gnupgHome>;
  let files: ReturnType<typeof tempDir>;
  const key = newKey();
  let fpr: Uint8Array;

  const sigParams = (over: Partial<SignatureParams> = {}): SignatureParams => ({
    signatureType: 0x00,
    hashAlgorithm: 'sha256',
    createdUnixSeconds: T + 60,
    issuerFingerprint: fpr,
    ...over,
  });
  const signWithNoble = (params: SignatureParams, data: Uint8Array): Uint8Array => {
    const p = prepareSignature(params, data);
    return finishSignature(p, ed25519.sign(p.digest, key.secretKey));
  };
  const verify = (...args: string[]) => g.gpg('--trust-model', 'always', '--status-fd', '1', '--verify', ...args);

  beforeAll(async () => {
    requireTools('gpg', 'gpgconf');
    g = gnupgHome();
    files = tempDir();
    fpr = ed25519Fingerprint(key.publicKey, T);
    const cert = await buildCertificate({ publicKey: key.publicKey, createdUnixSeconds: T, userId: USER_ID, sign: key.sign });
    const r = g.gpg('--import', files.write('cert.asc', armor('PUBLIC KEY BLOCK', cert)));
    expect(r.status, r.stderr).toBe(0);
  });
  afterAll(() => {
    g?.cleanup();
    files?.cleanup();
  });

  it('imports the certificate: gpg shows our fingerprint, user ID and sign+certify capability', () => {
    const r = g.gpg('--with-colons', '--list-keys');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain(`fpr:::::::::${toHex(fpr)}:`);
    expect(lines.some((l) => l.startsWith('uid:') && l.split(':')[9] === USER_ID)).toBe(true);
    const pub = lines.find((l) => l.startsWith('pub:'))!.split(':');
    expect(pub[3]).toBe('22'); // algorithm
    expect(pub[11]).toMatch(/s/);
    expect(pub[11]).toMatch(/c/);
    expect(g.gpg('--check-sigs').stdout).toMatch(/sig!/);
  });

  for (const hash of ['sha1', 'sha256', 'sha512'] as HashAlgorithm[]) {
    it(`accepts a detached binary ${hash} signature and rejects a one-byte change`, () => {
      const data = new Uint8Array(randomBytes(1 + (randomBytes(2).readUInt16LE() % 5000)));
      const sig = signWithNoble(sigParams({ hashAlgorithm: hash }), data);
      expect(verifySignaturePacket(sig, data, key.publicKey)).toBe(true);
      const ok = verify(files.write('b.sig', sig), files.write('b.bin', data));
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toContain(`VALIDSIG ${toHex(fpr)}`);
      data[randomBytes(4).readUInt32LE() % data.length]! ^= 0x01;
      const bad = verify(files.path('b.sig'), files.write('b.bin', data));
      expect(bad.status).not.toBe(0);
      expect(bad.stdout).toContain('BADSIG');
    });
  }

  it('accepts a detached armored signature and rejects a one-byte change', () => {
    const data = new Uint8Array(randomBytes(4096));
    const sig = armor('SIGNATURE', signWithNoble(sigParams(), data));
    const ok = verify(files.write('a.asc', sig), files.write('a.bin', data));
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`VALIDSIG ${toHex(fpr)}`);
    data[100]! ^= 0x80;
    const bad = verify(files.path('a.asc'), files.write('a.bin', data));
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toContain('BADSIG');
  });

  it('accepts a detached text (0x01) signature over LF text', () => {
    const text = new TextEncoder().encode(randomText().replace(/\r\n/g, '\n'));
    const sig = signWithNoble(sigParams({ signatureType: 0x01 }), text);
    const ok = verify(files.write('t.sig', sig), files.write('t.txt', text));
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('VALIDSIG');
  });

  it('accepts cleartext-signed messages and rejects a one-character change', () => {
    for (let i = 0; i < 10; i++) {
      const text = randomText();
      const sig = signWithNoble(sigParams({ signatureType: 0x01 }), cleartextSigningInput(text));
      const msg = cleartextSignedMessage(text, sig, 'sha256');
      const ok = verify(files.write('c.asc', msg));
      expect(ok.status, `${ok.stderr}\n${msg}`).toBe(0);
      expect(ok.stdout).toContain(`VALIDSIG ${toHex(fpr)}`);
      const at = msg.indexOf('\n\n') + 2;
      const tampered = msg.slice(0, at) + 'X' + msg.slice(at);
      const bad = verify(files.write('c.asc', tampered));
      expect(bad.status).not.toBe(0);
      expect(bad.stdout).toContain('BADSIG');
    }
  });

  for (const [half, offset] of [['R', 0], ['S', 32]] as const) {
    it(`writes a minimal MPI when ${half} starts with 0x00, and gpg accepts it`, () => {
      let data: Uint8Array | undefined;
      let sig64: Uint8Array | undefined;
      let prepared: ReturnType<typeof prepareSignature> | undefined;
      for (let i = 0; i < 20_000; i++) {
        data = new Uint8Array(randomBytes(32));
        prepared = prepareSignature(sigParams(), data);
        sig64 = ed25519.sign(prepared.digest, key.secretKey);
        if (sig64[offset] === 0) break;
      }
      expect(sig64![offset]).toBe(0);
      const pkt = finishSignature(prepared!, sig64!);
      const parsed = parseSignature(pkt);
      expect(parsed.minimalMpis).toBe(true);
      expect(parsed.signature64).toEqual(sig64);
      // Walk to the MPIs: header (2) ‖ hashed area ‖ unhashed area ‖ digest prefix (2).
      expect(pkt[1]).toBeLessThan(192);
      let o = 2 + prepared!.hashedArea.length + prepared!.unhashedArea.length + 2;
      const mpis: { bits: number; value: Uint8Array }[] = [];
      for (let m = 0; m < 2; m++) {
        const bits = (pkt[o]! << 8) | pkt[o + 1]!;
        const value = pkt.subarray(o + 2, o + 2 + ((bits + 7) >> 3));
        mpis.push({ bits, value });
        o += 2 + value.length;
      }
      expect(o).toBe(pkt.length);
      const zeroed = mpis[half === 'R' ? 0 : 1]!;
      expect(zeroed.bits).toBeLessThanOrEqual(248); // the 0x00 octet is not on the wire
      expect(zeroed.value.length).toBeLessThan(32);
      for (const m of mpis) {
        expect(m.value[0]).not.toBe(0);
        expect(m.bits).toBe((m.value.length - 1) * 8 + (32 - Math.clz32(m.value[0]!)));
      }
      const ok = verify(files.write('z.sig', pkt), files.write('z.bin', data!));
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('VALIDSIG');
    });
  }
});

describe('secret key import from gpg', () => {
  let g: ReturnType<typeof gnupgHome>;
  beforeAll(() => {
    requireTools('gpg', 'gpgconf');
    g = gnupgHome();
  });
  afterAll(() => g?.cleanup());

  it('recovers the seed and fingerprint of an unprotected gpg ed25519 key, and gpg verifies what we sign with it', () => {
    const gen = g.gpg('--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key', 'Test <t@example.org>', 'ed25519', 'sign', 'never');
    expect(gen.status, gen.stderr).toBe(0);
    const gpgFpr = g.gpg('--with-colons', '--list-keys').stdout.split('\n').find((l) => l.startsWith('fpr:'))!.split(':')[9]!;
    const exported = g.gpgBytes('--pinentry-mode', 'loopback', '--passphrase', '', '--export-secret-keys');
    const armored = g.gpg('--pinentry-mode', 'loopback', '--passphrase', '', '--armor', '--export-secret-keys').stdout;
    for (const input of [exported, armored]) {
      const k = parseSecretKey(input);
      expect(toHex(k.fingerprint)).toBe(gpgFpr);
      expect(ed25519.getPublicKey(k.seed32)).toEqual(k.publicKey32);
      expect(k.userIds).toEqual(['Test <t@example.org>']);
      expect(ed25519Fingerprint(k.publicKey32, k.createdUnixSeconds)).toEqual(k.fingerprint);
    }
    const cert = parseCertificate(g.gpgBytes('--export'));
    const k = parseSecretKey(exported);
    expect(cert.publicKey32).toEqual(k.publicKey32);
    // Sign with the imported seed; gpg verifies with its own copy of the key.
    const data = new Uint8Array(randomBytes(1000));
    const p = prepareSignature({ signatureType: 0, hashAlgorithm: 'sha256', createdUnixSeconds: k.createdUnixSeconds + 1, issuerFingerprint: k.fingerprint }, data);
    const sig = finishSignature(p, ed25519.sign(p.digest, k.seed32));
    const t = tempDir();
    try {
      const ok = g.gpg('--status-fd', '1', '--verify', t.write('s.sig', sig), t.write('d.bin', data));
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toContain(`VALIDSIG ${gpgFpr}`);
    } finally {
      t.cleanup();
    }
  });

  it('refuses a passphrase-protected key with ENCRYPTED_KEY', () => {
    const h = gnupgHome();
    try {
      const gen = h.gpg('--pinentry-mode', 'loopback', '--passphrase', 'pw', '--quick-gen-key', 'Enc <e@example.org>', 'ed25519', 'sign', 'never');
      expect(gen.status, gen.stderr).toBe(0);
      const exported = h.gpgBytes('--pinentry-mode', 'loopback', '--passphrase', 'pw', '--export-secret-keys');
      expect(errorCode(() => parseSecretKey(exported))).toBe('ENCRYPTED_KEY');
      expect(errorCode(() => parseSecretKey(h.gpgBytes('--export')))).toBe('INVALID_ARGUMENT');
    } finally {
      h.cleanup();
    }
  });
});

// Unit tests for the pure OpenPGP pieces, with hand-computed expectations.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  armor,
  buildCertificate,
  canonicalText,
  cleartextSignedMessage,
  cleartextSigningInput,
  crc24,
  dearmor,
  encodeMpi,
  encodePacket,
  fingerprint,
  finishSignature,
  keyId,
  parseCertificate,
  parsePackets,
  parseSignature,
  prepareCertification,
  prepareSignature,
  publicKeyPacket,
  publicKeyPacketBody,
  QSIGN_KEY_PREFERENCES,
  verifyCertificationPacket,
  verifySignaturePacket,
  type SignatureParams,
} from '../index.js';
import { errorCode, newKey } from './helpers.js';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!.map((x) => parseInt(x, 16)));
const enc = (s: string) => new TextEncoder().encode(s);
const T = 1_700_000_000;

describe('public key packet (RFC 9580 §5.5.2)', () => {
  it('lays out v4 / time / 22 / Ed25519 OID / MPI(0x40||key)', () => {
    const pk = new Uint8Array(32).fill(0xab);
    const body = publicKeyPacketBody(pk, 0x01020304);
    expect(body.subarray(0, 19)).toEqual(hex('04 01020304 16 09 2B06010401DA470F01 0107 40'));
    expect(body.subarray(19)).toEqual(pk);
    expect(publicKeyPacket(pk, 0x01020304)).toEqual(Uint8Array.of(0xc6, body.length, ...body));
  });
  it('fingerprint is SHA-1(0x99 || len16 || body) and key ID its low 8 bytes', () => {
    const body = publicKeyPacketBody(new Uint8Array(32).fill(1), T);
    const fpr = fingerprint(body);
    expect(fpr).toEqual(sha1(Uint8Array.of(0x99, 0, body.length, ...body)));
    expect(keyId(fpr)).toEqual(fpr.subarray(12));
  });
  it('validates inputs', () => {
    expect(errorCode(() => publicKeyPacketBody(new Uint8Array(31), T))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => publicKeyPacketBody(new Uint8Array(32), -1))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => publicKeyPacketBody(new Uint8Array(32), 2 ** 32))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => publicKeyPacketBody(new Uint8Array(32), 1.5))).toBe('INVALID_ARGUMENT');
  });
});

describe('MPI (RFC 9580 §3.2)', () => {
  it('strips leading zero octets and counts bits exactly', () => {
    expect(encodeMpi(hex('00 00 01'))).toEqual(hex('0001 01'));
    expect(encodeMpi(hex('00 ff 00'))).toEqual(hex('0010 ff00'));
    expect(encodeMpi(hex('7f'))).toEqual(hex('0007 7f'));
    expect(encodeMpi(hex('0000'))).toEqual(hex('0000'));
  });
});

describe('packet framing (RFC 9580 §4.2)', () => {
  it('round-trips new-format lengths at the 1/2/5-octet boundaries', () => {
    for (const n of [0, 191, 192, 8383, 8384, 70000]) {
      const body = new Uint8Array(n).fill(7);
      const [p] = parsePackets(encodePacket(11, body));
      expect(p!.tag).toBe(11);
      expect(p!.body.length).toBe(n);
    }
  });
  it('reads old-format headers and partial body lengths', () => {
    expect(parsePackets(hex('b4 03 616263'))[0]).toEqual({ tag: 13, body: enc('abc') });
    expect(parsePackets(hex('b5 0003 616263'))[0]!.body).toEqual(enc('abc'));
    expect(parsePackets(hex('b7 616263'))[0]!.body).toEqual(enc('abc')); // indeterminate
    const partial = Uint8Array.of(0xcb, 0xe9, ...new Uint8Array(512).fill(1), 0x02, 9, 9);
    expect(parsePackets(partial)[0]!.body.length).toBe(514);
  });
  it('refuses truncated, unknown and oversized input with typed errors', () => {
    expect(errorCode(() => parsePackets(hex('c2 05 0102')))).toBe('TRUNCATED');
    expect(errorCode(() => parsePackets(hex('c2 ff ffffffff 00')))).toBe('TRUNCATED');
    expect(errorCode(() => parsePackets(hex('cf 00')))).toBe('UNKNOWN_PACKET');
    expect(errorCode(() => parsePackets(hex('c0 00')))).toBe('UNKNOWN_PACKET');
    expect(errorCode(() => parsePackets(hex('02 00')))).toBe('MALFORMED');
    expect(errorCode(() => parsePackets(new Uint8Array(0)))).toBe('TRUNCATED');
    expect(errorCode(() => parsePackets(hex('cd 01 61'), { maxBytes: 2 }))).toBe('TOO_LARGE');
    expect(errorCode(() => parsePackets(hex('cd 00 cd 00'), { maxPackets: 1 }))).toBe('TOO_LARGE');
    expect(errorCode(() => parsePackets(hex('c2 e0 00')))).toBe('MALFORMED'); // partial on a signature
  });
});

describe('armor (RFC 4880 §6)', () => {
  it('CRC-24 of the empty string is the init value', () => {
    expect(crc24(new Uint8Array(0))).toBe(0xb704ce);
  });
  it('round-trips every length mod 3, with and without headers', () => {
    for (let n = 1; n < 200; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const a = armor('SIGNATURE', b, n % 2 ? [['Comment', 'qsign test']] : []);
      const d = dearmor(a);
      expect(d.bytes).toEqual(b);
      expect(d.kind).toBe('SIGNATURE');
      expect(d.headers.length).toBe(n % 2);
      expect(dearmor(a.replace(/\n/g, '\r\n')).bytes).toEqual(b);
    }
  });
  it('accepts armor without CRC and without blank line (RFC 9580 §6.1)', () => {
    const a = armor('MESSAGE', enc('hello')).split('\n');
    const noCrc = a.filter((l) => !/^=/.test(l)).join('\n');
    expect(dearmor(noCrc).bytes).toEqual(enc('hello'));
    expect(dearmor(noCrc.replace('-----\n\n', '-----\n')).bytes).toEqual(enc('hello'));
  });
  it('refuses a bad CRC, bad base64, a missing END and unknown kinds', () => {
    const a = armor('SIGNATURE', enc('hello'));
    expect(errorCode(() => dearmor(a.replace(/\n=(....)/, '\n=AAAA')))).toBe('BAD_CHECKSUM');
    expect(errorCode(() => dearmor(a.replace('aGVsbG8', 'aGV*bG8')))).toBe('BAD_ARMOR');
    expect(errorCode(() => dearmor(a.replace('-----END PGP SIGNATURE-----', '')))).toBe('BAD_ARMOR');
    expect(errorCode(() => dearmor(a.replace(/SIGNATURE/g, 'FOO')))).toBe('BAD_ARMOR');
    expect(errorCode(() => dearmor('nothing here'))).toBe('BAD_ARMOR');
  });
});

describe('canonical text (RFC 4880 §5.2.1, §7.1)', () => {
  it('turns LF, CR and CRLF into CRLF and keeps trailing whitespace', () => {
    expect(canonicalText(enc('a\nb\r\nc\rd \n'))).toEqual(enc('a\r\nb\r\nc\r\nd \r\n'));
    expect(canonicalText(enc('\n\r\r\n'))).toEqual(enc('\r\n\r\n\r\n'));
  });
  it('cleartext input strips trailing spaces/tabs and the final line ending', () => {
    expect(cleartextSigningInput('hello \t\nworld\n')).toEqual(enc('hello\r\nworld'));
    expect(cleartextSigningInput('hello')).toEqual(enc('hello'));
    expect(cleartextSigningInput('a\n\n')).toEqual(enc('a\r\n'));
    expect(cleartextSigningInput('')).toEqual(enc(''));
  });
});

function params(over: Partial<SignatureParams> = {}): SignatureParams {
  return { signatureType: 0x00, hashAlgorithm: 'sha256', createdUnixSeconds: T, issuerFingerprint: new Uint8Array(20).fill(9), ...over };
}

describe('prepareSignature (RFC 4880 §5.2.4)', () => {
  it('is a pure function of params and data', () => {
    const a = prepareSignature(params(), enc('data'));
    const b = prepareSignature(params(), enc('data'));
    expect(a).toEqual(b);
    expect(prepareSignature(params({ createdUnixSeconds: T + 1 }), enc('data')).digest).not.toEqual(a.digest);
  });
  it('hashes data || hashed area || 04 FF len32 with the v4 subpackets', () => {
    const p = prepareSignature(params(), enc('data'));
    const sub = hex('16 21 04' + '09'.repeat(20) + '05 02' + T.toString(16));
    expect(p.hashedArea).toEqual(Uint8Array.of(4, 0, 22, 8, 0, sub.length, ...sub));
    expect(p.unhashedArea).toEqual(hex('000a 09 10' + '09'.repeat(8)));
    const trailer = Uint8Array.of(4, 0xff, 0, 0, 0, p.hashedArea.length);
    expect(p.digest).toEqual(sha256(Uint8Array.of(...enc('data'), ...p.hashedArea, ...trailer)));
  });
  it('canonicalises text signatures only', () => {
    const t = params({ signatureType: 0x01 });
    expect(prepareSignature(t, enc('a\nb')).digest).toEqual(prepareSignature(t, enc('a\r\nb')).digest);
    expect(prepareSignature(params(), enc('a\nb')).digest).not.toEqual(prepareSignature(params(), enc('a\r\nb')).digest);
  });
  it('uses the digest size of each hash', () => {
    expect(prepareSignature(params({ hashAlgorithm: 'sha1' }), enc('x')).digest.length).toBe(20);
    expect(prepareSignature(params({ hashAlgorithm: 'sha512' }), enc('x')).digest.length).toBe(64);
    expect(prepareSignature(params({ hashAlgorithm: 'sha512' }), enc('x')).hashedArea[3]).toBe(10);
  });
  it('validates every parameter', () => {
    expect(errorCode(() => prepareSignature(params({ hashAlgorithm: 'md5' as never }), enc('x')))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => prepareSignature(params({ signatureType: 0x13 }), enc('x')))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => prepareSignature(params({ issuerFingerprint: new Uint8Array(19) }), enc('x')))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => prepareSignature(params({ createdUnixSeconds: NaN }), enc('x')))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => prepareSignature(params({ keyPreferences: QSIGN_KEY_PREFERENCES }), enc('x')))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => prepareSignature(params(), 42 as never))).toBe('INVALID_ARGUMENT');
  });
});

describe('finishSignature and verifySignaturePacket', () => {
  it('round-trips and refuses a changed byte', () => {
    const k = newKey();
    const data = enc('some data');
    const p = prepareSignature(params(), data);
    const pkt = finishSignature(p, ed25519.sign(p.digest, k.secretKey));
    expect(verifySignaturePacket(pkt, data, k.publicKey)).toBe(true);
    expect(verifySignaturePacket(armor('SIGNATURE', pkt), data, k.publicKey)).toBe(true);
    expect(verifySignaturePacket(pkt, enc('some datA'), k.publicKey)).toBe(false);
    expect(verifySignaturePacket(pkt, data, newKey().publicKey)).toBe(false);
    const s = parseSignature(pkt);
    expect(s.createdUnixSeconds).toBe(T);
    expect(s.issuerFingerprint).toEqual(new Uint8Array(20).fill(9));
    expect(s.issuerKeyId).toEqual(new Uint8Array(8).fill(9));
    expect(s.minimalMpis).toBe(true);
  });
  it('refuses a signature with an unknown critical hashed subpacket (RFC 9580 §5.2.3.7)', () => {
    const k = newKey();
    const p = prepareSignature(params(), enc('x'));
    // Append critical subpacket type 100 (private) to the hashed area and re-sign.
    const extra = Uint8Array.of(2, 0x80 | 100, 0);
    const len = p.hashedArea.length - 6 + extra.length;
    const hashedArea = Uint8Array.of(...p.hashedArea.subarray(0, 4), len >> 8, len & 0xff, ...p.hashedArea.subarray(6), ...extra);
    const trailer = Uint8Array.of(4, 0xff, 0, 0, 0, hashedArea.length);
    const digest = sha256(Uint8Array.of(...enc('x'), ...hashedArea, ...trailer));
    const pkt = finishSignature({ ...p, hashedArea, digest }, ed25519.sign(digest, k.secretKey));
    expect(verifySignaturePacket(pkt, enc('x'), k.publicKey)).toBe(false);
  });
  it('parseSignature reports non-minimal MPIs', () => {
    const k = newKey();
    const p = prepareSignature(params(), enc('x'));
    const s = ed25519.sign(p.digest, k.secretKey);
    const body = Uint8Array.of(...p.hashedArea, ...p.unhashedArea, ...p.digest.subarray(0, 2), 1, 0, ...s.subarray(0, 32), ...encodeMpi(s.subarray(32)));
    const parsed = parseSignature(encodePacket(2, body));
    expect(parsed.minimalMpis).toBe(s[0]! >= 0x80);
    expect(parsed.signature64).toEqual(s);
  });
  it('refuses a wrong-size signature or a tampered prepared object', () => {
    const p = prepareSignature(params(), enc('x'));
    expect(errorCode(() => finishSignature(p, new Uint8Array(63)))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => finishSignature({ ...p, digest: p.digest.subarray(0, 20) }, new Uint8Array(64)))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => finishSignature({ ...p, hashedArea: p.hashedArea.subarray(1) }, new Uint8Array(64)))).toBe('INVALID_ARGUMENT');
  });
});

describe('certificates', () => {
  it('builds a verifiable positive certification with split-key flags', async () => {
    const k = newKey();
    const cert = await buildCertificate({ publicKey: k.publicKey, createdUnixSeconds: T, userId: 'Q <q@example.org>', sign: k.sign });
    const [pk, uid, sig] = parsePackets(cert);
    expect([pk!.tag, uid!.tag, sig!.tag]).toEqual([6, 13, 2]);
    const info = parseCertificate(armor('PUBLIC KEY BLOCK', cert));
    expect(info.userIds).toEqual(['Q <q@example.org>']);
    expect(info.publicKey32).toEqual(k.publicKey);
    expect(info.fingerprint).toEqual(fingerprint(publicKeyPacketBody(k.publicKey, T)));
    const parsed = parseSignature(encodePacket(2, sig!.body));
    expect(parsed.signatureType).toBe(0x13);
    expect(parsed.keyFlags).toBe(0x13);
    expect(verifyCertificationPacket(encodePacket(2, sig!.body), pk!.body, 'Q <q@example.org>', k.publicKey)).toBe(true);
    expect(verifyCertificationPacket(encodePacket(2, sig!.body), pk!.body, 'Q <r@example.org>', k.publicKey)).toBe(false);
  });
  it('is deterministic: the same inputs give the same certificate', async () => {
    const k = newKey();
    const o = { publicKey: k.publicKey, createdUnixSeconds: T, userId: 'Q', sign: k.sign };
    expect(await buildCertificate(o)).toEqual(await buildCertificate(o));
  });
  it('refuses a signer result that does not verify, and wraps signer failures', async () => {
    const k = newKey();
    const o = { publicKey: k.publicKey, createdUnixSeconds: T, userId: 'Q' };
    await expect(buildCertificate({ ...o, sign: newKey().sign })).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
    await expect(buildCertificate({ ...o, sign: async () => { throw new Error('node down'); } })).rejects.toMatchObject({ code: 'SIGNER_FAILED' });
    await expect(buildCertificate({ ...o, userId: 'a\nb', sign: k.sign })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
  it('prepareCertification matches what buildCertificate signs', async () => {
    const k = newKey();
    const body = publicKeyPacketBody(k.publicKey, T);
    let seen: Uint8Array | undefined;
    await buildCertificate({ publicKey: k.publicKey, createdUnixSeconds: T, userId: 'Q', sign: async (d) => ((seen = d), k.sign(d)) });
    const p = prepareCertification({ signatureType: 0x13, hashAlgorithm: 'sha256', createdUnixSeconds: T, issuerFingerprint: fingerprint(body), keyPreferences: QSIGN_KEY_PREFERENCES }, body, 'Q');
    expect(seen).toEqual(p.digest);
  });
});

describe('cleartext signed message (RFC 4880 §7)', () => {
  it('dash-escapes, declares the hash and refuses a binary signature', () => {
    const k = newKey();
    const text = '-----BEGIN fake\nline  \n-x\n';
    const p = prepareSignature(params({ signatureType: 0x01 }), cleartextSigningInput(text));
    const pkt = finishSignature(p, ed25519.sign(p.digest, k.secretKey));
    const msg = cleartextSignedMessage(text, pkt, 'sha256');
    expect(msg.startsWith('-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n- -----BEGIN fake\nline\n- -x\n-----BEGIN PGP SIGNATURE-----\n')).toBe(true);
    expect(verifySignaturePacket(pkt, cleartextSigningInput(text), k.publicKey)).toBe(true);
    expect(errorCode(() => cleartextSignedMessage(text, pkt, 'sha512'))).toBe('INVALID_ARGUMENT');
    const b = prepareSignature(params(), cleartextSigningInput(text));
    expect(errorCode(() => cleartextSignedMessage(text, finishSignature(b, ed25519.sign(b.digest, k.secretKey)), 'sha256'))).toBe('INVALID_ARGUMENT');
  });
});

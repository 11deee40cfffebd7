import { readFileSync } from 'node:fs';
import { createPublicKey, verify as nodeVerify, createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  type VerifierKey,
  cosign,
  formatCheckpoint,
  keyId,
  makeVerifierKey,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  verifyCosignature,
} from '../index.js';
import { code } from './helpers.js';

const V = JSON.parse(readFileSync(new URL('./vectors/signed-note.json', import.meta.url), 'utf8')) as {
  go: { skey: string; peterKey: string; enochKey: string; text: string; peterSig: string; enochSig: string; badVerifierKeys: string[] };
  spec: { vkey: string; note: string };
};
const go = V.go;
const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const peterSeed = b64(go.skey.split('+').slice(4).join('+')).slice(1); // base64 may contain '+'


/** Verifies an Ed25519 signature with Node's OpenSSL, independent of noble. */
function opensslVerify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]), format: 'der', type: 'spki' });
  return nodeVerify(null, msg, key, sig);
}

describe('signed note (golang.org/x/mod/sumdb/note vectors)', () => {
  const peter = parseVerifierKey(go.peterKey);
  const enoch = parseVerifierKey(go.enochKey);

  it('derives the same vkey and byte-identical note from the Go test key', () => {
    expect(makeVerifierKey('PeterNeumann', ed25519.getPublicKey(peterSeed))).toBe(go.peterKey);
    expect(peter.keyId).toBe(0xc74f20a3);
    expect(signNote(go.text, 'PeterNeumann', peterSeed)).toBe(`${go.text}\n${go.peterSig}`);
  });

  it('opens the spec example note with its vkey', () => {
    const n = openNote(V.spec.note, [parseVerifierKey(V.spec.vkey)]);
    expect(n.text).toBe('This is an example message.\n');
    expect(n.signatures).toEqual([{ name: 'example.com/foo', keyId: 0x530d903a, type: 1 }]);
  });

  it('verifies a known key and keeps the unknown one unverified (Go TestOpen)', () => {
    const n = openNote(`${go.text}\n${go.peterSig}${go.enochSig}`, [peter]);
    expect(n.text).toBe(go.text);
    expect(n.signatures).toEqual([{ name: 'PeterNeumann', keyId: 0xc74f20a3, type: 1 }]);
    expect(n.unverified.map((s) => [s.name, s.keyId])).toEqual([['EnochRoot', 0xaf0cfe78]]);
    const both = openNote(new TextEncoder().encode(`${go.text}\n${go.peterSig}${go.enochSig}`), [peter, enoch]);
    expect(both.signatures.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot']);
  });

  it('refuses a note with no signature from a known key', () => {
    expect(code(() => openNote(`${go.text}\n${go.peterSig}${go.enochSig}`, []))).toBe('no-verified-signature');
  });

  it('ignores a signature that shares the name but not the key ID of a known key', () => {
    const otherId = go.peterSig.replace('x08go', 'AAAAA');
    expect(code(() => openNote(`${go.text}\n${otherId}`, [peter]))).toBe('no-verified-signature');
  });

  it('refuses the whole note when a known key’s signature is invalid', () => {
    const bad = go.peterSig.slice(0, 60) + 'ABCD' + go.peterSig.slice(60);
    expect(code(() => openNote(`${go.text}\n${bad}`, [peter]))).toBe('bad-signature');
    expect(code(() => openNote(`${go.text.replace('cryptography', 'Cryptography')}\n${go.peterSig}`, [peter]))).toBe('bad-signature');
  });

  it('refuses two signatures from one known key (stricter than Go, which keeps the first)', () => {
    expect(code(() => openNote(`${go.text}\n${go.peterSig}${go.peterSig}`, [peter]))).toBe('duplicate-signature');
  });

  it('refuses an ambiguous verifier list when it is used', () => {
    expect(code(() => openNote(`${go.text}\n${go.enochSig}`, [enoch, peter, enoch]))).toBe('ambiguous-key');
    expect(openNote(`${go.text}\n${go.peterSig}`, [enoch, peter, enoch]).signatures).toHaveLength(1);
  });

  it('limits the number of signatures and the size', () => {
    expect(code(() => openNote(`${go.text}\n${go.peterSig.repeat(101)}`, [peter]))).toBe('note-too-large');
    expect(code(() => openNote(`${go.text}\n${go.enochSig.repeat(101)}`, []))).toBe('note-too-large');
    expect(code(() => openNote(`${go.text}\n${go.peterSig}`, [peter], { maxBytes: 100 }))).toBe('note-too-large');
    // The spec requires accepting at least 16 signatures.
    const many = Array.from({ length: 15 }, (_, i) => go.enochSig.replace('EnochRoot', `Other${i}`)).join('');
    expect(openNote(`${go.text}\n${go.peterSig}${many}`, [peter]).unverified).toHaveLength(15);
  });

  it('refuses malformed notes (Go TestOpen badMsgs and more)', () => {
    const bad = [
      go.text,
      `${go.text}\n`,
      `${go.text}\n${go.peterSig.slice(0, -1)}`,
      `\x01${go.text}\n${go.peterSig}`,
      `${go.text}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      `${go.text}\n${go.peterSig}Unexpected line.\n`,
      `${go.text}\n${go.peterSig.replace('— ', '-- ')}`,
      `${go.text}\n${go.peterSig.replace('AM=', 'AM')}`, // unpadded base64
      `${go.text}\n${go.peterSig.replace('AM=', 'AN=')}`, // non-canonical trailing bits
      `${go.text}\n— PeterNeumann \n`,
      `${go.text}\n— PeterNeumann AAAA\n`, // fewer than 5 bytes
      `${go.text}\n— Peter+Neumann ${go.peterSig.split(' ')[2]}`,
      `${go.text}\r\n${go.peterSig}`,
    ];
    for (const m of bad) expect(code(() => openNote(m, [peter])), JSON.stringify(m)).toBe('malformed-note');
    expect(code(() => openNote(Uint8Array.of(0xff, 0x0a, 0x0a), [peter]))).toBe('malformed-note');
    expect(code(() => openNote('\ud800\n\n— a b\n', [peter]))).toBe('malformed-note');
  });

  it('parses vkeys whose base64 contains "+"', () => {
    const sk = new Uint8Array(32);
    let vkey = '';
    for (let i = 0; vkey.split('+').length <= 3; i++) {
      sk[0] = i;
      vkey = makeVerifierKey('n', ed25519.getPublicKey(sk));
    }
    expect(parseVerifierKey(vkey).publicKey).toEqual(ed25519.getPublicKey(sk));
  });

  it('refuses mangled verifier keys (Go TestNewVerifier)', () => {
    for (const k of go.badVerifierKeys) expect(code(() => parseVerifierKey(k))).toBe('malformed-key');
    const b = go.peterKey;
    for (let i = 0; i < b.length; i++) {
      for (const j of [i + 1, b.length]) {
        if (i === 0 && j === b.length) continue;
        expect(code(() => parseVerifierKey(b.slice(i, j)))).toBe('malformed-key');
      }
      const mangled = b.slice(0, i) + String.fromCharCode(b.charCodeAt(i) + 1) + b.slice(i + 1);
      expect(code(() => parseVerifierKey(mangled)), mangled).toBe('malformed-key');
    }
    expect(code(() => parseVerifierKey(go.peterKey.replace('c74f20a3', 'C74F20A3')))).toBe('malformed-key');
  });

  it('refuses bad signing input', () => {
    expect(code(() => signNote('no newline', 'a', peterSeed))).toBe('invalid-argument');
    expect(code(() => signNote('tab\there\n', 'a', peterSeed))).toBe('invalid-argument');
    expect(code(() => signNote('x\n', 'bad name', peterSeed))).toBe('invalid-argument');
    expect(code(() => signNote('x\n', 'a', new Uint8Array(31)))).toBe('invalid-argument');
  });
});

describe('checkpoints (c2sp.org/tlog-checkpoint)', () => {
  const root = b64('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
  const body = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

  it('formats and parses the spec example body', () => {
    const cp = parseCheckpoint(body);
    expect(cp).toEqual({ origin: 'example.com/behind-the-sofa', size: 20852163, rootHash: root, extensions: [] });
    expect(formatCheckpoint(cp)).toBe(body);
    const ext = `${body}ext one\next two\n`;
    expect(parseCheckpoint(ext).extensions).toEqual(['ext one', 'ext two']);
    expect(formatCheckpoint(parseCheckpoint(ext))).toBe(ext);
  });

  it('refuses malformed bodies (transparency-dev/formats checkpoint_test cases and more)', () => {
    const bad = [
      'Head\n9944\n',
      '\n9944\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n',
      'Log\n123\nYmFuYW5hcw==',
      'Log\nbananas\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
      'Log\n-34\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
      'Log\n3438945738945739845734895735\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
      "Log\n123\nThisIsn'tBase64\n",
      'Log\n0123\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
      'Log\n123\nYmFuYW5hcw==\n', // not 32 bytes
      `${body}\n`, // empty extension line
      'Log\n+5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    ];
    for (const b of bad) expect(code(() => parseCheckpoint(b)), JSON.stringify(b)).toBe('malformed-checkpoint');
  });

  it('signs and opens a checkpoint; checks the origin when asked', () => {
    const sk = new Uint8Array(32).fill(9);
    const origin = 'node-1.qsign.example/audit';
    const vkey = parseVerifierKey(makeVerifierKey(origin, ed25519.getPublicKey(sk)));
    const signed = signCheckpoint({ origin, size: 0, rootHash: root, extensions: [] }, sk);
    expect(openCheckpoint(signed, [vkey], { origin }).checkpoint.size).toBe(0);
    expect(code(() => openCheckpoint(signed, [vkey], { origin: 'other' }))).toBe('inconsistent-checkpoints');
  });
});

describe('cosignatures (c2sp.org/tlog-cosignature, hand-built vectors)', () => {
  const body = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
  const sk = new Uint8Array(32).map((_, i) => i + 1);
  const pk = ed25519.getPublicKey(sk);
  const name = 'witness.example.com/w1';
  const T = 1679315147;

  it('builds the exact spec message, key ID and byte layout (checked with OpenSSL)', () => {
    const line = cosign(body, name, sk, T);
    expect(line.startsWith(`— ${name} `) && line.endsWith('\n')).toBe(true);
    const raw = b64(line.trim().split(' ')[2]!);
    expect(raw).toHaveLength(76);
    // key ID = SHA-256(name || "\n" || 0x04 || pubkey)[:4], computed with node:crypto.
    const id = createHash('sha256').update(name).update(Buffer.from([0x0a, 0x04])).update(pk).digest().subarray(0, 4);
    expect(Buffer.from(raw.subarray(0, 4)).equals(id)).toBe(true);
    expect(keyId(name, 4, pk)).toBe(id.readUInt32BE(0));
    expect(Buffer.from(raw.subarray(4, 12)).readBigUInt64BE(0)).toBe(BigInt(T));
    // The message text of the spec's "Ed25519 signed message" example.
    const msg = Buffer.from(`cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n`);
    expect(opensslVerify(pk, msg, raw.subarray(12))).toBe(true);
  });

  it('verifies with a type-0x04 vkey and through openNote, returning the timestamp', () => {
    const vkey = parseVerifierKey(makeVerifierKey(name, pk, 4));
    const line = cosign(body, name, sk, T);
    expect(verifyCosignature(body, line, vkey)).toEqual({ timestamp: T });
    const logSk = new Uint8Array(32).fill(3);
    const logKey = parseVerifierKey(makeVerifierKey('example.com/behind-the-sofa', ed25519.getPublicKey(logSk)));
    const note = signNote(body, 'example.com/behind-the-sofa', logSk) + line;
    const opened = openNote(note, [logKey, vkey]);
    expect(opened.signatures).toEqual([
      { name: 'example.com/behind-the-sofa', keyId: logKey.keyId, type: 1 },
      { name, keyId: vkey.keyId, type: 4, timestamp: T },
    ]);
  });

  it('refuses a cosignature over another body, time or key, or checked with the 0x01 key', () => {
    const vkey = parseVerifierKey(makeVerifierKey(name, pk, 4));
    const line = cosign(body, name, sk, T);
    expect(code(() => verifyCosignature(body.replace('20852163', '20852164'), line, vkey))).toBe('bad-signature');
    const raw = b64(line.trim().split(' ')[2]!);
    raw[11]! ^= 1; // timestamp
    const tampered = `— ${name} ${Buffer.from(raw).toString('base64')}\n`;
    expect(code(() => verifyCosignature(body, tampered, vkey))).toBe('bad-signature');
    const other = parseVerifierKey(makeVerifierKey(name, ed25519.getPublicKey(new Uint8Array(32)), 4));
    expect(code(() => verifyCosignature(body, line, other))).toBe('malformed-cosignature');
    const asNoteKey: VerifierKey = parseVerifierKey(makeVerifierKey(name, pk, 1));
    expect(code(() => verifyCosignature(body, line, asNoteKey))).toBe('malformed-cosignature');
    expect(code(() => cosign('not a checkpoint\n', name, sk, T))).toBe('malformed-checkpoint');
    expect(code(() => cosign(body, name, sk, -1))).toBe('invalid-argument');
  });

  it('parses the timestamp of the spec example cosignature line (no public key is published for it)', () => {
    const raw = b64('jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==');
    expect(raw).toHaveLength(76);
    expect(Buffer.from(raw.subarray(4, 12)).readBigUInt64BE(0)).toBe(BigInt(T));
  });
});

// Interoperability with Sequoia (`sq`, the library behind rpm-sequoia): certificate
// inspection, detached/armored/cleartext verification, and minimal MPIs.
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
  encodeMpi,
  encodePacket,
  finishSignature,
  prepareSignature,
  toHex,
  type SignatureParams,
} from '../index.js';
import { newKey, run, tempDir } from './helpers.js';

const T = 1_700_000_000;
const USER_ID = 'qsign sq <sq@example.org>';

describe('sq (Sequoia) interoperability', () => {
  const key = newKey();
  const fpr = ed25519Fingerprint(key.publicKey, T);
  let files: ReturnType<typeof tempDir>;
  let certPath: string;
  const params = (over: Partial<SignatureParams> = {}): SignatureParams => ({
    signatureType: 0x00,
    hashAlgorithm: 'sha256',
    createdUnixSeconds: T + 60,
    issuerFingerprint: fpr,
    ...over,
  });
  const sign = (p: SignatureParams, data: Uint8Array) => {
    const prepared = prepareSignature(p, data);
    return finishSignature(prepared, ed25519.sign(prepared.digest, key.secretKey));
  };
  const sqVerify = (...args: string[]) => run('sq', ['verify', '--signer-cert', certPath, ...args]);

  beforeAll(async () => {
    requireTools('sq');
    files = tempDir();
    const cert = await buildCertificate({ publicKey: key.publicKey, createdUnixSeconds: T, userId: USER_ID, sign: key.sign });
    certPath = files.write('cert.asc', armor('PUBLIC KEY BLOCK', cert));
  });
  afterAll(() => files?.cleanup());

  it('sq inspect accepts the certificate: fingerprint, user ID, certify/sign/split-key flags', () => {
    const r = run('sq', ['inspect', certPath]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('OpenPGP Certificate');
    expect(r.stdout).toContain(`Fingerprint: ${toHex(fpr)}`);
    expect(r.stdout).toContain(`UserID: ${USER_ID}`);
    expect(r.stdout).toContain('Key flags: certification, signing, split key');
    expect(r.stdout).not.toMatch(/invalid|revoked|expired/i);
  });

  it('verifies detached binary and armored signatures and rejects a one-byte change', () => {
    for (const armored of [false, true]) {
      const data = new Uint8Array(randomBytes(3000));
      const sig = sign(params(), data);
      const sigPath = files.write('d.sig', armored ? armor('SIGNATURE', sig) : sig);
      const ok = sqVerify('--detached', sigPath, files.write('d.bin', data));
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stderr).toMatch(/1 good signature/);
      data[1234]! ^= 0x04;
      expect(sqVerify('--detached', sigPath, files.write('d.bin', data)).status).not.toBe(0);
    }
  });

  it('verifies a cleartext-signed message and rejects a one-character change', () => {
    const text = 'Release notes\n- first item  \n-- second\r\nlast line\t\n';
    const msg = cleartextSignedMessage(text, sign(params({ signatureType: 0x01 }), cleartextSigningInput(text)), 'sha256');
    const ok = sqVerify(files.write('c.asc', msg));
    expect(ok.status, `${ok.stderr}\n${msg}`).toBe(0);
    // sq prints the signed text: dash-escapes undone, trailing blanks gone, LF endings.
    expect(ok.stdout).toBe('Release notes\n- first item\n-- second\nlast line\n');
    expect(sqVerify(files.write('c.asc', msg.replace('last line', 'last linE'))).status).not.toBe(0);
  });

  for (const [half, offset] of [['R', 0], ['S', 32]] as const) {
    it(`accepts a signature whose ${half} starts with 0x00 (minimal MPI)`, () => {
      let data = new Uint8Array(0);
      let prepared = prepareSignature(params(), data);
      let sig64 = new Uint8Array(64);
      for (let i = 0; i < 20_000; i++) {
        data = new Uint8Array(randomBytes(32));
        prepared = prepareSignature(params(), data);
        sig64 = ed25519.sign(prepared.digest, key.secretKey);
        if (sig64[offset] === 0) break;
      }
      expect(sig64[offset]).toBe(0);
      const ok = sqVerify('--detached', files.write('z.sig', finishSignature(prepared, sig64)), files.write('z.bin', data));
      expect(ok.status, ok.stderr).toBe(0);

      // Control: the same signature with the zero octet kept (non-minimal MPI) is refused by Sequoia.
      const fixed = (b: Uint8Array) => Uint8Array.of(1, 0, ...b); // bit count 256, 32 octets
      const mpiR = offset === 0 ? fixed(sig64.subarray(0, 32)) : encodeMpi(sig64.subarray(0, 32));
      const mpiS = offset === 32 ? fixed(sig64.subarray(32)) : encodeMpi(sig64.subarray(32));
      const body = Uint8Array.of(...prepared.hashedArea, ...prepared.unhashedArea, ...prepared.digest.subarray(0, 2), ...mpiR, ...mpiS);
      const bad = sqVerify('--detached', files.write('nm.sig', encodePacket(2, body)), files.path('z.bin'));
      expect(bad.status).not.toBe(0);
    });
  }
});

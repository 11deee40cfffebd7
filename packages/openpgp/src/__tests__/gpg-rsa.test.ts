// Interoperability with GnuPG for RSA keys (issue 11): a key made by gpg is imported from
// `gpg --export-secret-keys`, keeping fingerprint, user IDs, expiry and self-signatures;
// signatures made by combining threshold-RSA shares verify with `gpg --verify` against the
// certificate gpg exported before the import.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { combine, dealShares, signShare, type Dealt, type RsaHash } from '@qsign/threshold-rsa';
import { requireTools } from '../../../../test/helpers/tools.js';
import {
  armor,
  buildRsaCertificate,
  cleartextSignedMessage,
  cleartextSigningInput,
  finishRsaSignature,
  parsePackets,
  parseRsaCertificate,
  parseRsaSecretKey,
  prepareSignature,
  RSA_ALGORITHM,
  SignatureType,
  toHex,
  verifyRsaSignaturePacket,
  type SecretRsaKeyMaterial,
} from '../index.js';
import { errorCode, gnupgHome, run, tempDir } from './helpers.js';

/** A signer that combines 3 of 5 threshold-RSA shares (signers 2, 4, 5). */
function thresholdSigner(dealt: Dealt): (hash: RsaHash, digest: Uint8Array) => Promise<Uint8Array> {
  return async (hash, digest) => {
    const shares = [2, 4, 5].map((i) => signShare(dealt.publicKey, dealt.shares[i - 1]!, hash, digest));
    return combine(dealt.publicKey, hash, digest, shares).signature;
  };
}

/** The fields of gpg's --with-colons `pub` and `fpr` lines. */
function colons(out: string): { fpr: string; expires: number | undefined; algo: string; bits: number } {
  const pub = out.split('\n').find((l) => l.startsWith('pub:'))!.split(':');
  const fpr = out.split('\n').find((l) => l.startsWith('fpr:'))!.split(':')[9]!;
  return { fpr, expires: pub[6] ? Number(pub[6]) : undefined, algo: pub[3]!, bits: Number(pub[2]) };
}

const packetsOf = (b: Uint8Array) => parsePackets(b).map((p) => `${p.tag}:${toHex(p.body)}`);

for (const [algo, bits] of [['rsa2048', 2048], ['rsa4096', 4096]] as const) {
  describe(`gpg ${algo} key`, () => {
    const USER_ID = `RSA ${bits} test <rsa${bits}@example.org>`;
    let home: ReturnType<typeof gnupgHome>;
    let verifier: ReturnType<typeof gnupgHome>;
    let exportedBefore: Uint8Array;
    let info: ReturnType<typeof colons>;
    let key: SecretRsaKeyMaterial;
    let dealt: Dealt;

    beforeAll(() => {
      requireTools('gpg', 'gpgconf');
      home = gnupgHome();
      verifier = gnupgHome();
      const made = home.gpg('--passphrase', '', '--pinentry-mode', 'loopback', '--quick-gen-key', USER_ID, algo, 'sign', '5y');
      expect(made.status, made.stderr).toBe(0);
      exportedBefore = home.gpgBytes('--export', USER_ID);
      info = colons(home.gpg('--with-colons', '--fixed-list-mode', '--list-keys', USER_ID).stdout);
      key = parseRsaSecretKey(home.gpgBytes('--pinentry-mode', 'loopback', '--passphrase', '', '--export-secret-keys', USER_ID));
      dealt = dealShares(key, { parties: 5, threshold: 3 });
      const imported = verifier.gpg('--import', tempDir().write('cert.pgp', exportedBefore));
      expect(imported.status, imported.stderr).toBe(0);
    }, 600_000);
    afterAll(() => {
      home?.cleanup();
      verifier?.cleanup();
    });

    it('keeps the fingerprint, user ID, expiry and self-signature of the exported key', () => {
      expect(info.algo).toBe('1');
      expect(info.bits).toBe(bits);
      expect(toHex(key.fingerprint).toUpperCase()).toBe(info.fpr);
      expect(key.userIds).toEqual([USER_ID]);
      expect(key.expiresUnixSeconds).toBe(info.expires);
      expect(key.expiresUnixSeconds).toBeGreaterThan(key.createdUnixSeconds);
      expect(packetsOf(key.certificate)).toEqual(packetsOf(exportedBefore)); // same packets, gpg's self-signature byte for byte
      expect(toHex(parseRsaCertificate(exportedBefore).fingerprint)).toBe(toHex(key.fingerprint));
    });

    for (const hashAlgorithm of ['sha256', 'sha512'] as const) {
      it(`a ${hashAlgorithm} detached signature combined from 3 of 5 shares passes gpg --verify against the certificate exported before the import`, async () => {
        const data = new TextEncoder().encode(`package payload ${hashAlgorithm} ${bits}\n`);
        const prepared = prepareSignature(
          { signatureType: SignatureType.Binary, hashAlgorithm, createdUnixSeconds: key.createdUnixSeconds + 60, issuerFingerprint: key.fingerprint, publicKeyAlgorithm: RSA_ALGORITHM },
          data,
        );
        const sig = finishRsaSignature(prepared, await thresholdSigner(dealt)(hashAlgorithm, prepared.digest));
        expect(verifyRsaSignaturePacket(sig, data, key.n, key.e)).toBe(true);
        const t = tempDir();
        const v = verifier.gpg('--status-fd', '1', '--verify', t.write('d.sig', armor('SIGNATURE', sig)), t.write('d', data));
        t.cleanup();
        expect(v.status, v.stderr).toBe(0);
        expect(v.stdout).toContain(`[GNUPG:] VALIDSIG ${info.fpr}`);
      });
    }

    it('a cleartext signature combined from shares passes gpg --verify', async () => {
      const text = 'Cleartext for an RSA key \n- dash line\nlast';
      const prepared = prepareSignature(
        { signatureType: SignatureType.Text, hashAlgorithm: 'sha256', createdUnixSeconds: key.createdUnixSeconds + 60, issuerFingerprint: key.fingerprint, publicKeyAlgorithm: RSA_ALGORITHM },
        cleartextSigningInput(text),
      );
      const sig = finishRsaSignature(prepared, await thresholdSigner(dealt)('sha256', prepared.digest));
      const t = tempDir();
      const v = verifier.gpg('--status-fd', '1', '--verify', t.write('m.asc', cleartextSignedMessage(text, sig, 'sha256')));
      t.cleanup();
      expect(v.status, v.stderr).toBe(0);
      expect(v.stdout).toContain(`[GNUPG:] VALIDSIG ${info.fpr}`);
    });

    if (bits === 2048) {
      it('sq verify accepts a detached signature combined from shares against the exported certificate', async () => {
        requireTools('sq');
        const data = new TextEncoder().encode('for sequoia\n');
        const prepared = prepareSignature(
          { signatureType: SignatureType.Binary, hashAlgorithm: 'sha256', createdUnixSeconds: key.createdUnixSeconds + 60, issuerFingerprint: key.fingerprint, publicKeyAlgorithm: RSA_ALGORITHM },
          data,
        );
        const sig = finishRsaSignature(prepared, await thresholdSigner(dealt)('sha256', prepared.digest));
        const t = tempDir();
        const r = run('sq', ['verify', '--signer-cert', t.write('cert.pgp', exportedBefore), '--detached', t.write('d.sig', sig), t.write('d', data)]);
        t.cleanup();
        expect(r.status, r.stderr).toBe(0);
      });
    }

    it('verifies a signature gpg made with the original key', () => {
      const t = tempDir();
      const file = t.write('m', 'signed by gpg itself\n');
      const made = home.gpg('--pinentry-mode', 'loopback', '--passphrase', '', '--digest-algo', 'SHA256', '-u', USER_ID, '--detach-sign', '-o', t.path('m.sig'), file);
      expect(made.status, made.stderr).toBe(0);
      const sig = new Uint8Array(readFileSync(t.path('m.sig')));
      expect(verifyRsaSignaturePacket(sig, 'signed by gpg itself\n', key.n, key.e)).toBe(true);
      expect(verifyRsaSignaturePacket(sig, 'signed by gpg itself!\n', key.n, key.e)).toBe(false);
      t.cleanup();
    });
  });
}

describe('RSA certificates made from shares', () => {
  it('gpg imports a certificate whose self-signature was combined from shares, and verifies a signature by it', async () => {
    requireTools('gpg', 'gpgconf');
    const maker = gnupgHome();
    const gpg = gnupgHome();
    try {
      expect(maker.gpg('--passphrase', '', '--pinentry-mode', 'loopback', '--quick-gen-key', 'Fresh <fresh@example.org>', 'rsa2048', 'sign', 'never').status).toBe(0);
      const key = parseRsaSecretKey(maker.gpgBytes('--pinentry-mode', 'loopback', '--passphrase', '', '--export-secret-keys'));
      const dealt = dealShares(key, { parties: 5, threshold: 3 });
      const created = key.createdUnixSeconds - 100; // a new certificate: another creation time (not in the future, or gpg refuses it), another fingerprint
      const cert = await buildRsaCertificate({ n: key.n, e: key.e, createdUnixSeconds: created, userId: 'Threshold <t@example.org>', sign: thresholdSigner(dealt) });
      const info = parseRsaCertificate(cert);
      const t = tempDir();
      const imp = gpg.gpg('--status-fd', '1', '--import', t.write('c.pgp', cert));
      expect(imp.status, imp.stderr).toBe(0);
      expect(imp.stdout).toContain('IMPORT_OK');
      const listed = gpg.gpg('--with-colons', '--check-sigs', toHex(info.fingerprint));
      expect(listed.stdout).toMatch(/^sig:!:/m); // "!" = gpg checked the self-signature and it is good
      const data = new TextEncoder().encode('hello\n');
      const prepared = prepareSignature({ signatureType: SignatureType.Binary, hashAlgorithm: 'sha256', createdUnixSeconds: created + 1, issuerFingerprint: info.fingerprint, publicKeyAlgorithm: RSA_ALGORITHM }, data);
      const sig = finishRsaSignature(prepared, await thresholdSigner(dealt)('sha256', prepared.digest));
      const v = gpg.gpg('--verify', t.write('h.sig', sig), t.write('h', data));
      expect(v.status, v.stderr).toBe(0);
      t.cleanup();
    } finally {
      maker.cleanup();
      gpg.cleanup();
    }
  }, 600_000);
});

describe('refusals', () => {
  it('refuses a passphrase-protected RSA secret key with a clear error', () => {
    requireTools('gpg', 'gpgconf');
    const h = gnupgHome();
    try {
      expect(h.gpg('--passphrase', 'secret', '--pinentry-mode', 'loopback', '--quick-gen-key', 'Locked <l@example.org>', 'rsa2048', 'sign', 'never').status).toBe(0);
      const exported = h.gpgBytes('--pinentry-mode', 'loopback', '--passphrase', 'secret', '--export-secret-keys');
      expect(errorCode(() => parseRsaSecretKey(exported))).toBe('ENCRYPTED_KEY');
      expect(() => parseRsaSecretKey(exported)).toThrow(/passphrase/);
    } finally {
      h.cleanup();
    }
  }, 600_000);
});

// Generic checker for the RFC 9591 Appendix E vector files in ./vectors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  aggregate,
  commit,
  computeBindingFactors,
  deriveVerifyingShare,
  encodeGroupCommitmentList,
  groupCommitment,
  signShare,
  trustedDealerKeygen,
  verifyShare,
  verifySignature,
  type SigningCommitments,
} from '../index.js';
import { nonceGenerate } from '../round1.js';
import { polynomialEvaluate } from '../polynomial.js';
import { bytesToNumberLE, encodeScalar } from '../scalar.js';
import { concat } from '../bytes.js';
import { H4, H5 } from '../hash.js';
import { hex, opensslVerify, unhex } from './helpers.js';

interface VectorFile {
  config: { MAX_PARTICIPANTS: string; MIN_PARTICIPANTS: string; NUM_PARTICIPANTS: string; name: string };
  inputs: {
    participant_list: number[];
    group_secret_key: string;
    group_public_key: string;
    message: string;
    share_polynomial_coefficients: string[];
    participant_shares: { identifier: number; participant_share: string }[];
  };
  round_one_outputs: {
    outputs: {
      identifier: number;
      hiding_nonce_randomness: string;
      binding_nonce_randomness: string;
      hiding_nonce: string;
      binding_nonce: string;
      hiding_nonce_commitment: string;
      binding_nonce_commitment: string;
      binding_factor_input: string;
      binding_factor: string;
    }[];
  };
  round_two_outputs: { outputs: { identifier: number; sig_share: string }[] };
  final_output: { sig: string };
}

const FILES = ['frost-ed25519-sha512.json'];

for (const file of FILES) {
  const v = JSON.parse(readFileSync(new URL(`./vectors/${file}`, import.meta.url), 'utf8')) as VectorFile;
  describe(`RFC 9591 vectors: ${v.config.name} (${file})`, () => {
    const min = Number(v.config.MIN_PARTICIPANTS);
    const max = Number(v.config.MAX_PARTICIPANTS);
    const msg = unhex(v.inputs.message);
    const gpk = unhex(v.inputs.group_public_key);
    const shares = new Map(v.inputs.participant_shares.map((s) => [s.identifier, unhex(s.participant_share)]));
    const r1 = v.round_one_outputs.outputs;
    const list: SigningCommitments[] = r1.map((o) => ({
      identifier: o.identifier,
      hiding: unhex(o.hiding_nonce_commitment),
      binding: unhex(o.binding_nonce_commitment),
    }));

    it('derives the participant shares from the polynomial (App. C.1)', () => {
      const coeffs = [v.inputs.group_secret_key, ...v.inputs.share_polynomial_coefficients].map((c) => bytesToNumberLE(unhex(c)));
      for (const [id, sk] of shares) expect(hex(encodeScalar(polynomialEvaluate(BigInt(id), coeffs)))).toBe(hex(sk));
      // the dealer with the given group secret yields the same group key
      const { publicKeyPackage } = trustedDealerKeygen(min, max, unhex(v.inputs.group_secret_key));
      expect(hex(publicKeyPackage.groupPublicKey)).toBe(v.inputs.group_public_key);
    });

    it('generates the round-one nonces and commitments (§4.1, §5.1)', () => {
      for (const o of r1) {
        const sk = shares.get(o.identifier)!;
        expect(hex(encodeScalar(nonceGenerate(unhex(o.hiding_nonce_randomness), sk)))).toBe(o.hiding_nonce);
        expect(hex(encodeScalar(nonceGenerate(unhex(o.binding_nonce_randomness), sk)))).toBe(o.binding_nonce);
        // commit() with an rng replaying the randomness and the share as hedge
        const queue = [unhex(o.hiding_nonce_randomness), unhex(o.binding_nonce_randomness)];
        const { nonces, commitments } = commit(o.identifier, sk, () => queue.shift()!.slice());
        expect(hex(nonces.hiding)).toBe(o.hiding_nonce);
        expect(hex(nonces.binding)).toBe(o.binding_nonce);
        expect(hex(commitments.hiding)).toBe(o.hiding_nonce_commitment);
        expect(hex(commitments.binding)).toBe(o.binding_nonce_commitment);
      }
    });

    it('computes the binding factors (§4.4)', () => {
      const rhoPrefix = concat(gpk, H4(msg), H5(encodeGroupCommitmentList(list)));
      const bf = computeBindingFactors(gpk, list, msg);
      for (const o of r1) {
        expect(hex(concat(rhoPrefix, encodeScalar(BigInt(o.identifier))))).toBe(o.binding_factor_input);
        expect(hex(bf.get(o.identifier)!)).toBe(o.binding_factor);
      }
    });

    it('produces the signature shares (§5.2), which verify (§5.4)', () => {
      for (const out of v.round_two_outputs.outputs) {
        const o = r1.find((x) => x.identifier === out.identifier)!;
        const share = { identifier: out.identifier, share: shares.get(out.identifier)! };
        const nonces = { hiding: unhex(o.hiding_nonce), binding: unhex(o.binding_nonce) };
        const z = signShare(share, gpk, nonces, list, msg, { minSigners: min, maxSigners: max });
        expect(hex(z.share)).toBe(out.sig_share);
        expect(verifyShare(z, deriveVerifyingShare(share), gpk, list, msg)).toBe(true);
      }
    });

    it('aggregates to the final signature (§5.3), valid under RFC 8032 and OpenSSL', () => {
      const sigShares = v.round_two_outputs.outputs.map((o) => ({ identifier: o.identifier, share: unhex(o.sig_share) }));
      const sig = aggregate(sigShares, gpk, list, msg);
      expect(hex(sig)).toBe(v.final_output.sig);
      expect(hex(groupCommitment(gpk, list, msg))).toBe(v.final_output.sig.slice(0, 64));
      expect(verifySignature(sig, msg, gpk)).toBe(true);
      expect(opensslVerify(sig, msg, gpk)).toBe(true);
    });
  });
}

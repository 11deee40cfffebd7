// Placeholder signatures for the FROST helper to implement (see index.ts).
import type { Identifier, PublicKeyPackage, SecretSigningNonces, SecretSigningShare, SignatureShare, SigningCommitments } from './index.js';
const todo = (): never => { throw new Error('not implemented'); };
/** RFC 9591 §5.1 commit(): fresh nonces hedged with `hedge` (any secret bytes, e.g. a node seed). */
export function commit(_identifier: Identifier, _hedge: Uint8Array): { nonces: SecretSigningNonces; commitments: SigningCommitments } { return todo(); }
/** RFC 9591 §5.2 sign(). Zeroes `nonces`. */
export function signShare(_share: SecretSigningShare, _groupPublicKey: Uint8Array, _nonces: SecretSigningNonces, _commitmentList: SigningCommitments[], _msg: Uint8Array): SignatureShare { return todo(); }
/** RFC 9591 §5.4 verify_signature_share(). */
export function verifyShare(_share: SignatureShare, _verifyingShare: Uint8Array, _groupPublicKey: Uint8Array, _commitmentList: SigningCommitments[], _msg: Uint8Array): boolean { return todo(); }
/** RFC 9591 §5.3 aggregate() — 64-byte Ed25519 signature. */
export function aggregate(_shares: SignatureShare[], _groupPublicKey: Uint8Array, _commitmentList: SigningCommitments[], _msg: Uint8Array): Uint8Array { return todo(); }
/** RFC 8032 verification. */
export function verifySignature(_sig: Uint8Array, _msg: Uint8Array, _publicKey: Uint8Array): boolean { return todo(); }
/** RFC 9591 App. C trusted dealer keygen. */
export function trustedDealerKeygen(_minSigners: number, _maxSigners: number, _secret?: Uint8Array): { shares: SecretSigningShare[]; publicKeyPackage: PublicKeyPackage } { return todo(); }

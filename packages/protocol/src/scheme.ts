/**
 * The signature-scheme seam (docs/architecture.md "Signature schemes"): what
 * node and coordinator need from a threshold scheme, and nothing about
 * transport, storage or policy. FROST(Ed25519) (RFC 9591) is the first
 * implementation (`scheme-frost.ts`); a one-round scheme without nonces
 * (Shoup threshold RSA) fits by preparing nothing and taking no session list.
 */
import type { SecretSigningNonces, SigningCommitments } from '@qsign/frost';

/** Identifier of a scheme, as a key record would carry it. */
export type SchemeId = 'frost-ed25519' | 'rsa-shoup';

/** Every scheme id a key record may carry (absent means `frost-ed25519`). */
export const SCHEME_IDS: readonly SchemeId[] = ['frost-ed25519', 'rsa-shoup'];

/** A node's public material made ahead of a request (FROST: a nonce commitment, RFC 9591 §5.1). */
export type PreparedCommitment = SigningCommitments;

/** The secret half of prepared material, kept sealed on the node and used once (FROST: the nonce pair). */
export type SecretPrepared = SecretSigningNonces;

/** One entry of an attempt's session list (FROST: the commitment list, RFC 9591 §5.2); one-round schemes send none. */
export type SessionEntry = SigningCommitments;

/** A signature share as it travels (SignShareResponse: identifier, share bytes). */
export interface SchemeShare {
  identifier: number;
  share: Uint8Array;
}

/** Public data of a key that scheme operations need. */
export interface SchemeKey {
  groupPublicKey: Uint8Array;
  minSigners: number;
  maxSigners: number;
  /** Per-identifier public verification data (FROST: verifying shares). */
  verifyingShares: ReadonlyMap<number, Uint8Array>;
  /** Shoup RSA, safe-prime keys only: the verification base v (k octets). */
  verificationBase?: Uint8Array;
}

/** A node's secret share of a key (never leaves the node). */
export interface SecretKeyShare {
  identifier: number;
  share: Uint8Array;
}

/** A threshold signature scheme as node and coordinator reach it. */
export interface ThresholdScheme {
  readonly id: SchemeId;
  /** True when nodes prepare material ahead (FROST); false for one-round schemes (then pools stay empty). */
  readonly preparesAhead: boolean;
  /** True when a share is bound to its attempt's signer set (FROST); false lets a coordinator reuse a node's share across attempts. */
  readonly sharesBoundToSet: boolean;

  // ---- node side ----
  /** Node: fresh prepared material for identifier `identifier` (only when `preparesAhead`). */
  prepare(identifier: number, hedge: Uint8Array): { secret: SecretPrepared; public: PreparedCommitment };
  /** Node: checks the other signers' session entries before anything is written; throws why. */
  checkSession(session: readonly SessionEntry[], ownIdentifier: number): void;
  /** Node: this node's share; `prepared` is the secret of its own session entry (zeroed after use). */
  signShare(secret: SecretKeyShare, key: SchemeKey, prepared: SecretPrepared | undefined, session: SessionEntry[], message: Uint8Array): SchemeShare;

  // ---- coordinator side ----
  /** Coordinator: validates prepared material as it is pooled, so a node handing out bad material is blamed early; throws why. */
  validatePrepared(c: PreparedCommitment): void;
  /** Coordinator: why an answered share is malformed (wrong identifier or size), or undefined. */
  shareProblem(share: SchemeShare, expectedIdentifier: number, key?: SchemeKey): string | undefined;
  /** Coordinator: the signature from one share per session member; throws if the shares do not combine. */
  combine(shares: SchemeShare[], key: SchemeKey, session: SessionEntry[], message: Uint8Array): Uint8Array;
  /** Coordinator: an independent check of the result (OpenSSL through node:crypto, injected by the daemon). */
  verify(signature: Uint8Array, message: Uint8Array, key: SchemeKey): boolean;
  /** Coordinator: identifiers of the shares that are bad (identifiable abort; FROST: RFC 9591 §5.4 per-share verification). */
  blame(shares: SchemeShare[], key: SchemeKey, session: SessionEntry[], message: Uint8Array): number[];
}

/** Verifies a finished signature with an independent implementation (daemons pass OpenSSL's). */
export type SignatureVerifier = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

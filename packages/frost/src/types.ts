/**
 * Public data types of @qsign/frost. Byte formats follow RFC 9591 §6.5 (FROST(Ed25519, SHA-512)):
 * scalars are 32-byte little-endian, points are 32-byte compressed Edwards encodings.
 */

/** A participant identifier (RFC 9591 §3.1), a node's index 1..65535, serialized as a scalar. */
export type Identifier = number;

/** One participant's secret signing share (RFC 9591 §5, `sk_i`). Never leaves a node. */
export interface SecretSigningShare {
  identifier: Identifier;
  /** 32-byte little-endian scalar. */
  share: Uint8Array;
}

/** Public key package: everything a coordinator or verifier needs for one key. */
export interface PublicKeyPackage {
  /** Threshold N (minimum signers). */
  minSigners: number;
  /** Total number of shares M. */
  maxSigners: number;
  /** 32-byte group public key (an ordinary Ed25519 public key). */
  groupPublicKey: Uint8Array;
  /** Verifying share `PK_i = G * sk_i` for each identifier. */
  verifyingShares: Map<Identifier, Uint8Array>;
  /** VSS commitment (RFC 9591 App. C.2): coefficients' points, [0] = group key. May be empty after reshare/DKG if not kept. */
  vssCommitment: Uint8Array[];
}

/** Secret nonce pair (RFC 9591 §5.1). Used once, then zeroed. */
export interface SecretSigningNonces {
  hiding: Uint8Array;
  binding: Uint8Array;
}

/** Public commitments to a nonce pair, tagged with the signer's identifier (RFC 9591 §5.1). */
export interface SigningCommitments {
  identifier: Identifier;
  hiding: Uint8Array;
  binding: Uint8Array;
}

/** A signature share from one participant (RFC 9591 §5.2). */
export interface SignatureShare {
  identifier: Identifier;
  /** 32-byte little-endian scalar. */
  share: Uint8Array;
}

/** Source of cryptographically secure random bytes (defaults to `crypto.getRandomValues`). */
export type RandomBytes = (length: number) => Uint8Array;

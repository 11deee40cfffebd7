/**
 * Public data types of @qsign/threshold-rsa: Shoup, "Practical Threshold Signatures"
 * (EUROCRYPT 2000), protocol 1 with a trusted dealer. Integers are bigints in memory and
 * big-endian hex in JSON ({@link encodePublicKey} and friends).
 */

/** Returns `n` cryptographically random bytes. */
export type RandomBytes = (n: number) => Uint8Array;

/** The parts of an RSA private key the dealer needs. `d` is ignored: it is recomputed modulo m. */
export interface SecretRsaKey {
  /** Modulus n = p·q. */
  n: bigint;
  /** Public exponent. */
  e: bigint;
  /** First prime. */
  p: bigint;
  /** Second prime. */
  q: bigint;
}

/** Shoup's verification data (§2 "verification key"): only for keys with safe primes. */
export interface ShareVerification {
  /** A random square v generating Q_n, the subgroup of squares. */
  v: bigint;
  /** v_i = v^(s_i) mod n for index i = 1..l, at position i − 1. */
  verificationKeys: bigint[];
}

/** Everything a coordinator or verifier needs for one threshold RSA key. */
export interface ThresholdRsaPublicKey {
  /** RSA modulus (2048, 3072 or 4096 bits). */
  n: bigint;
  /** RSA public exponent. */
  e: bigint;
  /** l: the number of shares. */
  parties: number;
  /** k: the number of shares a signature needs. */
  threshold: number;
  /** Present for safe-prime keys: lets each share's correctness be proved. */
  verification?: ShareVerification;
}

/** One party's secret share s_i = f(i) mod m. Never leaves its node. */
export interface SecretRsaShare {
  /** i in 1..l. */
  index: number;
  /** s_i. */
  secret: bigint;
}

/** Shoup's proof that log_x̃(x_i²) = log_v(v_i) (Fiat–Shamir, §2 "signature share"). */
export interface EqualityProof {
  /** Challenge c = H'(v, x̃, v_i, x_i², v^r, x̃^r). */
  c: bigint;
  /** Response z = s_i·c + r. */
  z: bigint;
}

/** One party's signature share x_i = x^(2Δs_i) mod n, with a proof for safe-prime keys. */
export interface RsaSignatureShare {
  /** i in 1..l. */
  index: number;
  /** x_i. */
  value: bigint;
  /** Present when the key has {@link ShareVerification}. */
  proof?: EqualityProof;
}

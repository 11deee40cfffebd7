/**
 * The hash functions of FROST(Ed25519, SHA-512), RFC 9591 §6.5 (H1..H5), plus the DKG
 * proof-of-knowledge hash used by frost-rs and noble (`contextString || "dkg"`).
 */
import { sha512 } from './sha512.js';
import { concat } from './bytes.js';
import { bytesToNumberLE, mod } from './scalar.js';

/** RFC 9591 §6.5 contextString. */
export const CONTEXT_STRING = 'FROST-ED25519-SHA512-v1';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const P_RHO = enc(CONTEXT_STRING + 'rho');
const P_NONCE = enc(CONTEXT_STRING + 'nonce');
const P_MSG = enc(CONTEXT_STRING + 'msg');
const P_COM = enc(CONTEXT_STRING + 'com');
const P_DKG = enc(CONTEXT_STRING + 'dkg');

const toScalar = (...parts: Uint8Array[]): bigint => mod(bytesToNumberLE(sha512(concat(...parts))));

/** RFC 9591 §6.5 H1: binding factor hash, SHA-512(contextString || "rho" || m) mod L. */
export const H1 = (m: Uint8Array): bigint => toScalar(P_RHO, m);
/** RFC 9591 §6.5 H2: challenge hash, SHA-512(m) mod L (undecorated, as RFC 8032). */
export const H2 = (m: Uint8Array): bigint => toScalar(m);
/** RFC 9591 §6.5 H3: nonce hash, SHA-512(contextString || "nonce" || m) mod L. */
export const H3 = (m: Uint8Array): bigint => toScalar(P_NONCE, m);
/** RFC 9591 §6.5 H4: message hash, SHA-512(contextString || "msg" || m). */
export const H4 = (m: Uint8Array): Uint8Array => sha512(concat(P_MSG, m));
/** RFC 9591 §6.5 H5: commitment-list hash, SHA-512(contextString || "com" || m). */
export const H5 = (m: Uint8Array): Uint8Array => sha512(concat(P_COM, m));
/** DKG proof-of-knowledge challenge hash (frost-rs / noble): SHA-512(contextString || "dkg" || m) mod L. */
export const HDKG = (m: Uint8Array): bigint => toScalar(P_DKG, m);

/**
 * Key attestations (docs/pinning.md): a node's statement of what a key is —
 * name, group public key, creation time, threshold — signed with the node's
 * identity key (the Ed25519 key of its audit log's verifier key). A client
 * pins a key only when enough pinned node identities attest the same one, so
 * neither the coordinator nor a single node can substitute a key.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { QsignError, errorMessage } from './errors.js';
import { keyFingerprint } from './message.js';
import { parseRsaGroupPublicKey } from './scheme-rsa-key.js';

/** Domain separation prefix of an attestation signature. */
export const KEY_ATTESTATION_CONTEXT = utf8ToBytes('qsign/v1/key-attestation\n');

/** Challenge lengths accepted (bytes). */
export const ATTESTATION_CHALLENGE_BYTES = { min: 16, max: 64 } as const;

/** What a node attests about one key. */
export interface KeyStatement {
  nodeId: number;
  keyName: string;
  /** Group public key, lowercase hex: 32 bytes (Ed25519) or MPI(n) ‖ MPI(e) (RSA). */
  groupPublicKey: string;
  /** 'rsa-shoup' for a threshold RSA key; absent for Ed25519 (statements before RSA name none). */
  scheme?: string;
  createdUnixSeconds: number;
  /** OpenPGP v4 fingerprint (RFC 9580 §5.5.4.2) of the key, lowercase hex. */
  fingerprint: string;
  minSigners: number;
  maxSigners: number;
  /** The client's challenge, lowercase hex. */
  challenge: string;
}

/** A signed statement as it travels. */
export interface SignedKeyAttestation {
  nodeId: number;
  statement: Uint8Array;
  signature: Uint8Array;
}

/** Signs a statement with a node's identity secret key (32-byte RFC 8032 seed). */
export function signKeyAttestation(s: KeyStatement, identitySecretKey: Uint8Array): SignedKeyAttestation {
  const statement = utf8ToBytes(
    JSON.stringify({
      type: 'qsign-key-attestation-v1',
      nodeId: s.nodeId,
      keyName: s.keyName,
      groupPublicKey: s.groupPublicKey,
      createdUnixSeconds: s.createdUnixSeconds,
      fingerprint: s.fingerprint,
      minSigners: s.minSigners,
      maxSigners: s.maxSigners,
      challenge: s.challenge,
      ...(s.scheme === 'rsa-shoup' && { scheme: s.scheme }),
    }),
  );
  return { nodeId: s.nodeId, statement, signature: ed25519.sign(concatBytes(KEY_ATTESTATION_CONTEXT, statement), identitySecretKey) };
}

/**
 * Verifies one attestation under the node's pinned identity public key and
 * checks that it answers this question (node, key name, challenge) with a
 * self-consistent key (the fingerprint is the key's). Throws UNTRUSTED_KEY.
 */
export function openKeyAttestation(a: SignedKeyAttestation, identityPublicKey: Uint8Array, expect: { nodeId: number; keyName: string; challenge: Uint8Array }): KeyStatement {
  const bad = (why: string): never => {
    throw new QsignError('UNTRUSTED_KEY', `attestation of node ${expect.nodeId}: ${why}`);
  };
  let ok = false;
  try {
    ok = a.signature.length === 64 && ed25519.verify(a.signature, concatBytes(KEY_ATTESTATION_CONTEXT, a.statement), identityPublicKey);
  } catch {
    ok = false;
  }
  if (!ok) bad("signature does not verify under the node's pinned identity key");
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(a.statement)) as Record<string, unknown>;
  } catch (e) {
    return bad(`statement does not parse: ${errorMessage(e)}`);
  }
  if (o.type !== 'qsign-key-attestation-v1') bad('not a key attestation');
  if (o.nodeId !== expect.nodeId) bad(`statement names node ${String(o.nodeId)}`);
  if (o.keyName !== expect.keyName) bad(`statement is about key ${JSON.stringify(o.keyName)}`);
  if (o.challenge !== bytesToHex(expect.challenge)) bad('statement does not repeat this challenge (replayed?)');
  const hex = (v: unknown, n: number) => typeof v === 'string' && v.length === 2 * n && /^[0-9a-f]+$/.test(v);
  const int = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const rsa = o.scheme === 'rsa-shoup';
  if (o.scheme !== undefined && !rsa) bad(`statement names unknown scheme ${JSON.stringify(o.scheme)}`);
  const keyOk = rsa ? typeof o.groupPublicKey === 'string' && o.groupPublicKey.length <= 2 * 1100 && hex(o.groupPublicKey, o.groupPublicKey.length / 2) && rsaKeyParses(o.groupPublicKey) : hex(o.groupPublicKey, 32);
  if (!keyOk || !hex(o.fingerprint, 20) || !int(o.createdUnixSeconds) || !int(o.minSigners) || !int(o.maxSigners)) bad('statement fields are malformed');
  const s = o as unknown as KeyStatement;
  const fpr = keyFingerprint({ groupPublicKey: hexToBytes(s.groupPublicKey), createdUnixSeconds: s.createdUnixSeconds, userId: '', ...(rsa && { scheme: 'rsa-shoup' }) });
  if (bytesToHex(fpr) !== s.fingerprint) bad('fingerprint is not the fingerprint of the attested key');
  return s;
}

function rsaKeyParses(hex: string): boolean {
  try {
    parseRsaGroupPublicKey(hexToBytes(hex));
    return true;
  } catch {
    return false;
  }
}

/** The key a set of verified statements agrees on. */
export interface AttestedKey {
  keyName: string;
  groupPublicKey: string;
  fingerprint: string;
  createdUnixSeconds: number;
  minSigners: number;
  maxSigners: number;
  /** Node ids that attested it. */
  attestedBy: number[];
}

/**
 * The key that at least `needed` statements attest, all agreeing. Any
 * disagreement is refused (a node lies, or the key is being replaced): the
 * error names who said what. Throws UNTRUSTED_KEY.
 */
export function agreedKey(statements: readonly KeyStatement[], needed: number): AttestedKey {
  const name = statements[0]?.keyName ?? '';
  const summary = (s: KeyStatement) => `${s.groupPublicKey}, fingerprint ${s.fingerprint.toUpperCase()}, ${s.minSigners}-of-${s.maxSigners}`;
  const groups = new Map<string, KeyStatement[]>();
  for (const s of statements) groups.set(summary(s), [...(groups.get(summary(s)) ?? []), s]);
  if (groups.size > 1)
    throw new QsignError(
      'UNTRUSTED_KEY',
      `nodes disagree about key ${name}: ${[...groups].map(([k, v]) => `${v.length > 1 ? 'nodes' : 'node'} ${v.map((s) => s.nodeId).join(', ')} ${v.length > 1 ? 'attest' : 'attests'} ${k}`).join('; ')}`,
    );
  const first = statements[0];
  const need = Math.max(needed, first?.minSigners ?? 0);
  if (!first || statements.length < need)
    throw new QsignError('UNTRUSTED_KEY', `key ${name || '(unknown)'}: ${statements.length} node attestation${statements.length === 1 ? '' : 's'}, ${need} needed`);
  return {
    keyName: first.keyName,
    groupPublicKey: first.groupPublicKey,
    fingerprint: first.fingerprint,
    createdUnixSeconds: first.createdUnixSeconds,
    minSigners: first.minSigners,
    maxSigners: first.maxSigners,
    attestedBy: statements.map((s) => s.nodeId).sort((a, b) => a - b),
  };
}

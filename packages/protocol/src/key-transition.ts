/**
 * Key transition statements (docs/rotation.md): the canonical text `qsign key rotate`
 * has the OLD key sign when it hands over to its successor — both fingerprints, the date
 * and the reason — and the pure check anyone can run with the old certificate alone:
 * the statement's detached signature verifies under the old key (its primary or a subkey
 * the primary binds), and the new certificate is the one the statement names, carrying
 * the old primary's certification (0x10, RFC 9580 §5.2.1.1) of its user ID and its own
 * self-certification. Pure; v4 keys; the statement's signature is RFC 9580 §5.2.4 binary.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  encodePacket,
  fingerprint,
  keyHashPrefix,
  PacketTag,
  parsePackets,
  parseSignature,
  toBinary,
  userIdHashPrefix,
  v4Digest,
  verifyRawSignature,
  type Packet,
  type ParsedSignature,
} from '@qsign/openpgp';
import { QsignError, errorMessage } from './errors.js';
import { MAX_CERTIFICATE_BYTES } from './certificate-check.js';

/** Why a key is rotated: routine replacement, or a suspected abuse of the old quorum. */
export const TRANSITION_REASONS = ['superseded', 'compromised'] as const;
/** One of {@link TRANSITION_REASONS}. */
export type TransitionReason = (typeof TRANSITION_REASONS)[number];

/** What a transition statement says. Fingerprints are 40 upper-case hex digits. */
export interface KeyTransition {
  oldKey: string;
  oldFingerprint: string;
  newKey: string;
  newFingerprint: string;
  newUserId: string;
  /** Unix seconds; also the creation time of the statement's signature. */
  date: number;
  reason: TransitionReason;
}

const HEADER = 'qsign-key-transition: 1';
const FIELDS = ['old-key', 'old-fingerprint', 'new-key', 'new-fingerprint', 'new-user-id', 'date', 'reason'] as const;

const bad = (why: string): never => {
  throw new QsignError('BAD_TRANSITION', `key transition statement: ${why}`);
};

const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

/** The canonical text of `t`: a header line, then `field: value` lines in a fixed order, LF-terminated. */
export function encodeKeyTransition(t: KeyTransition): string {
  const values = [t.oldKey, t.oldFingerprint, t.newKey, t.newFingerprint, t.newUserId, iso(t.date), t.reason];
  for (const v of values) if (typeof v !== 'string' || v.length === 0 || v.length > 512 || /[\0-\x1f\x7f]/.test(v)) bad('every field is 1..512 characters without control characters');
  for (const f of [t.oldFingerprint, t.newFingerprint]) if (!/^[0-9A-F]{40}$/.test(f)) bad(`fingerprint ${f} is not 40 upper-case hex digits`);
  if (t.oldFingerprint === t.newFingerprint) bad('the old and new key are the same key');
  if (!TRANSITION_REASONS.includes(t.reason)) bad(`reason must be one of ${TRANSITION_REASONS.join(', ')}`);
  if (!Number.isSafeInteger(t.date) || t.date <= 0 || t.date > 0xffffffff) bad('date must be a time');
  return [HEADER, ...FIELDS.map((f, i) => `${f}: ${values[i]}`), ''].join('\n');
}

/** Parses a statement; BAD_TRANSITION unless it is exactly the canonical text of what it says. */
export function parseKeyTransition(text: string): KeyTransition {
  const lines = text.split('\n');
  if (lines[0] !== HEADER || lines.length !== FIELDS.length + 2 || lines.at(-1) !== '') bad(`not a statement (it starts "${HEADER}" and has ${FIELDS.length} fields, one per line)`);
  const v = FIELDS.map((f, i) => {
    const line = lines[i + 1]!;
    if (!line.startsWith(`${f}: `)) bad(`line ${i + 2} must be "${f}: …"`);
    return line.slice(f.length + 2);
  });
  const date = Date.parse(v[5]!) / 1000;
  const t: KeyTransition = { oldKey: v[0]!, oldFingerprint: v[1]!, newKey: v[2]!, newFingerprint: v[3]!, newUserId: v[4]!, date, reason: v[6] as TransitionReason };
  if (encodeKeyTransition(t) !== text) bad('not in canonical form');
  return t;
}

/** Inputs of {@link verifyKeyTransition}: armored or binary. */
export interface TransitionEvidence {
  statement: string;
  /** The detached signature of the statement by the old key. */
  signature: Uint8Array | string;
  /** The old certificate, as the verifier already trusts it. */
  oldCertificate: Uint8Array | string;
  /** The new certificate, as the keyring package or key server hands it out. */
  newCertificate: Uint8Array | string;
}

const sigOf = (p: Packet): ParsedSignature => parseSignature(encodePacket(PacketTag.Signature, p.body));
const hex = (b: Uint8Array) => bytesToHex(b).toUpperCase();

/** The primary body and its bound subkey bodies of a certificate (each binding checked under the primary). */
function keysOf(cert: Uint8Array | string, what: string): { primary: Uint8Array; subkeys: Uint8Array[]; packets: Packet[] } {
  const packets = parsePackets(toBinary(cert, 'PUBLIC KEY BLOCK'), { maxBytes: MAX_CERTIFICATE_BYTES, maxPackets: 2048 });
  if (packets[0]?.tag !== PacketTag.PublicKey) bad(`the ${what} certificate does not start with a public-key packet`);
  const primary = packets[0]!.body;
  const subkeys: Uint8Array[] = [];
  packets.forEach((p, i) => {
    if (p.tag !== PacketTag.PublicSubkey) return;
    const next = packets[i + 1];
    const binding = next?.tag === PacketTag.Signature ? sigOf(next) : undefined;
    if (binding?.signatureType !== 0x18) return;
    const digest = v4Digest(binding.hashAlgorithm, [keyHashPrefix(primary), keyHashPrefix(p.body)], binding.hashedArea);
    if (verifyRawSignature(primary, binding.hashAlgorithm, digest, binding.signature64)) subkeys.push(p.body);
  });
  return { primary, subkeys, packets };
}

/**
 * Checks a transition statement with the old certificate alone and returns what it says.
 *
 * @throws QsignError BAD_TRANSITION naming the first check that failed.
 */
export function verifyKeyTransition(e: TransitionEvidence): KeyTransition {
  const t = parseKeyTransition(e.statement);
  try {
    const old = keysOf(e.oldCertificate, 'old');
    if (hex(fingerprint(old.primary)) !== t.oldFingerprint) bad(`the old certificate is ${hex(fingerprint(old.primary))}, not the statement's old key ${t.oldFingerprint}`);
    const sig = parseSignature(toBinary(e.signature, 'SIGNATURE'));
    if (sig.signatureType !== 0x00) bad('the statement signature is not a binary document signature (0x00)');
    const signer = [old.primary, ...old.subkeys].find((k) => sig.issuerFingerprint !== undefined && hex(fingerprint(k)) === hex(sig.issuerFingerprint));
    if (!signer) bad(`the statement is not signed by the old key ${t.oldFingerprint} or a subkey it binds`);
    const digest = v4Digest(sig.hashAlgorithm, [new TextEncoder().encode(e.statement)], sig.hashedArea);
    if (!verifyRawSignature(signer!, sig.hashAlgorithm, digest, sig.signature64)) bad('the statement signature does not verify under the old key');
    if (sig.createdUnixSeconds !== t.date) bad(`the statement is dated ${iso(t.date)} but signed at ${iso(sig.createdUnixSeconds)}`);

    const neu = keysOf(e.newCertificate, 'new');
    if (hex(fingerprint(neu.primary)) !== t.newFingerprint) bad(`the new certificate is ${hex(fingerprint(neu.primary))}, not the statement's new key ${t.newFingerprint}`);
    const uidAt = neu.packets.findIndex((p) => p.tag === PacketTag.UserId && new TextDecoder().decode(p.body) === t.newUserId);
    if (uidAt < 0) bad(`the new certificate has no user ID ${JSON.stringify(t.newUserId)}`);
    const uid = neu.packets[uidAt]!.body;
    let self = false;
    let byOld = false;
    for (let i = uidAt + 1; neu.packets[i]?.tag === PacketTag.Signature; i++) {
      const s = sigOf(neu.packets[i]!);
      const d = v4Digest(s.hashAlgorithm, [keyHashPrefix(neu.primary), userIdHashPrefix(uid)], s.hashedArea);
      const issuer = s.issuerFingerprint && hex(s.issuerFingerprint);
      if (s.signatureType === 0x13 && issuer === t.newFingerprint && verifyRawSignature(neu.primary, s.hashAlgorithm, d, s.signature64)) self = true;
      if (s.signatureType === 0x10 && issuer === t.oldFingerprint && verifyRawSignature(old.primary, s.hashAlgorithm, d, s.signature64)) byOld = true;
    }
    if (!self) bad("the new certificate's user ID has no self-certification that verifies");
    if (!byOld) bad(`the new certificate's user ID carries no certification by the old key ${t.oldFingerprint} that verifies`);
    return t;
  } catch (err) {
    if (err instanceof QsignError) throw err;
    return bad(`does not parse: ${errorMessage(err)}`);
  }
}

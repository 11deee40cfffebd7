/**
 * The one audit vocabulary: what a node or coordinator hands its log, built
 * by one typed constructor per event. Schema fields carry the record
 * schema's names (`clientId`, `digest`, … see {@link AuditRecord}); every
 * other fact goes under `details`. The log stamps `seq` and `timeMs` and
 * encodes the entry into a record ({@link encodeRecord}); readers decode with
 * {@link decodeRecord} and read the same names.
 *
 * @module
 */
import type { AuditEvent, AuditRecord, RpmSummary } from './record.js';

/** The schema fields a writer sets (everything of a record but `seq`, `timeMs`, `event`, `details`). */
export type AuditFields = { -readonly [K in Exclude<keyof AuditRecord, 'seq' | 'timeMs' | 'event' | 'details'>]?: AuditRecord[K] };

/** Facts beside the schema fields; bytes become hex, other values canonical JSON, when the log encodes them. */
export type AuditDetails = { [key: string]: unknown };

/** What is known of a request before its outcome: schema fields and details (no event yet). */
export interface AuditContext extends AuditFields {
  details?: AuditDetails;
}

/** What a writer hands the log: one event, its schema fields, its details. Build it with a constructor below. */
export interface AuditEntry extends AuditContext {
  readonly event: AuditEvent;
}

/** `ctx` with `details` added to its details (a copy; `ctx` is unchanged). */
export function withDetails(ctx: AuditContext, details: AuditDetails): AuditContext {
  return { ...ctx, details: { ...ctx.details, ...details } };
}

function entry(event: AuditEvent, ctx: AuditContext, fields: AuditFields = {}, details: AuditDetails = {}): AuditEntry {
  const merged = { ...ctx.details, ...details };
  const out: AuditEntry = { ...ctx, ...fields, event };
  return Object.keys(merged).length ? { ...out, details: merged } : (({ details: _, ...rest }) => rest as AuditEntry)(out);
}

/** A refusal: `code` (an ErrorCode) and why, with what was known of the request. */
export function refusedEntry(ctx: AuditContext, code: string, reason: string, details?: AuditDetails): AuditEntry {
  return entry('refused', ctx, { code, reason }, details);
}

/** What a node's `signed` record says beyond the request context. */
export interface SignedFacts {
  /** Lowercase hex SHA-256 of the exact message signed (the record's `digest`, crosscheck's join key). */
  readonly digest: string;
  readonly keyFingerprint?: string;
  readonly dataSha256: string;
  readonly signers: readonly number[];
  readonly rpm?: RpmSummary;
}

/** A node released a signature share; payload facts (opaque digest, repomd, container, …) go in `details`. */
export function signedEntry(ctx: AuditContext, facts: SignedFacts, details: AuditDetails): AuditEntry {
  return entry('signed', ctx, { ...facts, digestAlgorithm: 'sha256' }, details);
}

/** A coordinator issued a group signature (its own log). */
export function issuedEntry(ctx: AuditContext, facts: { digest: string; signature: string; signers: readonly number[] }, details?: AuditDetails): AuditEntry {
  return entry('issued', ctx, { ...facts, digestAlgorithm: 'sha256' }, details);
}

/** A coordinator could not complete a request (its own log). */
export function failedEntry(ctx: AuditContext, code: string, reason: string, details?: AuditDetails): AuditEntry {
  return entry('failed', ctx, { code, reason }, details);
}

/** The hold of a request (or lifecycle operation): the policy rule and why, and when it expires. */
export function heldEntry(ctx: AuditContext, hold: { holdId: string; rule: string; reason: string; expiresAtMs: number; nevra?: string }): AuditEntry {
  return entry('held', ctx, { reason: hold.reason }, { holdId: hold.holdId, rule: hold.rule, expiresAtMs: hold.expiresAtMs, rpm: hold.nevra });
}

/** The request a hold record names. */
export interface HoldFacts {
  readonly holdId: string;
  readonly requestId: string;
  readonly keyName: string;
  readonly clientId: string;
  readonly fileName?: string;
  /** NEVRA of a held RPM. */
  readonly nevra?: string;
}

function holdEntry(event: AuditEvent, h: HoldFacts, fields: AuditFields, details: AuditDetails): AuditEntry {
  return entry(event, { requestId: h.requestId, keyName: h.keyName, clientId: h.clientId, fileName: h.fileName || undefined }, fields, { holdId: h.holdId, rpm: h.nevra, ...details });
}

/** An operator approved (with an optional comment) or denied (with a reason) a held request. */
export function holdDecidedEntry(h: HoldFacts, approve: boolean, operator: string, note: string): AuditEntry {
  return approve
    ? holdEntry('hold-approved', h, {}, { operator, comment: note || undefined })
    : holdEntry('hold-denied', h, { reason: note || undefined }, { operator });
}

/** A hold expired undecided (or unused after approval). */
export function holdExpiredEntry(h: HoldFacts, previousStatus: string): AuditEntry {
  return holdEntry('hold-expired', h, {}, { previousStatus });
}

/** A hold ended without this node, as `coordinator` said. */
export function holdEndedEntry(h: HoldFacts, previousStatus: string, coordinator: string, reason: string): AuditEntry {
  return holdEntry('hold-ended', h, { coordinator, reason }, { previousStatus });
}

/** The key facts recorded when a share is stored. */
export interface KeyFacts {
  readonly keyName: string;
  /** Lowercase hex group public key. */
  readonly groupPublicKey: string;
  readonly identifier: number;
  /** `t-of-n`. */
  readonly threshold: string;
}

const keyEntry = (event: AuditEvent, ctx: AuditContext, k: KeyFacts, details?: AuditDetails): AuditEntry =>
  entry(event, ctx, { keyName: k.keyName }, { groupPublicKey: k.groupPublicKey, identifier: k.identifier, threshold: k.threshold, ...details });

/** A share was imported from a ceremony. */
export function keyImportedEntry(k: KeyFacts): AuditEntry {
  return keyEntry('key-imported', {}, k);
}

/** A DKG completed: this node stores its share. */
export function keyGeneratedEntry(ctx: AuditContext, k: KeyFacts, details?: AuditDetails): AuditEntry {
  return keyEntry('key-generated', ctx, k, details);
}

/** A node took part in DKG round 1. */
export function dkgRound1Entry(ctx: AuditContext, details: { threshold: string; participants: readonly number[]; requestedBy?: string; keyType?: string; dealer?: number }): AuditEntry {
  return entry('dkg-round1', ctx, {}, details);
}

/**
 * A dealer node generated a new safe-prime RSA key, sealed one Shoup share to each pinned
 * peer and dropped its copy of the primes and the secret exponent.
 */
export function rsaKeyDealtEntry(ctx: AuditContext, details: { keyType: string; groupPublicKey: string; recipients: readonly number[]; generationMs: number; requestedBy?: string }): AuditEntry {
  return entry('rsa-key-dealt', ctx, {}, details);
}

/** A node dealt sub-shares of its share for a reshare plan. */
export function reshareDealtEntry(ctx: AuditContext, details: AuditDetails): AuditEntry {
  return entry('reshare-dealt', ctx, {}, details);
}

/** A new holder verified its sub-shares and keeps its new share pending. */
export function reshareReceivedEntry(ctx: AuditContext, details: AuditDetails): AuditEntry {
  return entry('reshare-received', ctx, {}, details);
}

/** A node activated its new share of a reshared key. */
export function resharedInEntry(ctx: AuditContext, k: KeyFacts, details: AuditDetails): AuditEntry {
  return keyEntry('reshared-in', ctx, k, details);
}

/** An old holder retired its share of a reshared key. */
export function resharedEntry(ctx: AuditContext, details: AuditDetails): AuditEntry {
  return entry('reshared', ctx, {}, details);
}

/** A node verified and stored a key's OpenPGP certificate. */
export function certificateStoredEntry(keyName: string, keyFingerprint: string, certificateSha256: string): AuditEntry {
  return entry('certificate-stored', { keyName, keyFingerprint }, {}, { certificateSha256 });
}

/**
 * A node checked and stored a key's renewed certificate: its self-signature was re-issued by
 * the key's quorum with a later expiry (POSIX seconds; absent: the old one never expired).
 */
export function keyRenewedEntry(keyName: string, keyFingerprint: string, renewal: { certificateSha256: string; oldExpiresUnixSeconds?: number; newExpiresUnixSeconds: number; selfSignatureCreatedUnixSeconds: number }): AuditEntry {
  return entry('key-renewed', { keyName, keyFingerprint }, {}, renewal);
}

/** A node was initialised: its enrollment key and unseal scheme. */
export function initialisedEntry(details: { nodeId: number; enrollmentKey: string; unseal: string }): AuditEntry {
  return entry('initialised', {}, {}, details);
}

/** A node was unsealed with `sharesGiven` distinct shares. */
export function unsealedEntry(details: { nodeId: number; sharesGiven: number }): AuditEntry {
  return entry('unsealed', {}, {}, details);
}

/** The node's configuration (policy) changed. */
export function configChangedEntry(details: AuditDetails): AuditEntry {
  return entry('config-changed', {}, {}, details);
}

/** Nonces deleted: expired (`before`), or beyond a coordinator's quota (`code` QUOTA_EXCEEDED with `reason`). */
export function noncesExpiredEntry(count: number, over?: { coordinator?: string; code: string; reason: string }, before?: string): AuditEntry {
  return entry('nonces-expired', over ? { coordinator: over.coordinator, code: over.code, reason: over.reason } : {}, {}, { count, before });
}

/** A witness holds a checkpoint beyond (or inconsistent with) this log. */
export function rollbackDetectedEntry(reason: string, details: AuditDetails): AuditEntry {
  return entry('rollback-detected', {}, { code: 'AUDIT_ROLLBACK', reason }, details);
}

/** A witness saw a peer's checkpoint inconsistent with one it saw before. */
export function forkDetectedEntry(reason: string, details: AuditDetails): AuditEntry {
  return entry('fork-detected', {}, { reason }, details);
}

/** The count of records like `firstSeq` that a flood coalesced in one second. */
export function coalescedEntry(event: AuditEvent, code: string, reason: string, details: { count: number; coalescedWith: number; who: string; second: string }): AuditEntry {
  return entry(event, {}, { code, reason }, details);
}

/**
 * What every scheme's round two does before the durable write: inspect the payload (an RPM
 * header, a policy check for digests), derive the message, and build the 'signed' audit
 * record — one implementation for FROST and threshold RSA, so request checks, policy and
 * payload inspection cannot drift apart between schemes.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { errorMessage, signingMessage, type ErrorCode, type QsignError, type SignRequest } from '@qsign/protocol';
import { signedEntry, withDetails, type AuditContext, type AuditEntry, type RpmSummary } from '@qsign/audit';
import type { StoredKey } from '@qsign/storage';
import type { Admission } from './approvals.js';
import { inspectPayload } from './payload.js';
import { sha256Hex } from './digest.js';


/** How round two refuses (records the refusal, then throws). */
export type RefuseFn = (code: ErrorCode, reason: string, ctx: AuditContext) => Promise<never>;

/** The message a request signs and the audit record that must be durable before its share leaves. */
export interface PreparedShare {
  message: Uint8Array;
  record: AuditEntry;
}

/**
 * Inspects the payload and derives the message (refusing with the payload's reason before
 * anything is written), then builds the record naming `signers` and, for FROST, the nonce.
 */
export async function prepareShare(
  req: SignRequest,
  key: StoredKey,
  ctx: AuditContext,
  admission: Admission,
  extra: { signers: number[]; attempt: number; nonce?: string; digestOnlyKeys: readonly string[]; /** A further domain check before any durable write (window subkeys). */ check?: (req: SignRequest) => Promise<void> },
  refuse: RefuseFn,
): Promise<PreparedShare> {
  let message: Uint8Array;
  let payloadFacts: Record<string, unknown>;
  const claims = req.claims ? { fileName: req.claims.fileName, size: req.claims.size, sha256: bytesToHex(req.claims.sha256) } : undefined;
  try {
    payloadFacts = inspectPayload(req, { digestOnlyKeys: extra.digestOnlyKeys });
    message = signingMessage(req, key);
    await extra.check?.(req);
  } catch (e) {
    return refuse((e as QsignError).code ?? 'MALFORMED_REQUEST', errorMessage(e), claims ? withDetails(ctx, { claims }) : ctx);
  }
  const { rpm, ...facts } = payloadFacts as { rpm?: RpmSummary };
  const record = signedEntry({ ...ctx, fileName: req.claims?.fileName }, {
    keyFingerprint: key.fingerprint,
    digest: sha256Hex(message),
    dataSha256: sha256Hex(req.data),
    signers: extra.signers,
    rpm,
  }, {
    groupPublicKey: bytesToHex(key.groupPublicKey),
    messageLength: message.length,
    claims,
    ...(req.openpgp && { openpgp: { signatureType: req.openpgp.signatureType, hashAlgorithm: req.openpgp.hashAlgorithm, createdUnixSeconds: req.openpgp.createdUnixSeconds, ...(req.openpgp.keyExpiresUnixSeconds !== undefined && { keyExpiresUnixSeconds: req.openpgp.keyExpiresUnixSeconds }) } }),
    ...facts,
    ...(extra.nonce !== undefined && { nonce: extra.nonce }),
    ...(key.scheme === 'rsa-shoup' && { scheme: key.scheme }),
    attempt: extra.attempt,
    approvedHold: admission.by === 'approval' ? { holdId: admission.hold.holdId, operator: admission.hold.decidedBy } : undefined,
  });
  return { message, record };
}

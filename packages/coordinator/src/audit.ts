/**
 * The coordinator's own audit log: one record per issued signature (request,
 * key, digests, the signature, which nodes signed, which were excluded) and
 * per request it could not complete, in the same tree/checkpoint format as
 * the nodes' logs, so `qsign audit crosscheck` can join them. Recording is
 * fail closed: a signature that cannot be recorded is not returned.
 */
import { failedEntry, issuedEntry, type AuditContext } from '@qsign/audit';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { QsignError, errorMessage, type ErrorCode, type SignRequest, type SignedRequest } from '@qsign/protocol';
import { AuditLogService, AuditNotary, LogStore, Sealer, identityVerifierKey, loadOrCreateIdentity } from '@qsign/storage';
import type { Coordinator, SignOutcome } from './coordinator.js';

/** The checkpoint origin prefix of a coordinator. */
export function coordinatorOriginPrefix(coordinatorId: string): string {
  return `qsign-coordinator-${coordinatorId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64)}`;
}

/** Opens (creating) a coordinator's audit store and identity; returns the store and its verifier key. */
export async function openCoordinatorLog(dataDir: string, masterKey: Uint8Array, coordinatorId: string): Promise<{ store: LogStore; verifierKey: string; service: AuditLogService }> {
  const store = await LogStore.open(dataDir, new Sealer(masterKey));
  const identity = await loadOrCreateIdentity(store, coordinatorOriginPrefix(coordinatorId));
  const notary = await AuditNotary.open(store.audit, identity);
  return { store, verifierKey: identityVerifierKey(identity), service: new AuditLogService(store.audit, notary) };
}

/** Signs through `coordinator` and records the outcome in `service`'s log before answering. */
export async function signRecorded(
  coordinator: Coordinator,
  service: AuditLogService,
  decode: (b: Uint8Array) => SignRequest,
  signed: SignedRequest,
  opts: { deadlineMs?: number } = {},
): Promise<SignOutcome> {
  let req: SignRequest | undefined;
  try {
    req = decode(signed.body);
  } catch {
    req = undefined; // coordinator.sign refuses it with the reason below
  }
  const base: AuditContext = req
    ? {
        requestId: req.requestId,
        keyName: req.keyName,
        clientId: req.clientName,
        payloadKind: req.kind,
        dataSha256: bytesToHex(sha256(req.data)),
        fileName: req.claims?.fileName,
        details: { claims: req.claims ? { fileName: req.claims.fileName, size: req.claims.size, sha256: bytesToHex(req.claims.sha256) } : undefined },
      }
    : {};
  let out: SignOutcome;
  try {
    out = await coordinator.sign(signed, opts);
  } catch (e) {
    const code: ErrorCode = (e as QsignError).code ?? 'INTERNAL';
    // Record failures of decodable requests: nodes may have released shares for them.
    if (req) await service.log.append(failedEntry(base, code, errorMessage(e).slice(0, 4000), { excluded: (e as QsignError).details?.excluded })).catch(() => undefined);
    throw e;
  }
  try {
    await service.log.append(
      issuedEntry(
        base,
        { digest: bytesToHex(sha256(out.message)), signature: bytesToHex(out.signature), signers: out.signers },
        // abandoned: shares released in attempts given up (a node died mid-attempt).
        { excluded: out.excluded.length ? out.excluded : undefined, abandoned: out.abandoned?.length ? out.abandoned : undefined },
      ),
    );
  } catch (e) {
    throw new QsignError('AUDIT_WRITE_FAILED', `signature made but not returned: the coordinator cannot record it: ${errorMessage(e)}`);
  }
  return out;
}

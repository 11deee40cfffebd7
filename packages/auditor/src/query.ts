/**
 * "What was signed" queries over fetched logs: one row per signing event,
 * joining the coordinator's `issued` record with the nodes' `signed` records.
 * Pure: works on logs already fetched.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { headerSignatureInput } from '@qsign/rpm';
import type { AuditRecord } from '@qsign/audit';
import type { FetchedLog } from './fetch.js';

/** What to look for with {@link querySignatures}. */
export interface QueryFilter {
  key?: string;
  sinceMs?: number;
  untilMs?: number;
  /** Lowercase hex SHA-256 digests: of the data signed, of a file (claims), or of the message. */
  digests?: string[];
  /** Lowercase hex group signature. */
  signature?: string;
  requestId?: string;
}

/** One signing event, joined across logs. */
export interface QueryRow {
  time: string;
  requestId: string;
  key: string;
  fileName?: string;
  /** What was signed (the request's payload kind, e.g. rpm-header, openpgp, key-binding). */
  payloadKind?: string;
  /** The requesting client, as the records name it. */
  client?: string;
  /** `name-[epoch:]version-release.arch` of a signed RPM, as the nodes parsed it. */
  nevra?: string;
  dataSha256?: string;
  messageSha256?: string;
  signature?: string;
  /** Signers the coordinator named. */
  signers: number[];
  /** Nodes whose own logs record signing it. */
  recordedBy: number[];
  coordinatorIndex?: number;
}

/** The SHA-256 digests identifying a file: of its bytes, and for an RPM of its main header (what an rpm-header request signs). */
export function fileDigests(bytes: Uint8Array): string[] {
  const out = [bytesToHex(sha256(bytes))];
  try {
    out.push(bytesToHex(sha256(headerSignatureInput(bytes))));
  } catch {
    // not an RPM
  }
  return out;
}

/** Answers "what did key K sign between T1 and T2", "was this file/signature signed, when, by which nodes". */
export function querySignatures(logs: FetchedLog[], f: QueryFilter): QueryRow[] {
  const rows = new Map<string, QueryRow>();
  const claimSha = (r: AuditRecord) => (r.details?.claims as { sha256?: string } | undefined)?.sha256;
  for (const l of [...logs].sort((a, b) => a.target.id - b.target.id)) {
    for (const { index, record: r } of l.records) {
      if (!r?.requestId || (r.event !== 'issued' && r.event !== 'signed')) continue;
      let row = rows.get(r.requestId);
      if (!row) {
        row = { time: new Date(r.timeMs).toISOString(), requestId: r.requestId, key: r.keyName ?? '', signers: [], recordedBy: [] };
        rows.set(r.requestId, row);
      }
      row.fileName ??= r.fileName;
      row.client ??= r.clientId;
      row.payloadKind ??= r.payloadKind;
      row.nevra ??= r.rpm?.nevra;
      row.dataSha256 ??= r.dataSha256;
      row.messageSha256 ??= r.digest;
      const c = claimSha(r);
      if (c) (row as QueryRow & { claimSha?: string }).claimSha = c;
      if (r.event === 'issued') {
        row.time = new Date(r.timeMs).toISOString();
        row.signature = r.signature;
        row.signers = [...(r.signers ?? [])];
        row.coordinatorIndex = index;
      } else if (!row.recordedBy.includes(l.target.id)) row.recordedBy.push(l.target.id);
    }
  }
  return [...rows.values()]
    .filter((row) => {
      const t = Date.parse(row.time);
      if (f.key !== undefined && row.key !== f.key) return false;
      if (f.sinceMs !== undefined && t < f.sinceMs) return false;
      if (f.untilMs !== undefined && t > f.untilMs) return false;
      if (f.requestId !== undefined && row.requestId !== f.requestId) return false;
      if (f.signature !== undefined && row.signature !== f.signature) return false;
      if (f.digests?.length) {
        const have = [row.dataSha256, row.messageSha256, (row as QueryRow & { claimSha?: string }).claimSha];
        if (!f.digests.some((d) => have.includes(d))) return false;
      }
      return true;
    })
    .map((row) => {
      const { claimSha: _unused, ...rest } = row as QueryRow & { claimSha?: string };
      return { ...rest, recordedBy: rest.recordedBy.sort((a, b) => a - b) };
    })
    .sort((a, b) => a.time.localeCompare(b.time));
}

/**
 * What a node checks about a request's payload before it signs (DESIGN.md
 * trust model 6): it parses RPM headers itself and records what it parsed, and
 * signs opaque digests only for keys its operator listed as digest-only.
 * Plain functions, no I/O: the signer records the outcome in the audit log.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { MAX_RECORD_FILES, MAX_RECORD_FILE_LIST_BYTES, MAX_RECORD_PATH, type RpmSummary } from '@qsign/audit';
import { DIGEST_LIKE_LENGTHS, QsignError, errorMessage, parseRepomd, parseSimpleSigning, type SignRequest } from '@qsign/protocol';
import { boundedFileList, packageInfo, pgpHashName } from '@qsign/rpm';

/**
 * How much of a package's file list an audit record keeps (`qsign audit compare` reads it):
 * every entry while the list stays within 1024 entries and 8 KiB of JSON; beyond that (or
 * for an entry whose path is over 256 characters) the record marks the list `filesTruncated`.
 * The count and SHA-256 of the whole list are always recorded.
 */
export const AUDIT_FILE_LIST_LIMITS = { maxFiles: MAX_RECORD_FILES, maxBytes: MAX_RECORD_FILE_LIST_BYTES, maxPath: MAX_RECORD_PATH } as const;

/**
 * What the node parsed from an RPM main header, as recorded in the audit log:
 * the record schema's `rpm` (`@qsign/audit` RpmSummary), every field bounded.
 */
export type RpmAuditFacts = RpmSummary & { readonly nevra: string; readonly fileCount: number };


/** The policy inputs of {@link inspectPayload}. */
export interface PayloadPolicy {
  /** Keys for which the node signs digests it cannot recompute (node config `digestOnlyKeys`). */
  digestOnlyKeys: readonly string[];
}

/**
 * Checks a request's payload and returns the extra audit fields that describe
 * it; throws a QsignError saying why it is refused:
 * - 'rpm-header': must be a binary (0x00) signature over a main header this
 *   node parses itself (name, EVR, arch, payload digest, file list: see {@link AUDIT_FILE_LIST_LIMITS});
 * - 'digest', and 'raw' data of a digest's length: only for digest-only keys,
 *   recorded with the client's claims;
 * - 'repomd': a repomd.xml this node parses (revision, every metadata file
 *   with its checksum; @qsign/protocol parseRepomd);
 * - 'container': a simple-signing payload this node checks
 *   (containers-signature(5); reference and manifest digest recorded);
 * - 'openpgp', 'certification', other 'raw': nothing to add.
 */
export function inspectPayload(req: SignRequest, policy: PayloadPolicy): Record<string, unknown> {
  const digestLike = req.kind === 'digest' || (req.kind === 'raw' && DIGEST_LIKE_LENGTHS.includes(req.data.length));
  if (digestLike) {
    if (!policy.digestOnlyKeys.includes(req.keyName)) {
      const what = req.kind === 'digest' ? 'a digest-only request' : `raw data of ${req.data.length} bytes (the size of a hash value, so an opaque digest)`;
      throw new QsignError('POLICY_REFUSED', `${what} for key ${req.keyName} is refused: this node signs opaque digests only for keys listed in its digestOnlyKeys`);
    }
    // Not `digest`: that is the record's digest of the message signed (what crosscheck joins on).
    return { digestOnly: true, opaqueDigest: bytesToHex(req.data) };
  }
  if (req.kind === 'rpm-header') {
    if (req.openpgp?.signatureType !== 0x00)
      throw new QsignError('MALFORMED_REQUEST', 'an RPM header signature must be a binary (0x00) signature');
    return { rpm: rpmFacts(req.data) };
  }
  // The parsers throw MALFORMED_REQUEST saying what is wrong; the signing step
  // (binary OpenPGP signature over the exact bytes) is the same as for files.
  if (req.kind === 'repomd') return { repomd: parseRepomd(req.data) };
  if (req.kind === 'container') return { container: parseSimpleSigning(req.data) };
  return {};
}

/** Parses an RPM main header (bounded parser of @qsign/rpm); MALFORMED_REQUEST on any problem. */
export function rpmFacts(header: Uint8Array): RpmAuditFacts {
  let info;
  try {
    info = packageInfo(header);
  } catch (e) {
    throw new QsignError('MALFORMED_REQUEST', `RPM header refused: ${errorMessage(e)}`, { cause: e });
  }
  const evr = `${info.epoch !== undefined ? `${info.epoch}:` : ''}${info.version}-${info.release}`;
  const files = boundedFileList(info.files, AUDIT_FILE_LIST_LIMITS);
  return {
    name: info.name,
    ...(info.epoch !== undefined && { epoch: info.epoch }),
    version: info.version,
    release: info.release,
    arch: info.arch,
    nevra: `${info.name}-${evr}.${info.arch}`,
    ...(info.sourceRpm !== undefined && { sourceRpm: info.sourceRpm }),
    buildHost: info.buildHost,
    buildTime: info.buildTime,
    ...(info.payloadDigest !== undefined && { payloadDigest: info.payloadDigest }),
    ...(info.payloadDigestAlgo !== undefined && { payloadDigestAlgorithm: pgpHashName(info.payloadDigestAlgo) }),
    fileDigestAlgorithm: pgpHashName(info.fileDigestAlgo),
    fileCount: info.files.length,
    ...(files.files.length > 0 && { files: files.files.map((f) => ({ path: f.path, size: f.size, mode: f.mode, ...(f.digest && { digest: f.digest }) })) }),
    ...(files.truncated && { filesTruncated: true as const }),
    filesSummary: { count: files.count, digest: files.sha256 },
  };
}

/**
 * What an operator is shown for a held `repomd` or `container` request, as
 * this node reads it (never the client's claimed file name): the revision and
 * metadata count, or the reference and manifest digest. Undefined for other kinds.
 */
export function describePublished(req: SignRequest): string | undefined {
  try {
    if (req.kind === 'repomd') {
      const f = parseRepomd(req.data);
      return `repomd.xml revision ${f.revision}: ${f.data.map((d) => d.type).join(', ')}`;
    }
    if (req.kind === 'container') {
      const f = parseSimpleSigning(req.data);
      return `${f.format === 'cosign' ? 'cosign ' : ''}${f.reference} = ${f.digest}`;
    }
  } catch (e) {
    return `(${req.kind} payload does not parse: ${errorMessage(e)})`;
  }
  return undefined;
}

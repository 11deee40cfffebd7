/**
 * @qsign/rpm — pure RPM package parsing and signature-header writing.
 *
 * Format: rpm docs/manual/format.md and format_header.md; tag numbers:
 * include/rpm/rpmtag.h; behaviour mirrored from rpm 4.18 lib/header.c and
 * sign/rpmgensig.c.
 */
export { RpmError, type RpmErrorCode } from './errors.js';
export { RpmTag, RpmSigTag, RpmType, OPENPGP_SIGNATURE_TAGS, type RpmTypeNumber } from './tags.js';
export {
  parseHeader,
  RpmHeader,
  HEADER_MAGIC,
  HEADER_TAGS_MAX,
  HEADER_DATA_MAX,
  HEADER_ARRAY_MAX,
  HEADER_MAX_BYTES,
  SIGNATURE_TAGS_MAX,
  SIGNATURE_DATA_MAX,
  type HeaderEntry,
  type HeaderRegion,
  type ParseHeaderOptions,
} from './header.js';
export { buildHeader, builtHeaderSize, type HeaderEntryInput } from './build.js';
export { readRpm, LEAD_SIZE, LEAD_MAGIC, RPMSIGTYPE_HEADERSIG, type RpmFile, type RpmLead } from './package.js';
export {
  packageInfo,
  boundedFileList,
  canonicalFileList,
  pgpHashName,
  PGP_HASH_NAMES,
  type BoundedFileList,
  type FileListLimits,
  type PackageInfo,
  type RpmFileEntry,
} from './info.js';
export { verifyDigests, type DigestReport } from './digests.js';
export { inspectSignaturePacket, PgpPubkeyAlgo, MAX_SIGNATURE_PACKET, type SignaturePacketInfo } from './pgp-packet.js';
export {
  addHeaderSignature,
  headerSignatureTag,
  headerSignatureInput,
  headerPayloadSignatureInput,
  type AddHeaderSignatureOptions,
  type RpmSignatureTag,
} from './sign.js';
export { compareFileLists, type ComparableFiles, type FileComparison, type FileDifference, type FileProperty } from './compare.js';
export { keyringSpec, RPM_GPG_DIR, type KeyringCertificate, type KeyringSpecOptions } from './keyring-spec.js';

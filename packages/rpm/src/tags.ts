/**
 * Tag and type numbers, named as in rpm's include/rpm/rpmtag.h (rpm 4.18).
 */

/** Header data types (rpmTagType, rpmtag.h; sizes from docs/manual/format_header.md). */
export const RpmType = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

/** One of the numbers in {@link RpmType}. */
export type RpmTypeNumber = (typeof RpmType)[keyof typeof RpmType];

/** Region and main-header tags used by this package (rpmTag_e, rpmtag.h). */
export const RpmTag = {
  /** RPMTAG_HEADERIMAGE: legacy region tag. */
  HEADERIMAGE: 61,
  /** RPMTAG_HEADERSIGNATURES: region tag of the signature header. */
  HEADERSIGNATURES: 62,
  /** RPMTAG_HEADERIMMUTABLE: region tag of the main header (v4 packages). */
  HEADERIMMUTABLE: 63,
  /** RPMTAG_HEADERREGIONS: first tag after the region range. */
  HEADERREGIONS: 64,
  /** RPMTAG_HEADERI18NTABLE: locales of I18NSTRING entries; lowest ordinary tag. */
  HEADERI18NTABLE: 100,
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  BUILDTIME: 1006,
  BUILDHOST: 1007,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  FILESIZES: 1028,
  FILEMODES: 1030,
  FILEDIGESTS: 1035,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  LONGFILESIZES: 5008,
  FILEDIGESTALGO: 5011,
  PAYLOADDIGEST: 5092,
  PAYLOADDIGESTALGO: 5093,
  PAYLOADDIGESTALT: 5097,
} as const;

/** Signature-header tags (rpmSigTag_e, rpmtag.h). */
export const RpmSigTag = {
  /** RPMSIGTAG_BADSHA1_1 */
  BADSHA1_1: 264,
  /** RPMSIGTAG_BADSHA1_2 */
  BADSHA1_2: 265,
  /** RPMSIGTAG_DSA (= RPMTAG_DSAHEADER): OpenPGP DSA/EdDSA signature of the main header. */
  DSA: 267,
  /** RPMSIGTAG_RSA (= RPMTAG_RSAHEADER): OpenPGP RSA signature of the main header. */
  RSA: 268,
  /** RPMSIGTAG_SHA1: hex SHA-1 of the main header. */
  SHA1: 269,
  /** RPMSIGTAG_LONGSIZE: header+payload size (64-bit). */
  LONGSIZE: 270,
  /** RPMSIGTAG_LONGARCHIVESIZE: uncompressed payload size (64-bit). */
  LONGARCHIVESIZE: 271,
  /** RPMSIGTAG_SHA256: hex SHA-256 of the main header. */
  SHA256: 273,
  /** RPMSIGTAG_FILESIGNATURES */
  FILESIGNATURES: 274,
  /** RPMSIGTAG_FILESIGNATURELENGTH */
  FILESIGNATURELENGTH: 275,
  /** RPMSIGTAG_SIZE: header+payload size (32-bit). */
  SIZE: 1000,
  /** RPMSIGTAG_PGP: OpenPGP RSA signature of header+payload. */
  PGP: 1002,
  /** RPMSIGTAG_MD5: MD5 of header+payload. */
  MD5: 1004,
  /** RPMSIGTAG_GPG: OpenPGP DSA/EdDSA signature of header+payload. */
  GPG: 1005,
  /** RPMSIGTAG_PGP5 (legacy). */
  PGP5: 1006,
  /** RPMSIGTAG_PAYLOADSIZE: uncompressed payload size (32-bit). */
  PAYLOADSIZE: 1007,
  /** RPMSIGTAG_RESERVEDSPACE: zero bytes kept so signatures can be added in place. */
  RESERVEDSPACE: 1008,
} as const;

/**
 * The OpenPGP signature tags rpmsign's deleteSigs() removes before adding a
 * new signature (sign/rpmgensig.c): GPG, PGP, DSA, RSA, PGP5.
 */
export const OPENPGP_SIGNATURE_TAGS: readonly number[] = [
  RpmSigTag.DSA,
  RpmSigTag.RSA,
  RpmSigTag.PGP,
  RpmSigTag.GPG,
  RpmSigTag.PGP5,
];

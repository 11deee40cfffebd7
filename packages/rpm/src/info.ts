/**
 * What a signer needs to know about a package, read from its main header
 * (tag numbers from include/rpm/rpmtag.h), and a compact file summary for
 * audit records.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { check, RpmError } from './errors.js';
import { parseHeader, RpmHeader } from './header.js';
import { RpmTag } from './tags.js';

/** One file of the package. */
export interface RpmFileEntry {
  /** Absolute path: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]. */
  readonly path: string;
  /** Size in bytes (FILESIZES 1028, or LONGFILESIZES 5008). */
  readonly size: number;
  /** Hex digest (FILEDIGESTS 1035); empty for directories, symlinks, ghosts. */
  readonly digest: string;
  /** st_mode including the file type bits (FILEMODES 1030). */
  readonly mode: number;
}

/** Identity and content of a package. */
export interface PackageInfo {
  /** RPMTAG_NAME 1000. */
  readonly name: string;
  /** RPMTAG_EPOCH 1003, if set. */
  readonly epoch?: number;
  /** RPMTAG_VERSION 1001. */
  readonly version: string;
  /** RPMTAG_RELEASE 1002. */
  readonly release: string;
  /** RPMTAG_ARCH 1022 ("noarch", "x86_64", …). */
  readonly arch: string;
  /** RPMTAG_SOURCERPM 1044; absent in source packages. */
  readonly sourceRpm?: string;
  /** RPMTAG_BUILDHOST 1007. */
  readonly buildHost: string;
  /** RPMTAG_BUILDTIME 1006, seconds since the epoch. */
  readonly buildTime: number;
  /** RPMTAG_PAYLOADDIGEST 5092 (first item, hex), if present (rpm ≥ 4.14). */
  readonly payloadDigest?: string;
  /** RPMTAG_PAYLOADDIGESTALGO 5093 (OpenPGP hash id, 8 = SHA-256), if present. */
  readonly payloadDigestAlgo?: number;
  /** RPMTAG_FILEDIGESTALGO 5011 (OpenPGP hash id); 1 (MD5) when absent, as in rpm. */
  readonly fileDigestAlgo: number;
  /** Files in header order. */
  readonly files: readonly RpmFileEntry[];
}

/** Default RPMTAG_FILEDIGESTALGO when the tag is absent (PGPHASHALGO_MD5). */
const PGPHASHALGO_MD5 = 1;

/**
 * Reads name, epoch, version, release, arch, source rpm, build host and time,
 * payload digest and the file list from a main header, checking that the
 * file-list tags (DIRNAMES 1118, BASENAMES 1117, DIRINDEXES 1116, FILESIZES
 * 1028 / LONGFILESIZES 5008, FILEDIGESTS 1035, FILEMODES 1030) agree in length
 * and that every dir index is in range.
 *
 * @param mainHeader raw main header bytes (as {@link readRpm} returns) or a parsed header.
 * @throws RpmError MISSING_TAG, WRONG_TAG_TYPE, INCONSISTENT_HEADER, BAD_STRING, or a parse error.
 * @example
 * const info = packageInfo(readRpm(bytes).mainHeader);
 * `${info.name}-${info.version}-${info.release}.${info.arch}`
 */
export function packageInfo(mainHeader: Uint8Array | RpmHeader): PackageInfo {
  const h = mainHeader instanceof RpmHeader ? mainHeader : parseHeader(mainHeader, { region: RpmTag.HEADERIMMUTABLE });
  const scalar = (tag: number): number => {
    const v = h.int32(tag);
    check(v.length === 1, 'WRONG_TAG_TYPE', `tag ${tag} has ${v.length} items, expected 1`);
    return v[0]!;
  };
  const optional = <T>(tag: number, get: (tag: number) => T): T | undefined => (h.has(tag) ? get(tag) : undefined);
  const payloadDigests = optional(RpmTag.PAYLOADDIGEST, (t) => h.stringArray(t));
  const info: PackageInfo = {
    name: h.string(RpmTag.NAME),
    version: h.string(RpmTag.VERSION),
    release: h.string(RpmTag.RELEASE),
    arch: h.string(RpmTag.ARCH),
    buildHost: h.string(RpmTag.BUILDHOST),
    buildTime: scalar(RpmTag.BUILDTIME),
    fileDigestAlgo: optional(RpmTag.FILEDIGESTALGO, scalar) ?? PGPHASHALGO_MD5,
    files: fileList(h),
  };
  const epoch = optional(RpmTag.EPOCH, scalar);
  const sourceRpm = optional(RpmTag.SOURCERPM, (t) => h.string(t));
  const payloadDigestAlgo = optional(RpmTag.PAYLOADDIGESTALGO, scalar);
  return {
    ...info,
    ...(epoch !== undefined && { epoch }),
    ...(sourceRpm !== undefined && { sourceRpm }),
    ...(payloadDigests !== undefined && { payloadDigest: payloadDigests[0]! }),
    ...(payloadDigestAlgo !== undefined && { payloadDigestAlgo }),
  };
}

function fileList(h: RpmHeader): RpmFileEntry[] {
  if (!h.has(RpmTag.BASENAMES)) {
    check(!h.has(RpmTag.OLDFILENAMES), 'INCONSISTENT_HEADER', 'OLDFILENAMES without BASENAMES (pre-4.0 package) is not supported');
    for (const t of [RpmTag.DIRNAMES, RpmTag.DIRINDEXES, RpmTag.FILESIZES, RpmTag.LONGFILESIZES, RpmTag.FILEDIGESTS, RpmTag.FILEMODES]) {
      check(!h.has(t), 'INCONSISTENT_HEADER', `tag ${t} present without BASENAMES`);
    }
    return [];
  }
  const baseNames = h.stringArray(RpmTag.BASENAMES);
  const dirNames = h.stringArray(RpmTag.DIRNAMES);
  const dirIndexes = h.int32(RpmTag.DIRINDEXES);
  const modes = h.int16(RpmTag.FILEMODES);
  const digests = h.stringArray(RpmTag.FILEDIGESTS);
  const sizes = fileSizes(h);
  const n = baseNames.length;
  for (const [name, list] of [
    ['DIRINDEXES', dirIndexes],
    ['FILEMODES', modes],
    ['FILEDIGESTS', digests],
    ['file sizes', sizes],
  ] as const) {
    check(list.length === n, 'INCONSISTENT_HEADER', `${name} has ${list.length} items, BASENAMES has ${n}`);
  }
  return baseNames.map((base, i) => {
    const dir = dirNames[dirIndexes[i]!];
    if (dir === undefined) {
      throw new RpmError('INCONSISTENT_HEADER', `DIRINDEXES[${i}] = ${dirIndexes[i]} but DIRNAMES has ${dirNames.length} items`);
    }
    return { path: dir + base, size: sizes[i]!, digest: digests[i]!, mode: modes[i]! };
  });
}

function fileSizes(h: RpmHeader): number[] {
  if (h.has(RpmTag.LONGFILESIZES)) {
    check(!h.has(RpmTag.FILESIZES), 'INCONSISTENT_HEADER', 'both FILESIZES and LONGFILESIZES present');
    return h.int64(RpmTag.LONGFILESIZES).map((s) => {
      check(s <= BigInt(Number.MAX_SAFE_INTEGER), 'INCONSISTENT_HEADER', `file size ${s} too large`);
      return Number(s);
    });
  }
  return h.int32(RpmTag.FILESIZES);
}

/** Limits of {@link boundedFileList}. */
export interface FileListLimits {
  /** Most entries kept. */
  readonly maxFiles: number;
  /** Most bytes the kept entries take as JSON (`JSON.stringify(entry)` each). */
  readonly maxBytes: number;
  /** Entries with a longer path are left out. */
  readonly maxPath: number;
}

/** A file list as an audit record keeps it: always the count and digest of the whole list, and as many entries as fit. */
export interface BoundedFileList {
  /** Number of files in the package. */
  readonly count: number;
  /** Hex SHA-256 of {@link canonicalFileList} of the whole list. */
  readonly sha256: string;
  /** The entries kept, in header order. */
  readonly files: readonly RpmFileEntry[];
  /** True when some entries were left out (too many, too many bytes, or a path too long). */
  readonly truncated: boolean;
}

/**
 * The canonical encoding of a file list that {@link boundedFileList} hashes:
 * for each file, in order, the UTF-8 of `JSON.stringify([path, size, digest, mode])`
 * followed by "\n".
 */
export function canonicalFileList(files: readonly RpmFileEntry[]): Uint8Array {
  return utf8ToBytes(files.map((f) => JSON.stringify([f.path, f.size, f.digest, f.mode]) + '\n').join(''));
}

/**
 * Bounds a file list for an audit record: the count and SHA-256 of the whole list (so a
 * rebuild can be compared even when the list is cut), and the entries in header order
 * while they fit `limits` — an entry whose path is too long is skipped, and the list stops
 * at the first entry beyond `maxFiles` or `maxBytes`. `truncated` says whether any was left out.
 *
 * @example
 * boundedFileList(info.files, { maxFiles: 1024, maxBytes: 32768, maxPath: 256 }) // { count: 1200, sha256: '9f…', files: [...], truncated: true }
 */
export function boundedFileList(files: readonly RpmFileEntry[], limits: FileListLimits): BoundedFileList {
  check(Array.isArray(files), 'INVALID_ARGUMENT', 'files must be an array');
  for (const k of ['maxFiles', 'maxBytes', 'maxPath'] as const) check(Number.isSafeInteger(limits[k]) && limits[k] >= 0, 'INVALID_ARGUMENT', `${k} must be a non-negative integer`);
  const kept: RpmFileEntry[] = [];
  let bytes = 0;
  let truncated = false;
  for (const f of files) {
    if (f.path.length > limits.maxPath) {
      truncated = true;
      continue;
    }
    const size = JSON.stringify({ path: f.path, size: f.size, mode: f.mode, digest: f.digest }).length + 1;
    if (kept.length >= limits.maxFiles || bytes + size > limits.maxBytes) {
      truncated = true;
      break;
    }
    kept.push({ ...f });
    bytes += size;
  }
  return { count: files.length, sha256: bytesToHex(sha256(canonicalFileList(files))), files: kept, truncated };
}

/** OpenPGP hash algorithm ids (RFC 9580 §9.5), as RPMTAG_FILEDIGESTALGO and PAYLOADDIGESTALGO use them, by the names audit records carry. */
export const PGP_HASH_NAMES: Readonly<Record<number, string>> = { 1: 'md5', 2: 'sha1', 3: 'ripemd160', 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224', 12: 'sha3-256', 14: 'sha3-512' };

/** The record name of an OpenPGP hash id (`pgp-hash-N` when unknown). */
export function pgpHashName(id: number): string {
  return PGP_HASH_NAMES[id] ?? `pgp-hash-${id}`;
}

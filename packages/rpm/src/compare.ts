/**
 * Comparing the file list of a signed package with a rebuild made elsewhere (the review
 * thread: "store the list of contained files and their properties that would allow one to
 * compare the result with a build created elsewhere"). Input: file lists as
 * {@link packageInfo} reads them (BASENAMES/DIRNAMES/DIRINDEXES, FILEDIGESTS with
 * FILEDIGESTALGO, FILESIZES/LONGFILESIZES, FILEMODES; include/rpm/rpmtag.h).
 */
import { check } from './errors.js';
import type { RpmFileEntry } from './info.js';

/** A file list and the digest algorithm its digests use (RPMTAG_FILEDIGESTALGO, OpenPGP hash id). */
export interface ComparableFiles {
  readonly fileDigestAlgo: number;
  readonly files: readonly RpmFileEntry[];
}

/** The properties compared for a file present in both. */
export type FileProperty = 'digest' | 'size' | 'mode';

/** One path that differs. */
export interface FileDifference {
  readonly path: string;
  /** 'missing': in the signed package only; 'added': in the rebuild only; 'changed': in both, properties differ. */
  readonly kind: 'missing' | 'added' | 'changed';
  /** For 'changed': which properties differ, in the order digest, size, mode. */
  readonly properties: readonly FileProperty[];
  /** The entry in the signed package, if there is one. */
  readonly signed?: RpmFileEntry;
  /** The entry in the rebuild, if there is one. */
  readonly rebuilt?: RpmFileEntry;
}

/** The result of {@link compareFileLists}. */
export interface FileComparison {
  /** True if the two lists use different digest algorithms: digests were then not compared. */
  readonly digestAlgorithmDiffers: boolean;
  /** Every differing path, sorted by path. Empty ⇔ the rebuild matches. */
  readonly differences: readonly FileDifference[];
}

function byPath(files: readonly RpmFileEntry[], what: string): Map<string, RpmFileEntry> {
  check(Array.isArray(files), 'INVALID_ARGUMENT', `${what} files must be an array`);
  const m = new Map<string, RpmFileEntry>();
  for (const f of files) {
    check(typeof f?.path === 'string', 'INVALID_ARGUMENT', `${what}: every file needs a path`);
    check(!m.has(f.path), 'INCONSISTENT_HEADER', `${what}: ${f.path} is listed twice`);
    m.set(f.path, f);
  }
  return m;
}

/**
 * Compares the signed package's files with a rebuild's: every path present in only one,
 * and every path whose digest, size or mode (file type and permission bits) differs.
 * Pure and deterministic; order of the input lists does not matter.
 *
 * @throws RpmError INVALID_ARGUMENT, INCONSISTENT_HEADER (a path listed twice).
 * @example compareFileLists(packageInfo(signedHeader), packageInfo(rebuiltHeader)).differences
 */
export function compareFileLists(signed: ComparableFiles, rebuilt: ComparableFiles): FileComparison {
  const a = byPath(signed.files, 'signed package');
  const b = byPath(rebuilt.files, 'rebuild');
  const digestAlgorithmDiffers = signed.fileDigestAlgo !== rebuilt.fileDigestAlgo;
  const out: FileDifference[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const s = a.get(path);
    const r = b.get(path);
    if (s === undefined) out.push({ path, kind: 'added', properties: [], rebuilt: r! });
    else if (r === undefined) out.push({ path, kind: 'missing', properties: [], signed: s });
    else {
      const properties: FileProperty[] = [];
      if (!digestAlgorithmDiffers && s.digest.toLowerCase() !== r.digest.toLowerCase()) properties.push('digest');
      if (s.size !== r.size) properties.push('size');
      if (s.mode !== r.mode) properties.push('mode');
      if (properties.length) out.push({ path, kind: 'changed', properties, signed: s, rebuilt: r });
    }
  }
  return { digestAlgorithmDiffers, differences: out };
}

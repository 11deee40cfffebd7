/**
 * Comparing a rebuild with what the cluster signed (`qsign audit compare`; the review
 * thread: "store the list of contained files and their properties that would allow one to
 * compare the result with a build created elsewhere"). Every node that signs an RPM header
 * records the file list it parsed itself (`rpm` in its `signed` record: the entries that
 * fit, and always the count and SHA-256 of the whole list); this finds the signed packages
 * of a NEVRA in fetched node logs and compares each with the rebuild's list
 * (`@qsign/rpm` compareFileLists). Pure: works on logs already fetched and verified.
 */
import { canonicalFileList, compareFileLists, PGP_HASH_NAMES, pgpHashName, type FileDifference, type PackageInfo, type RpmFileEntry } from '@qsign/rpm';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { RpmSummary } from '@qsign/audit';
import type { FetchedLog } from './fetch.js';

/** One distinct signed package of a NEVRA, as the node logs record it. */
export interface SignedBuild {
  nevra: string;
  /** Signing requests that signed a package with this file list (a re-sign adds one), oldest first. */
  requestIds: string[];
  /** Keys that signed it. */
  keys: string[];
  /** ISO time of the first signing. */
  time: string;
  /** Nodes whose logs record signing it. */
  recordedBy: number[];
  fileCount: number;
  /** Hex SHA-256 of the whole canonical file list, when the records carry it. */
  listDigest?: string;
  /** The file list as recorded (complete unless {@link truncated}). */
  files: RpmFileEntry[];
  truncated: boolean;
  fileDigestAlgorithm?: string;
}

/** The comparison of a rebuild with one signed package. */
export interface BuildComparison {
  signed: SignedBuild;
  /** True when the rebuild's file list equals the signed one (by the whole list's digest when recorded). */
  identical: boolean;
  /** Every differing path the record lets us name (path, kind, properties). */
  differences: FileDifference[];
  /** Digests were made with different algorithms and not compared. */
  digestAlgorithmDiffers: boolean;
  /** The signed list was truncated and the digests of the whole lists differ, but no listed file differs: the change is among the unlisted files. */
  unlistedDiffer: boolean;
}

/** The result of {@link compareRebuild}. */
export interface RebuildReport {
  nevra: string;
  /** One entry per distinct signed package of that NEVRA; empty: the logs record no signing of it. */
  builds: BuildComparison[];
  /** Requests whose node records disagree about the file list (a node's parse differs: investigate). */
  disagreements: string[];
}

/** `name-[epoch:]version-release.arch`, as nodes record it (node payload.ts). */
export function nevraOf(info: PackageInfo): string {
  return `${info.name}-${info.epoch !== undefined ? `${info.epoch}:` : ''}${info.version}-${info.release}.${info.arch}`;
}

const fileEntry = (f: NonNullable<RpmSummary['files']>[number]): RpmFileEntry => ({ path: f.path, size: f.size ?? 0, mode: f.mode ?? 0, digest: f.digest ?? '' });
const ALGO_IDS: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(PGP_HASH_NAMES).map(([id, name]) => [name, Number(id)]));

/** The distinct signed packages of `nevra` in the node logs (coordinator records carry no file lists). */
export function signedBuildsOf(logs: readonly FetchedLog[], nevra: string): { builds: SignedBuild[]; disagreements: string[] } {
  const byRequest = new Map<string, { rpm: RpmSummary; key: string; timeMs: number; nodes: Set<number>; digests: Set<string> }>();
  for (const l of logs) {
    if (l.target.id === 0) continue;
    for (const { record: r } of l.records) {
      if (r?.event !== 'signed' || !r.requestId || r.rpm?.nevra !== nevra) continue;
      const listKey = r.rpm.filesSummary?.digest ?? JSON.stringify(r.rpm.files ?? []);
      const e = byRequest.get(r.requestId) ?? { rpm: r.rpm, key: r.keyName ?? '', timeMs: r.timeMs, nodes: new Set<number>(), digests: new Set<string>() };
      e.nodes.add(l.target.id);
      e.digests.add(listKey);
      byRequest.set(r.requestId, e);
    }
  }
  const builds = new Map<string, SignedBuild>();
  const disagreements: string[] = [];
  for (const [requestId, e] of [...byRequest].sort((a, b) => a[1].timeMs - b[1].timeMs)) {
    if (e.digests.size > 1) disagreements.push(requestId);
    const rpm = e.rpm;
    const listKey = [...e.digests][0]!;
    const b = builds.get(listKey);
    if (b) {
      b.requestIds.push(requestId);
      if (!b.keys.includes(e.key)) b.keys.push(e.key);
      b.recordedBy = [...new Set([...b.recordedBy, ...e.nodes])].sort((x, y) => x - y);
      continue;
    }
    builds.set(listKey, {
      nevra,
      requestIds: [requestId],
      keys: [e.key],
      time: new Date(e.timeMs).toISOString(),
      recordedBy: [...e.nodes].sort((x, y) => x - y),
      fileCount: rpm.fileCount ?? rpm.files?.length ?? 0,
      ...(rpm.filesSummary && { listDigest: rpm.filesSummary.digest }),
      files: (rpm.files ?? []).map(fileEntry),
      // Records from before lists were bounded kept either the whole list or only the summary.
      truncated: rpm.filesTruncated === true || (rpm.files === undefined && (rpm.fileCount ?? 0) > 0),
      ...(rpm.fileDigestAlgorithm && { fileDigestAlgorithm: rpm.fileDigestAlgorithm }),
    });
  }
  return { builds: [...builds.values()], disagreements };
}

/** Compares `rebuilt` (its main header's package info) with every signed package of the same NEVRA in `logs`. */
export function compareRebuild(logs: readonly FetchedLog[], rebuilt: PackageInfo): RebuildReport {
  const nevra = nevraOf(rebuilt);
  const { builds, disagreements } = signedBuildsOf(logs, nevra);
  const rebuiltDigest = bytesToHex(sha256(canonicalFileList(rebuilt.files)));
  const rebuiltAlgo = pgpHashName(rebuilt.fileDigestAlgo);
  return {
    nevra,
    disagreements,
    builds: builds.map((signed) => {
      const algo = signed.fileDigestAlgorithm ?? 'md5';
      const listed = new Set(signed.files.map((f) => f.path));
      // A truncated record names only its listed files: an unlisted rebuilt file is not "added".
      const rebuiltFiles = signed.truncated ? rebuilt.files.filter((f) => listed.has(f.path)) : rebuilt.files;
      const cmp = compareFileLists({ fileDigestAlgo: ALGO_IDS[algo] ?? -1, files: signed.files }, { fileDigestAlgo: algo === rebuiltAlgo ? (ALGO_IDS[algo] ?? -1) : -2, files: rebuiltFiles });
      const differences = [...cmp.differences];
      const identical = signed.listDigest !== undefined ? signed.listDigest === rebuiltDigest : !signed.truncated && differences.length === 0 && !cmp.digestAlgorithmDiffers;
      return { signed, identical, differences, digestAlgorithmDiffers: cmp.digestAlgorithmDiffers, unlistedDiffer: !identical && signed.truncated && differences.length === 0 };
    }),
  };
}

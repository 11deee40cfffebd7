/**
 * The one way ceremony output reaches disk: all or nothing. Files are
 * written into a fresh temporary directory beside the target (same parent,
 * so the rename stays on one filesystem), each fsynced, the directories
 * fsynced, then renamed into place and the parent fsynced — after a crash
 * the output is either absent or complete. Existing output is never
 * overwritten; on any failure the temporary directory is removed.
 */
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { QsignError, errorMessage } from '@qsign/protocol';

/** Output files by path relative to the directory (subdirectories allowed); strings are written as UTF-8. */
export type DirContents = Record<string, Uint8Array | string>;

/** Writes `data` to a new file (mode 0600) and fsyncs it; `wx`: an existing file is an error. */
function writeSynced(path: string, data: Uint8Array | string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsyncs a directory, so the names in it (a new file, a rename) are durable. */
function fsyncDir(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A relative path that stays inside the output directory, or a refusal. */
function checkedName(name: string): string {
  const n = normalize(name);
  if (name === '' || isAbsolute(name) || n === '..' || n.startsWith(`..${sep}`) || n === '.') throw new QsignError('INTERNAL', `ceremony output name ${JSON.stringify(name)} is not a path inside the output directory`);
  return n;
}

const refuse = (path: string) => new QsignError('INVALID_ARGUMENT', `${path} already exists; refusing to overwrite it (give a new --out path)`);

/** Refuses (INVALID_ARGUMENT) if `path` exists: the early check before slow work; {@link writeFileAtomic} checks again as it links. */
export function assertAbsent(path: string): void {
  if (existsSync(path)) throw refuse(path);
}

/**
 * Writes `files` as the directory `outDir`, atomically (see the module
 * comment). `outDir` must be absent or an empty directory. Returns the
 * written paths, in the order given.
 *
 * @throws QsignError INVALID_ARGUMENT if `outDir` holds anything; the cause of a failed write otherwise (nothing is left behind).
 */
export function writeDirAtomic(outDir: string, files: DirContents): string[] {
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new QsignError('INVALID_ARGUMENT', `output directory ${outDir} is not empty; refusing to overwrite a ceremony`);
  const parent = dirname(outDir);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(join(parent, `.${basename(outDir)}.partial-`));
  try {
    const dirs = new Set<string>([tmp]);
    for (const [name, data] of Object.entries(files)) {
      const path = join(tmp, checkedName(name));
      for (let d = dirname(path); !dirs.has(d); d = dirname(d)) dirs.add(d);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeSynced(path, data);
    }
    for (const d of [...dirs].sort((a, b) => b.length - a.length)) fsyncDir(d);
    try {
      // Onto an absent or empty directory only: a directory that gained entries meanwhile fails ENOTEMPTY, a file ENOTDIR.
      renameSync(tmp, outDir);
    } catch (e) {
      throw new QsignError('INVALID_ARGUMENT', `cannot put ceremony output at ${outDir}: ${errorMessage(e)}`);
    }
    fsyncDir(parent);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return Object.keys(files).map((n) => join(outDir, checkedName(n)));
}

/**
 * Writes one output file (`ceremony recover`'s secret) the same way: a
 * temporary file in the same directory, fsynced, linked into place (which
 * fails if `path` exists, so nothing is overwritten even in a race), the
 * directory fsynced; the temporary name is removed in every case.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  assertAbsent(path);
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmpDir = mkdtempSync(join(dir, `.${basename(path)}.partial-`));
  const tmp = join(tmpDir, 'data');
  try {
    writeSynced(tmp, data);
    try {
      linkSync(tmp, path);
    } catch (e) {
      throw (e as NodeJS.ErrnoException).code === 'EEXIST' ? refuse(path) : e;
    }
    fsyncDir(dir);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

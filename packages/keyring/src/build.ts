/**
 * Builds a NAME-keyring RPM with rpmbuild from the spec @qsign/rpm's keyringSpec writes.
 * Not pure: writes a private rpmbuild tree and runs rpmbuild. Signing the result (with the
 * OLD key, which clients still trust) is the caller's next step.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { keyringSpec, type KeyringSpecOptions } from '@qsign/rpm';

const run = promisify(execFile);

/** Inputs of {@link buildKeyringRpm}. */
export interface BuildKeyringOptions extends Omit<KeyringSpecOptions, 'certificates'> {
  /** Certificate files: name under /etc/pki/rpm-gpg, the primary key ID (16 hex) of each certificate in it, armored text (one block per certificate). */
  readonly certificates: readonly { fileName: string; keyIds: readonly string[]; armored: string }[];
  /** An empty directory to build in (the rpmbuild _topdir goes below it). */
  readonly workDir: string;
  /** rpmbuild binary (default "rpmbuild" on PATH). */
  readonly rpmbuild?: string;
}

/** The error of a failed build, with rpmbuild's stderr tail. */
export class KeyringBuildError extends Error {
  override readonly name = 'KeyringBuildError';
  readonly code = 'RPMBUILD_FAILED' as const;
}

/**
 * Writes the spec and certificates under `workDir` and runs `rpmbuild -bb`.
 *
 * @returns the built package's path and bytes.
 * @throws RpmError INVALID_ARGUMENT (from the spec builder), KeyringBuildError RPMBUILD_FAILED.
 */
export async function buildKeyringRpm(opts: BuildKeyringOptions): Promise<{ path: string; bytes: Uint8Array }> {
  for (const c of opts.certificates) {
    if (!c.armored.startsWith('-----BEGIN PGP PUBLIC KEY BLOCK-----')) throw new KeyringBuildError(`certificate ${c.fileName} is not an armored public key block`);
  }
  const spec = keyringSpec({ ...opts, certificates: opts.certificates.map(({ fileName, keyIds }) => ({ fileName, keyIds })) });
  const top = join(opts.workDir, 'rpmbuild');
  const sources = join(top, 'SOURCES');
  mkdirSync(sources, { recursive: true });
  for (const c of opts.certificates) writeFileSync(join(sources, c.fileName), c.armored);
  const specPath = join(opts.workDir, `${opts.name}-keyring.spec`);
  writeFileSync(specPath, spec);
  try {
    await run(opts.rpmbuild ?? 'rpmbuild', ['-bb', '--define', `_topdir ${top}`, specPath], { timeout: 300_000 });
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? (e as Error).message);
    throw new KeyringBuildError(`rpmbuild failed: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  const dir = join(top, 'RPMS', 'noarch');
  const file = readdirSync(dir).find((f) => f.startsWith(`${opts.name}-keyring-`) && f.endsWith('.rpm'));
  if (file === undefined) throw new KeyringBuildError(`rpmbuild produced no ${opts.name}-keyring package in ${dir}`);
  const path = join(dir, file);
  return { path, bytes: new Uint8Array(readFileSync(path)) };
}

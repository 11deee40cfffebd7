/**
 * The spec file of a NAME-keyring package that installs OpenPGP certificates under
 * /etc/pki/rpm-gpg and makes rpm trust them — also where rpm < 6 keeps an older copy of
 * the same primary key (rpm 4.18 lib/rpmts.c rpmtsImportPubkey: a key whose ID is already
 * in the keyring is not stored again, so new subkeys and revocations never arrive).
 *
 * A file may hold several certificates (old and new key after a rotation): dnf's repository
 * `gpgkey=` names one file, and dnf imports from it whichever key a package needs.
 *
 * The refresh cannot run inside the transaction: rpm holds the database write lock from
 * rpmtxnBegin to rpmtxnEnd around every scriptlet including %posttrans (4.18
 * lib/transaction.c rpmtsRun), so an `rpm -e`/`rpmkeys --import` in a scriptlet would
 * wait for that lock forever. The %posttrans script therefore starts a detached job that
 * blocks on the lock (rpm waits with F_SETLKW, lib/rpmlock.c) and runs right after the
 * transaction: per file it saves the stored copies, erases gpg-pubkey-SHORTID and
 * imports the new file, re-importing the saved copy if the import fails (fail safe).
 * Pure: returns text; the caller runs rpmbuild.
 */
import { check } from './errors.js';

/** One certificate file the package ships (one or more certificates, armored, one after another). */
export interface KeyringCertificate {
  /** File name under /etc/pki/rpm-gpg, e.g. "RPM-GPG-KEY-copr-foo". */
  readonly fileName: string;
  /** The primary key ID (16 hex digits) of each certificate in the file; rpm names a stored key gpg-pubkey-<last 8>. */
  readonly keyIds: readonly string[];
}

/** Inputs of {@link keyringSpec}. */
export interface KeyringSpecOptions {
  /** Base name; the package is `${name}-keyring`. */
  readonly name: string;
  readonly version: string;
  readonly release: string;
  /** Certificates, each also given to rpmbuild as Source0, Source1, … in this order. */
  readonly certificates: readonly KeyringCertificate[];
  /** Summary line (default "OpenPGP keys of NAME"). */
  readonly summary?: string;
  /** License tag (default "MIT"). */
  readonly license?: string;
}

/** Directory rpm-based distributions keep repository keys in. */
export const RPM_GPG_DIR = '/etc/pki/rpm-gpg';

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;
const VERSION = /^[A-Za-z0-9._+~^]{1,64}$/;

/**
 * The refresh job (POSIX sh). Per file: save the stored copies of its keys, erase them, import
 * the file, and re-import the saved copies if that import fails (fail safe, never trust nothing).
 */
function refreshScript(certs: readonly KeyringCertificate[]): string[] {
  const entries = certs.map((c) => `${c.keyIds.map((k) => k.slice(-8).toLowerCase()).join(',')}:${RPM_GPG_DIR}/${c.fileName}`).join(' ');
  return [
    'command -v rpmkeys >/dev/null 2>&1 || exit 0',
    '(',
    '  exec </dev/null >/dev/null 2>&1',
    `  for entry in ${entries}; do`,
    '    ids=${entry%%:*}; file=${entry#*:}',
    '    saved=$(mktemp) || continue',
    '    IFS=,',
    '    for id in $ids; do',
    "      copy=$(rpm -q gpg-pubkey-$id --qf '%{DESCRIPTION}\\n') && printf '%s\\n' \"$copy\" >> \"$saved\"",
    '      rpm -e --allmatches gpg-pubkey-$id || :',
    '    done',
    '    unset IFS',
    '    rpmkeys --import "$file" || { [ -s "$saved" ] && rpmkeys --import "$saved"; }',
    '    rm -f "$saved"',
    '  done',
    ') &',
    'exit 0',
  ];
}

/**
 * The %posttrans body: Lua, run inside rpm (no /bin/sh needed, so the package also installs
 * into a minimal root such as a fresh `dnf --installroot`); where the root has /bin/sh it
 * starts {@link refreshScript} (rpm.execute since rpm 4.15, fork/exec before).
 */
function posttrans(certs: readonly KeyringCertificate[]): string[] {
  return [
    '-- qsign keyring refresh: rpm < 6 keeps an already imported certificate, so the stored',
    '-- copy is replaced after this transaction (rpm holds its database lock until then).',
    'local script = [==[',
    ...refreshScript(certs),
    ']==]',
    "if posix.access('/bin/sh', 'x') then",
    '  if rpm.execute then',
    "    rpm.execute('/bin/sh', '-c', script)",
    '  else',
    '    local pid = posix.fork()',
    "    if pid == 0 then posix.exec('/bin/sh', '-c', script) elseif pid and pid > 0 then posix.wait(pid) end",
    '  end',
    'end',
  ].map((l) => l.replace(/%/g, '%%'));
}

/**
 * The spec text of `${name}-keyring` (noarch): installs every certificate 0644 under
 * {@link RPM_GPG_DIR} and refreshes rpm's stored copies in %posttrans (see the module
 * comment for why it is detached; the scriptlet is Lua so the package needs no /bin/sh). Refuses names and IDs a shell or spec could misread.
 *
 * @throws RpmError INVALID_ARGUMENT
 * @example writeFileSync('k.spec', keyringSpec({ name: 'copr-foo', version: '2', release: '1', certificates: [{ fileName: 'RPM-GPG-KEY-copr-foo', keyId }] }))
 */
export function keyringSpec(opts: KeyringSpecOptions): string {
  check(SAFE.test(opts.name), 'INVALID_ARGUMENT', `keyring name "${opts.name}" must be letters, digits, . _ + - (at most 128)`);
  check(VERSION.test(opts.version) && VERSION.test(opts.release), 'INVALID_ARGUMENT', 'version and release must be 1..64 of letters, digits, . _ + ~ ^');
  check(Array.isArray(opts.certificates) && opts.certificates.length > 0 && opts.certificates.length <= 64, 'INVALID_ARGUMENT', 'a keyring package ships 1..64 certificates');
  const names = new Set<string>();
  for (const c of opts.certificates) {
    check(SAFE.test(c.fileName), 'INVALID_ARGUMENT', `certificate file name "${c.fileName}" must be letters, digits, . _ + -`);
    check(Array.isArray(c.keyIds) && c.keyIds.length > 0 && c.keyIds.length <= 16, 'INVALID_ARGUMENT', `certificate file ${c.fileName} must name 1..16 key IDs`);
    for (const k of c.keyIds) check(typeof k === 'string' && /^[0-9A-Fa-f]{16}$/.test(k), 'INVALID_ARGUMENT', `key ID "${String(k)}" must be 16 hex digits`);
    check(!names.has(c.fileName), 'INVALID_ARGUMENT', `certificate file ${c.fileName} listed twice`);
    names.add(c.fileName);
  }
  const summary = (opts.summary ?? `OpenPGP keys of ${opts.name}`).replace(/[\r\n%]/g, ' ');
  const certs = opts.certificates;
  return [
    `Name: ${opts.name}-keyring`,
    `Version: ${opts.version}`,
    `Release: ${opts.release}`,
    `Summary: ${summary}`,
    `License: ${(opts.license ?? 'MIT').replace(/[\r\n%]/g, ' ')}`,
    'BuildArch: noarch',
    ...certs.map((c, i) => `Source${i}: ${c.fileName}`),
    '',
    '%description',
    `The OpenPGP certificates that sign ${opts.name} packages, installed in ${RPM_GPG_DIR}`,
    'and imported into rpm after each install or update, replacing older stored copies.',
    '',
    '%install',
    ...certs.map((c, i) => `install -D -m 0644 %{SOURCE${i}} %{buildroot}${RPM_GPG_DIR}/${c.fileName}`),
    '',
    '%posttrans -p <lua>',
    ...posttrans(certs),
    '',
    '%files',
    ...certs.map((c) => `${RPM_GPG_DIR}/${c.fileName}`),
    '',
  ].join('\n');
}

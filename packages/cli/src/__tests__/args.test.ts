/** Argument handling of the gpg-compatible `qsign sign` and the obs-sign `sign` client. */
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { register } from '../commands/sign.js';
import { parseObsSignArgs, UsageError } from '../obs-sign.js';

function parseSign(argv: string[]): { file: string | undefined; opts: Record<string, unknown> } {
  const program = new Command().exitOverride();
  let got: { file: string | undefined; opts: Record<string, unknown> } | undefined;
  register(program);
  const sign = program.commands.find((c) => c.name() === 'sign')!;
  sign.action((file: string | undefined, opts: Record<string, unknown>) => {
    got = { file, opts };
  });
  program.parse(['node', 'qsign', 'sign', ...argv]);
  return got!;
}

describe('qsign sign takes what rpmsign passes', () => {
  it("rpm 4.18's default %__gpg_sign_cmd arguments", () => {
    const { file, opts } = parseSign(['--no-verbose', '--no-armor', '--no-secmem-warning', '--digest-algo=sha256', '-u', 'a#b@copr.fedorahosted.org', '-sbo', '/tmp/x.sig', '--', '-']);
    expect(file).toBe('-');
    expect(opts).toMatchObject({ localUser: 'a#b@copr.fedorahosted.org', sign: true, detachSign: true, output: '/tmp/x.sig', armor: false, digestAlgo: 'sha256' });
  });
  it('gpg options with values are accepted and ignored', () => {
    const { opts } = parseSign(['--batch', '--pinentry-mode', 'loopback', '--passphrase-fd', '3', '--key', 'k', '-b', '-a', 'f']);
    expect(opts).toMatchObject({ key: 'k', detachSign: true, armor: true });
  });
  it('--digest-algo refuses unknown hashes', () => {
    expect(() => parseSign(['--key', 'k', '-b', '--digest-algo', 'MD5', 'f'])).toThrow(/SHA1, SHA256 or SHA512/);
  });
});

describe('sign (obs-sign) arguments', () => {
  it('the calls Copr makes', () => {
    expect(parseObsSignArgs(['-u', 'e@x', '-p'])).toMatchObject({ mode: 'pubkey', user: 'e@x', files: [] });
    expect(parseObsSignArgs(['-4', '-h', 'sha256', '-u', 'e@x', '-r', 'f.rpm'])).toMatchObject({ mode: 'rpm', hash: 'sha256', user: 'e@x', files: ['f.rpm'] });
  });
  it('-d, -D, -c, -k, -t, -T, hashes in any case, -- ends options', () => {
    expect(parseObsSignArgs(['-d', 'f'])).toMatchObject({ mode: 'detached', files: ['f'] });
    expect(parseObsSignArgs(['-D', '-h', 'SHA1', 'f'])).toMatchObject({ mode: 'rawdetached', hash: 'sha1' });
    expect(parseObsSignArgs(['-c', '-h', 'sha512', '--', '-weird'])).toMatchObject({ mode: 'clearsign', hash: 'sha512', files: ['-weird'] });
    expect(parseObsSignArgs(['-T', 'buildtime', '-r', 'f.rpm'])).toMatchObject({ time: 'buildtime' });
    expect(parseObsSignArgs(['-t'])).toMatchObject({ mode: 'ping' });
    expect(parseObsSignArgs(['--help'])).toBe('help');
  });
  it('refuses unknown hashes, bad times and unsupported modes with clear messages', () => {
    expect(() => parseObsSignArgs(['-h', 'md5'])).toThrow(/unknown hash algorithm 'md5'/);
    expect(() => parseObsSignArgs(['-T', 'soon'])).toThrow(/illegal time argument/);
    expect(() => parseObsSignArgs(['-g', 'rsa@2048'])).toThrow(/not supported/);
    expect(() => parseObsSignArgs(['-Z'])).toThrow(UsageError);
    expect(() => parseObsSignArgs(['-u'])).toThrow(/needs a value/);
  });
});

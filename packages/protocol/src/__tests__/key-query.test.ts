import { describe, expect, it } from 'vitest';
import { QsignError } from '../errors.js';
import { describeKeyQuery, parseKeyQuery, resolveKeyQuery, userIdEmail, type KeyCandidate } from '../key-query.js';

const DEMO: KeyCandidate = { name: 'demo', fingerprint: '0123456789abcdef0123456789abcdef01234567', userIds: ['Demo <demo@qsign.invalid>'] };
const RSA: KeyCandidate = { name: 'copr-rsa', fingerprint: 'fedcba9876543210fedcba9876543210fedcba98', userIds: ['Copr RSA <rsa@copr.invalid>', 'Old name <old@copr.invalid>'] };
const BARE: KeyCandidate = { name: 'user#proj@copr.invalid', fingerprint: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', userIds: ['user#proj@copr.invalid'] };
const KEYS = [DEMO, RSA, BARE];

describe('-u/--key resolution', () => {
  it('takes an exact key name as it is', () => {
    expect(resolveKeyQuery('demo', KEYS)).toBe('demo');
    expect(resolveKeyQuery('user#proj@copr.invalid', KEYS)).toBe('user#proj@copr.invalid');
  });

  it('finds a key by the e-mail of any of its user IDs, in any case, with or without angle brackets, or by the whole user ID', () => {
    expect(resolveKeyQuery('demo@qsign.invalid', KEYS)).toBe('demo');
    expect(resolveKeyQuery('DEMO@QSign.invalid', KEYS)).toBe('demo');
    expect(resolveKeyQuery('<rsa@copr.invalid>', KEYS)).toBe('copr-rsa');
    expect(resolveKeyQuery('old@copr.invalid', KEYS)).toBe('copr-rsa');
    expect(resolveKeyQuery('Copr RSA <rsa@copr.invalid>', KEYS)).toBe('copr-rsa');
  });

  it('finds a key by its 16-hex key ID, with or without 0x, in any case', () => {
    expect(resolveKeyQuery('89ABCDEF01234567', KEYS)).toBe('demo');
    expect(resolveKeyQuery('0x76543210FEDCBA98', KEYS)).toBe('copr-rsa');
    expect(resolveKeyQuery('76543210fedcba98', KEYS)).toBe('copr-rsa');
  });

  it('finds a key by its 40-hex fingerprint in any case, with spaces as gpg prints it', () => {
    expect(resolveKeyQuery('FEDC BA98 7654 3210 FEDC  BA98 7654 3210 FEDC BA98', KEYS)).toBe('copr-rsa');
    expect(resolveKeyQuery('0123456789ABCDEF0123456789ABCDEF01234567', KEYS)).toBe('demo');
    expect(resolveKeyQuery('0x0123456789abcdef0123456789abcdef01234567', KEYS)).toBe('demo');
  });

  it('does not match a key by a key ID that is not its fingerprint\'s low 64 bits, nor by part of an e-mail', () => {
    expect(resolveKeyQuery('0123456789abcdef', KEYS)).toBeUndefined(); // the fingerprint's first 64 bits
    expect(resolveKeyQuery('emo@qsign.invalid', KEYS)).toBeUndefined();
    expect(resolveKeyQuery('Demo', KEYS)).toBeUndefined();
  });

  it('refuses an ambiguous query, listing every key it matches', () => {
    const twin: KeyCandidate = { name: 'demo-2', fingerprint: '1111111111111111111111111111111111111111', userIds: ['Demo again <demo@qsign.invalid>'] };
    let err: unknown;
    try {
      resolveKeyQuery('demo@qsign.invalid', [...KEYS, twin]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QsignError);
    expect((err as QsignError).code).toBe('INVALID_ARGUMENT');
    expect((err as Error).message).toMatch(/ambiguous: it matches 2 keys/);
    expect((err as Error).message).toContain('demo: 0123456789ABCDEF0123456789ABCDEF01234567 Demo <demo@qsign.invalid>');
    expect((err as Error).message).toContain('demo-2: 1111111111111111111111111111111111111111');
    // The exact name still wins over a user ID match.
    expect(resolveKeyQuery('demo', [...KEYS, twin])).toBe('demo');
  });

  it('says what an unknown query was looked for as', () => {
    expect(describeKeyQuery(parseKeyQuery('FEDC BA98 7654 3210 FEDC  BA98 7654 3210 FEDC BA98'))).toBe('fingerprint FEDCBA9876543210FEDCBA9876543210FEDCBA98');
    expect(describeKeyQuery(parseKeyQuery('0xdeadbeefdeadbeef'))).toBe('key ID DEADBEEFDEADBEEF');
    expect(describeKeyQuery(parseKeyQuery('nobody@x.invalid'))).toBe('name, user ID or e-mail "nobody@x.invalid"');
  });

  it('reads the e-mail of a user ID', () => {
    expect(userIdEmail('A B <A@B.example>')).toBe('a@b.example');
    expect(userIdEmail('a@b.example')).toBe('a@b.example');
    expect(userIdEmail('no address')).toBeUndefined();
  });
});

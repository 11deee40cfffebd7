/**
 * The receiver's checks of a dealt RSA share (keys-rsa.ts): a peer keeps a share from the
 * dealer only if it is for this keygen (key, user ID, creation time, threshold, its own
 * node, the modulus size asked for), carries Shoup verification keys and matches its own.
 */
import { describe, expect, it } from 'vitest';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { dealShares } from '@qsign/threshold-rsa';
import { encodeShareFile, isQsignError, rsaShareFiles, type ShareFile } from '@qsign/protocol';
import { vector } from '../../../threshold-rsa/src/__tests__/helpers.js';
import { receivedRsaShare, rsaKeyTypeOf, rsaParamsProblem, type RsaKeygenParams } from '../keys-rsa.js';

const params: RsaKeygenParams = { keyName: 'k@example.org', userId: 'K <k@example.org>', minSigners: 3, participants: [1, 2, 3, 4, 5], createdUnixSeconds: 1_700_000_000, keyType: 'rsa2048', dealer: 1 };
const safeKey = vector('safe-prime-2048-sha256').key;
const importedKey = vector('imported-2048-sha256').key;
const files = (key = safeKey, over: Partial<RsaKeygenParams> = {}): ShareFile[] => {
  const p = { ...params, ...over };
  return rsaShareFiles(dealShares({ ...key }, { parties: p.participants.length, threshold: p.minSigners }), p);
};
const plain = (f: ShareFile) => utf8ToBytes(encodeShareFile(f));
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(isQsignError(e, 'INVALID_ARGUMENT')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('RSA keygen receiver checks', () => {
  const good = files();

  it('keeps a share dealt for this keygen and this node', () => {
    const f = receivedRsaShare(params, plain(good[2]!), 3);
    expect([f.identifier, f.keyName, f.scheme]).toEqual([3, params.keyName, 'rsa-shoup']);
  });

  it('refuses a share for another node, key, user ID, creation time or threshold, naming the dealer', () => {
    expect(refusal(() => receivedRsaShare(params, plain(good[2]!), 4))).toBe('share from dealer node 1: is for node 3, this is node 4');
    expect(refusal(() => receivedRsaShare({ ...params, keyName: 'other@example.org' }, plain(good[2]!), 3))).toMatch(/^share from dealer node 1: names another key, user ID or creation time/);
    expect(refusal(() => receivedRsaShare({ ...params, userId: 'X <k@example.org>' }, plain(good[2]!), 3))).toMatch(/names another key, user ID or creation time/);
    expect(refusal(() => receivedRsaShare({ ...params, createdUnixSeconds: 1 }, plain(good[2]!), 3))).toMatch(/names another key, user ID or creation time/);
    expect(refusal(() => receivedRsaShare({ ...params, minSigners: 4 }, plain(good[2]!), 3))).toBe('share from dealer node 1: is 3-of-5, the keygen is 4-of-5');
  });

  it('refuses a share of another modulus size, one without verification keys, a tampered share and garbage', () => {
    expect(refusal(() => receivedRsaShare({ ...params, keyType: 'rsa4096' }, plain(good[2]!), 3))).toBe('share from dealer node 1: is for a 2048-bit modulus, the keygen asked for rsa4096');
    expect(refusal(() => receivedRsaShare(params, plain(files(importedKey)[2]!), 3))).toMatch(/carries no Shoup verification keys/);
    const tampered = { ...good[2]!, share: Uint8Array.from(good[2]!.share) };
    tampered.share[100]! ^= 1;
    expect(refusal(() => receivedRsaShare(params, plain(tampered), 3))).toMatch(/does not match its verification key/);
    expect(refusal(() => receivedRsaShare(params, utf8ToBytes('{"not":"a share"}'), 3))).toMatch(/^share from dealer node 1: /);
    expect(refusal(() => receivedRsaShare(params, Uint8Array.of(0xff, 0xfe), 3))).toMatch(/^share from dealer node 1: /);
  });

  it('RSA parameters: the dealer must take part, node ids must be 1..N, key types are checked', () => {
    expect(rsaParamsProblem(params)).toBeUndefined();
    expect(rsaParamsProblem({ ...params, dealer: 6 })).toBe('the RSA dealer node 6 is not a participant (1, 2, 3, 4, 5)');
    expect(rsaParamsProblem({ ...params, participants: [1, 2, 4] })).toMatch(/an RSA key needs node ids 1\.\.3 \(Shoup's share indices\); participants are 1, 2, 4/);
    expect([rsaKeyTypeOf({ keyType: '' }), rsaKeyTypeOf({ keyType: 'ed25519' }), rsaKeyTypeOf({ keyType: 'rsa3072' })]).toEqual([undefined, undefined, 'rsa3072']);
    expect(refusal(() => rsaKeyTypeOf({ keyType: 'rsa8192' }))).toBe('unknown key type "rsa8192" (ed25519, rsa2048, rsa3072 or rsa4096)');
  });
});

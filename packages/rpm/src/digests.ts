/**
 * Recomputes the digests an RPM carries about itself, as rpmsign's checkPkg()
 * requires before signing ("not signing corrupt package"): signature-header
 * SHA256 273 / SHA1 269 over the main header, MD5 1004 and SIZE 1000 /
 * LONGSIZE 270 over header + payload, and the main header's PAYLOADDIGEST
 * 5092 over the compressed payload with PAYLOADDIGESTALGO 5093.
 */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { RpmError } from './errors.js';
import { bytesEqual } from './bytes.js';
import type { RpmFile } from './package.js';
import { RpmSigTag, RpmTag } from './tags.js';

/** Which digests {@link verifyDigests} compared (all of them matched). */
export interface DigestReport {
  /** Names of the checks that ran, e.g. `['SHA256', 'SHA1', 'SIZE', 'PAYLOADDIGEST']`. */
  readonly checked: readonly string[];
}

const PAYLOAD_HASHES: Record<number, (b: Uint8Array) => Uint8Array> = { 8: sha256, 9: sha384, 10: sha512 };

/**
 * Verifies every digest and size present in `rpm` against its bytes.
 * `bytes` must be the file `rpm` was read from.
 *
 * @throws RpmError DIGEST_MISMATCH naming the first digest that differs;
 *   UNSUPPORTED_PACKAGE if a payload digest uses an algorithm other than SHA-256/384/512.
 * @example
 * verifyDigests(bytes, readRpm(bytes)).checked // ['SHA256', 'SHA1', 'LONGSIZE', 'PAYLOADDIGEST']
 */
export function verifyDigests(bytes: Uint8Array, rpm: RpmFile): DigestReport {
  const sig = rpm.signatureHeader;
  const h = rpm.header;
  const headerAndPayload = bytes.subarray(rpm.mainHeaderOffset);
  const payload = bytes.subarray(rpm.payloadOffset);
  const checked: string[] = [];
  const expect = (name: string, ok: boolean) => {
    if (!ok) throw new RpmError('DIGEST_MISMATCH', `${name} in the package does not match its contents`);
    checked.push(name);
  };
  if (sig.has(RpmSigTag.SHA256)) expect('SHA256', sig.string(RpmSigTag.SHA256) === bytesToHex(sha256(rpm.mainHeader)));
  if (sig.has(RpmSigTag.SHA1)) expect('SHA1', sig.string(RpmSigTag.SHA1) === bytesToHex(sha1(rpm.mainHeader)));
  if (sig.has(RpmSigTag.MD5)) expect('MD5', bytesEqual(sig.bin(RpmSigTag.MD5), md5(headerAndPayload)));
  if (sig.has(RpmSigTag.SIZE)) expect('SIZE', sig.int32(RpmSigTag.SIZE)[0] === headerAndPayload.length);
  if (sig.has(RpmSigTag.LONGSIZE)) expect('LONGSIZE', sig.int64(RpmSigTag.LONGSIZE)[0] === BigInt(headerAndPayload.length));
  if (h.has(RpmTag.PAYLOADDIGEST)) {
    const algo = h.has(RpmTag.PAYLOADDIGESTALGO) ? h.int32(RpmTag.PAYLOADDIGESTALGO)[0]! : 8;
    const hash = PAYLOAD_HASHES[algo];
    if (hash === undefined) throw new RpmError('UNSUPPORTED_PACKAGE', `payload digest algorithm ${algo} is not supported`);
    expect('PAYLOADDIGEST', h.stringArray(RpmTag.PAYLOADDIGEST)[0] === bytesToHex(hash(payload)));
  }
  return { checked };
}

/**
 * Just enough OpenPGP (RFC 4880) to check a detached signature packet before
 * it goes into an RPM signature header, as rpmsign's makeSigTag() does
 * (sign/rpmgensig.c): one Signature packet (tag 2), version 3 or 4, a hash
 * algorithm rpm knows, and a public-key algorithm that fits the RPM tag.
 */
import { RpmError } from './errors.js';
import { u16, u32 } from './bytes.js';

/** Public-key algorithm ids (RFC 4880 §9.1; 22 = EdDSALegacy per RFC 9580 §9.1). */
export const PgpPubkeyAlgo = { RSA: 1, DSA: 17, ECDSA: 19, EDDSA: 22 } as const;

/** Hash ids rpm 4.18 can digest (RFC 4880 §9.4): SHA-1, SHA-256, SHA-384, SHA-512, SHA-224. */
const KNOWN_HASHES: readonly number[] = [2, 8, 9, 10, 11];

/** Largest packet accepted (RSA-16384 signatures are ~2.1 KiB). */
export const MAX_SIGNATURE_PACKET = 64 * 1024;

/** What {@link inspectSignaturePacket} found. */
export interface SignaturePacketInfo {
  /** Signature packet version (3 or 4). */
  readonly version: number;
  /** Signature type (RFC 4880 §5.2.1); 0x00 = binary document. */
  readonly signatureType: number;
  /** Public-key algorithm id. */
  readonly pubkeyAlgo: number;
  /** Hash algorithm id. */
  readonly hashAlgo: number;
}

/**
 * Checks that `packet` is exactly one OpenPGP v3/v4 binary-document Signature
 * packet (RFC 4880 §4.2 framing, §5.2.2/§5.2.3 body) with a hash rpm knows
 * and well-formed minimal MPIs, and returns its algorithms.
 *
 * @throws RpmError BAD_SIGNATURE_PACKET
 * @example
 * inspectSignaturePacket(fs.readFileSync('hdr.sig')).pubkeyAlgo // 22
 */
export function inspectSignaturePacket(packet: Uint8Array): SignaturePacketInfo {
  const fail = (why: string): never => {
    throw new RpmError('BAD_SIGNATURE_PACKET', `signature packet: ${why}`);
  };
  if (!(packet instanceof Uint8Array)) fail('must be a Uint8Array');
  if (packet.length < 2) fail('too short');
  if (packet.length > MAX_SIGNATURE_PACKET) fail(`larger than ${MAX_SIGNATURE_PACKET} bytes`);
  const h = packet[0]!;
  if ((h & 0x80) === 0) fail('first octet lacks bit 7 (not an OpenPGP packet, or ASCII armored)');
  let tag: number;
  let len: number;
  let at: number;
  if (h & 0x40) {
    tag = h & 0x3f;
    const o1 = packet[1]!;
    if (o1 < 192) [len, at] = [o1, 2];
    else if (o1 < 224) {
      if (packet.length < 3) fail('truncated length');
      [len, at] = [((o1 - 192) << 8) + packet[2]! + 192, 3];
    } else if (o1 === 255) {
      if (packet.length < 6) fail('truncated length');
      [len, at] = [u32(packet, 2), 6];
    } else return fail('partial body lengths are not allowed');
  } else {
    tag = (h >> 2) & 0x0f;
    const lt = h & 3;
    if (lt === 3) fail('indeterminate length is not allowed');
    const n = 1 << lt;
    if (packet.length < 1 + n) fail('truncated length');
    len = n === 1 ? packet[1]! : n === 2 ? u16(packet, 1) : u32(packet, 1);
    at = 1 + n;
  }
  if (tag !== 2) fail(`packet tag is ${tag}, expected 2 (Signature)`);
  if (at + len !== packet.length) fail(`body is ${len} bytes but ${packet.length - at} follow the header (exactly one packet expected)`);
  const body = packet.subarray(at);
  const need = (n: number) => {
    if (body.length < n) fail('body truncated');
  };
  need(1);
  const version = body[0]!;
  let signatureType: number, pubkeyAlgo: number, hashAlgo: number, mpiStart: number;
  if (version === 4) {
    need(6);
    [signatureType, pubkeyAlgo, hashAlgo] = [body[1]!, body[2]!, body[3]!];
    const hashed = u16(body, 4);
    need(6 + hashed + 2);
    const unhashed = u16(body, 6 + hashed);
    mpiStart = 6 + hashed + 2 + unhashed + 2;
    need(mpiStart);
  } else if (version === 3) {
    need(19);
    if (body[1] !== 5) fail('v3 hashed material length must be 5');
    [signatureType, pubkeyAlgo, hashAlgo] = [body[2]!, body[15]!, body[16]!];
    mpiStart = 19;
  } else return fail(`version ${version} is not supported by rpm 4.18 (3 or 4 expected)`);
  if (signatureType !== 0x00) fail(`signature type 0x${signatureType.toString(16)}, expected 0x00 (binary document)`);
  if (!KNOWN_HASHES.includes(hashAlgo)) fail(`hash algorithm ${hashAlgo} is not supported by rpm`);
  const mpis = pubkeyAlgo === PgpPubkeyAlgo.RSA ? 1 : [17, 19, 22].includes(pubkeyAlgo) ? 2 : fail(`public-key algorithm ${pubkeyAlgo} is not supported by rpm`);
  let p = mpiStart;
  for (let i = 0; i < mpis; i++) {
    if (body.length < p + 2) fail(`MPI ${i} truncated`);
    const bits = u16(body, p);
    const bytes = (bits + 7) >> 3;
    if (bits === 0 || body.length < p + 2 + bytes) fail(`MPI ${i} empty or truncated`);
    const top = body[p + 2]!;
    if (32 - Math.clz32(top) !== ((bits - 1) % 8) + 1) fail(`MPI ${i} bit count ${bits} is not minimal`);
    p += 2 + bytes;
  }
  if (p !== body.length) fail(`${body.length - p} stray bytes after the MPIs`);
  return { version, signatureType, pubkeyAlgo, hashAlgo };
}

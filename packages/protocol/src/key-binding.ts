/**
 * 'key-binding' requests: the signatures a windowed key (docs/windows.md) needs from the
 * cluster besides document signatures, each derived by every node from the request as
 * for documents (RFC 9591 §7.7: check what you sign). `openpgp.signatureType` selects:
 * - 0x13 certification-only self-certification of the key's own user ID (flags 0x11);
 *   data: the user ID;
 * - 0x19 primary key binding back-signature by a subkey (RFC 9580 §5.2.3.34);
 *   data: the primary's v4 public-key packet body;
 * - 0x18 subkey binding by the primary with key flags 0x12, expiry and the embedded
 *   back-signature, which must verify under the subkey; data: {@link encodeSubkeyBinding};
 * - 0x28 subkey revocation by the primary (RFC 9580 §5.2.3.31); data: {@link encodeSubkeyRevocation};
 * - 0x10 certification of a successor key's user ID (key rotation, docs/rotation.md; RFC 9580
 *   §5.2.1.1); data: {@link encodeSuccessorCertification}.
 * Pure: whether the subkey belongs to the key's windows, or the certified key is the key's
 * successor, is the node's check (window-keys.ts, rotation-keys.ts).
 */
import {
  CERTIFY_ONLY_PREFERENCES,
  prepareBackSignature,
  prepareCertification,
  prepareSubkeyBinding,
  prepareSubkeyRevocation,
  publicKeyPacketBody,
  SignatureType,
  type PreparedSignature,
  type RevocationReasonCode,
} from '@qsign/openpgp';
import { QsignError, errorMessage } from './errors.js';
import type { KeyContext } from './message.js';
import { keyFingerprint } from './message.js';
import type { SignRequest } from './request.js';

/** What a 0x18 or 0x28 request names: the subkey and its expiry or revocation reason. */
export interface KeyBindingData {
  subkeyBody: Uint8Array;
  /** 0x18: absolute expiry (0: never); 0x28: unused. */
  expiresUnixSeconds: number;
  /** 0x18: the back-signature packet; 0x28: the UTF-8 description. */
  rest: Uint8Array;
  /** 0x28: the reason code. */
  reason: number;
}

function bad(why: string): never {
  throw new QsignError('MALFORMED_REQUEST', `malformed key-binding request: ${why}`);
}

function frame(head: Uint8Array, subkeyBody: Uint8Array, rest: Uint8Array): Uint8Array {
  if (subkeyBody.length > 0xffff) bad('subkey body too long');
  const out = new Uint8Array(head.length + 2 + subkeyBody.length + rest.length);
  out.set(head, 0);
  out[head.length] = subkeyBody.length >>> 8;
  out[head.length + 1] = subkeyBody.length & 0xff;
  out.set(subkeyBody, head.length + 2);
  out.set(rest, head.length + 2 + subkeyBody.length);
  return out;
}

/** The data of a 0x18 request: u32 expiry (0: never) ‖ u16 length ‖ subkey body ‖ back-signature packet. */
export function encodeSubkeyBinding(subkeyBody: Uint8Array, expiresUnixSeconds: number | undefined, backSignature: Uint8Array): Uint8Array {
  const e = expiresUnixSeconds ?? 0;
  return frame(Uint8Array.of(e >>> 24, (e >>> 16) & 0xff, (e >>> 8) & 0xff, e & 0xff), subkeyBody, backSignature);
}

/** The data of a 0x28 request: u8 reason ‖ u16 length ‖ subkey body ‖ UTF-8 description. */
export function encodeSubkeyRevocation(subkeyBody: Uint8Array, reason: RevocationReasonCode, description = ''): Uint8Array {
  return frame(Uint8Array.of(reason), subkeyBody, new TextEncoder().encode(description));
}

/** The data of a 0x10 request: u16 length ‖ the successor's public-key packet body ‖ its UTF-8 user ID. */
export function encodeSuccessorCertification(successorBody: Uint8Array, userId: string): Uint8Array {
  return frame(new Uint8Array(0), successorBody, new TextEncoder().encode(userId));
}

/** Decodes the data of a 0x10 request (MALFORMED_REQUEST if it does not frame or the user ID is not UTF-8). */
export function decodeSuccessorCertification(data: Uint8Array): { successorBody: Uint8Array; userId: string } {
  if (data.length < 2) bad('data too short');
  const len = (data[0]! << 8) | data[1]!;
  if (len === 0 || data.length <= 2 + len) bad('successor key body or user ID missing');
  try {
    return { successorBody: data.slice(2, 2 + len), userId: new TextDecoder('utf-8', { fatal: true }).decode(data.slice(2 + len)) };
  } catch {
    return bad('the user ID is not UTF-8');
  }
}

/** Decodes the data of a 0x18 or 0x28 request (MALFORMED_REQUEST if it does not frame). */
export function decodeKeyBinding(signatureType: number, data: Uint8Array): KeyBindingData {
  const head = signatureType === SignatureType.SubkeyBinding ? 4 : 1;
  if (data.length < head + 2) bad('data too short');
  const len = (data[head]! << 8) | data[head + 1]!;
  if (data.length < head + 2 + len) bad('subkey body truncated');
  const subkeyBody = data.slice(head + 2, head + 2 + len);
  const rest = data.slice(head + 2 + len);
  if (head === 4) return { subkeyBody, expiresUnixSeconds: ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0, rest, reason: 0 };
  return { subkeyBody, expiresUnixSeconds: 0, rest, reason: data[0]! };
}

/** The prepared signature of a 'key-binding' request made with `key` (see the module comment). */
export function preparedKeyBinding(req: SignRequest, key: KeyContext): PreparedSignature {
  const p = req.openpgp;
  if (!p) bad('OpenPGP parameters are missing');
  if (p.hashAlgorithm === 'sha1') bad('key signatures must not use SHA-1');
  const created = p.createdUnixSeconds;
  if (!Number.isSafeInteger(created) || created < key.createdUnixSeconds || created > 0xffffffff) bad('a key signature cannot predate the key');
  const own = publicKeyPacketBody(key.groupPublicKey, key.createdUnixSeconds);
  try {
    switch (p.signatureType) {
      case SignatureType.PositiveCertification: {
        const uid = new TextDecoder('utf-8', { fatal: true }).decode(req.data);
        if (uid !== key.userId) bad(`a certification may only certify the key's own user ID ${JSON.stringify(key.userId)}`);
        return prepareCertification(
          { signatureType: SignatureType.PositiveCertification, hashAlgorithm: p.hashAlgorithm, createdUnixSeconds: created, issuerFingerprint: keyFingerprint(key), keyPreferences: CERTIFY_ONLY_PREFERENCES },
          own,
          uid,
        );
      }
      case SignatureType.GenericCertification: {
        const d = decodeSuccessorCertification(req.data);
        return prepareCertification({ signatureType: SignatureType.GenericCertification, hashAlgorithm: p.hashAlgorithm, createdUnixSeconds: created, issuerFingerprint: keyFingerprint(key) }, d.successorBody, d.userId);
      }
      case SignatureType.PrimaryKeyBinding:
        return prepareBackSignature(req.data, own, created, p.hashAlgorithm);
      case SignatureType.SubkeyBinding: {
        const d = decodeKeyBinding(p.signatureType, req.data);
        return prepareSubkeyBinding({ primaryBody: own, subkeyBody: d.subkeyBody, createdUnixSeconds: created, expiresUnixSeconds: d.expiresUnixSeconds || undefined, hashAlgorithm: p.hashAlgorithm, backSignature: d.rest });
      }
      case SignatureType.SubkeyRevocation: {
        const d = decodeKeyBinding(p.signatureType, req.data);
        return prepareSubkeyRevocation(own, d.subkeyBody, created, d.reason as RevocationReasonCode, new TextDecoder('utf-8', { fatal: true }).decode(d.rest), p.hashAlgorithm);
      }
      default:
        return bad(`signature type 0x${p.signatureType.toString(16)} is not a key signature (0x10, 0x13, 0x18, 0x19, 0x28)`);
    }
  } catch (e) {
    if (e instanceof QsignError) throw e;
    throw new QsignError('MALFORMED_REQUEST', `malformed key-binding request: ${errorMessage(e)}`, { cause: e });
  }
}

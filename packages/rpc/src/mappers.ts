/**
 * proto ⇄ domain mappers. Decoding untrusted bytes happens here, once, and
 * every failure is a MALFORMED_REQUEST with a clear reason.
 */
import { PayloadKind as PbKind, SignRequestBody, type Commitment } from '@qsign/proto';
import { QsignError, errorMessage, type PayloadKind, type SignRequest } from '@qsign/protocol';

const KINDS: Record<PayloadKind, PbKind> = {
  raw: PbKind.PAYLOAD_KIND_RAW,
  openpgp: PbKind.PAYLOAD_KIND_OPENPGP,
  'rpm-header': PbKind.PAYLOAD_KIND_RPM_HEADER,
  digest: PbKind.PAYLOAD_KIND_DIGEST,
  certification: PbKind.PAYLOAD_KIND_CERTIFICATION,
  'key-binding': PbKind.PAYLOAD_KIND_KEY_BINDING,
  repomd: PbKind.PAYLOAD_KIND_REPOMD,
  container: PbKind.PAYLOAD_KIND_CONTAINER,
};
const KIND_OF = new Map<number, PayloadKind>(Object.entries(KINDS).map(([k, v]) => [v, k as PayloadKind]));

/** Serialises a request body; the client signs exactly these bytes. */
export function encodeSignRequest(req: SignRequest): Uint8Array {
  return SignRequestBody.encode({
    requestId: req.requestId,
    keyName: req.keyName,
    createdAtMs: req.createdAtMs,
    kind: KINDS[req.kind],
    data: req.data,
    openpgp: req.openpgp
      ? {
          signatureType: req.openpgp.signatureType,
          hashAlgorithm: req.openpgp.hashAlgorithm,
          createdUnixSeconds: req.openpgp.createdUnixSeconds,
          keyExpiresUnixSeconds: req.openpgp.keyExpiresUnixSeconds ?? 0,
        }
      : undefined,
    claims: req.claims ? { fileName: req.claims.fileName, size: req.claims.size, sha256: req.claims.sha256 } : undefined,
    clientName: req.clientName,
    expectedGroupKey: req.expectedGroupKey ?? new Uint8Array(0),
  }).finish();
}

/** Decodes request body bytes into a domain request; throws MALFORMED_REQUEST. */
export function decodeSignRequest(body: Uint8Array): SignRequest {
  let pb: SignRequestBody;
  try {
    pb = SignRequestBody.decode(body);
  } catch (e) {
    throw new QsignError('MALFORMED_REQUEST', `malformed request body: ${errorMessage(e)}`);
  }
  const kind = KIND_OF.get(pb.kind);
  if (!kind) throw new QsignError('MALFORMED_REQUEST', `malformed request body: unknown payload kind ${pb.kind}`);
  const hash = pb.openpgp?.hashAlgorithm;
  if (pb.openpgp && hash !== 'sha1' && hash !== 'sha256' && hash !== 'sha512')
    throw new QsignError('MALFORMED_REQUEST', `malformed request body: unsupported hash algorithm ${JSON.stringify(hash)}`);
  return {
    requestId: pb.requestId,
    keyName: pb.keyName,
    createdAtMs: pb.createdAtMs,
    kind,
    data: pb.data,
    openpgp: pb.openpgp
      ? {
          signatureType: pb.openpgp.signatureType,
          hashAlgorithm: hash as 'sha1' | 'sha256' | 'sha512',
          createdUnixSeconds: pb.openpgp.createdUnixSeconds,
          ...(pb.openpgp.keyExpiresUnixSeconds > 0 && { keyExpiresUnixSeconds: pb.openpgp.keyExpiresUnixSeconds }),
        }
      : undefined,
    claims: pb.claims ? { fileName: pb.claims.fileName, size: pb.claims.size, sha256: pb.claims.sha256 } : undefined,
    clientName: pb.clientName,
    expectedGroupKey: pb.expectedGroupKey.length > 0 ? pb.expectedGroupKey : undefined,
  };
}

/** A commitment as the frost package types it. */
export interface DomainCommitment {
  identifier: number;
  hiding: Uint8Array;
  binding: Uint8Array;
}

/** Checks a wire commitment's shape (lengths, identifier range); throws BAD_COMMITMENTS. */
export function decodeCommitment(c: Commitment): DomainCommitment {
  if (!Number.isInteger(c.identifier) || c.identifier < 1 || c.identifier > 0xffff)
    throw new QsignError('BAD_COMMITMENTS', `commitment identifier ${c.identifier} is out of range 1..65535`);
  if (c.hiding.length !== 32 || c.binding.length !== 32)
    throw new QsignError('BAD_COMMITMENTS', `commitment of signer ${c.identifier} must hold two 32-byte points`);
  return { identifier: c.identifier, hiding: c.hiding, binding: c.binding };
}

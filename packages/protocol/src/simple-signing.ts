/**
 * containers/image "simple signing" payloads (containers-signature(5),
 * formerly atomic-signature(5)): the JSON claim that a docker reference
 * names the image whose manifest has a given digest. A node parses the
 * payload of a `container` request itself, refuses anything the format does
 * not define, and records the reference and digest. Pure.
 */
import { QsignError } from './errors.js';

/** `critical.type` of a simple-signing payload (containers-signature(5)). */
export const ATOMIC_SIGNATURE_TYPE = 'atomic container signature';
/** `critical.type` of cosign's variant (sigstore `payload.CosignSignatureType`), signed without OpenPGP. */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

/**
 * Which variant a payload is: "atomic" (containers/image; an OpenPGP signed
 * message) or "cosign" (a plain signature over the payload bytes, stored by
 * cosign as an OCI attachment).
 */
export type SimpleSigningFormat = 'atomic' | 'cosign';
const TYPES: Record<SimpleSigningFormat, string> = { atomic: ATOMIC_SIGNATURE_TYPE, cosign: COSIGN_SIGNATURE_TYPE };

/** Largest payload accepted (real ones are about 300 bytes). */
export const MAX_SIMPLE_SIGNING_BYTES = 16 * 1024;

/** What a node records about a container signature it makes. */
export interface SimpleSigningFacts {
  /** The variant (`critical.type`); absent means "atomic". */
  format?: SimpleSigningFormat;
  /** `critical.identity.docker-reference`. */
  reference: string;
  /** `critical.image.docker-manifest-digest`, e.g. "sha256:…". */
  digest: string;
  /** `optional.creator`. */
  creator?: string;
  /** `optional.timestamp` (Unix seconds). */
  timestamp?: number;
}

/** A docker reference split as distribution/reference does: [domain/]path[:tag][@digest]. */
export interface DockerReference {
  domain?: string;
  /** Repository path without the domain, e.g. "proj/app". */
  path: string;
  tag?: string;
  digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*(?::[0-9]{1,5})?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const MANIFEST_DIGEST = /^(?:sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$/;

function refuse(why: string): never {
  throw new QsignError('MALFORMED_REQUEST', `simple-signing payload refused: ${why}`);
}

/** True for a manifest digest "sha256:<64 hex>" (also sha384 / sha512), lowercase as OCI requires. */
export function isManifestDigest(d: string): boolean {
  return typeof d === 'string' && MANIFEST_DIGEST.test(d);
}

/**
 * Parses a docker reference (distribution/reference grammar:
 * `[domain[:port]/]component(/component)*[:tag][@digest]`, at most 255
 * characters of name). The first component is a domain if it contains "." or
 * ":" or is "localhost". Throws MALFORMED_REQUEST.
 */
export function parseDockerReference(ref: string): DockerReference {
  if (typeof ref !== 'string' || ref.length === 0 || ref.length > 512) refuse('docker-reference must be a reference of 1-512 characters');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isManifestDigest(digest)) refuse(`docker-reference ${JSON.stringify(ref)} has a malformed digest`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) refuse(`docker-reference ${JSON.stringify(ref)} has a malformed tag`);
  }
  if (rest.length > 255) refuse('docker-reference name is longer than 255 characters');
  const parts = rest.split('/');
  let domain: string | undefined;
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) {
    domain = parts.shift()!;
    if (!DOMAIN.test(domain)) refuse(`docker-reference ${JSON.stringify(ref)} has a malformed registry host`);
  }
  if (parts.length === 0 || !parts.every((p) => PATH_COMPONENT.test(p))) refuse(`docker-reference ${JSON.stringify(ref)} is not a valid image reference (lowercase path components)`);
  return { ...(domain !== undefined && { domain }), path: parts.join('/'), ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/**
 * The canonical payload bytes for a claim: compact JSON with the keys sorted,
 * as containers/image's `untrustedSignature.MarshalJSON` (Go's json.Marshal
 * of maps) writes it; for cosign, `"optional":null` when there is nothing
 * optional, as `cosign generate` writes it. Nodes sign only payloads in
 * exactly this form.
 */
export function simpleSigningPayload(f: SimpleSigningFacts): Uint8Array {
  const format = f.format ?? 'atomic';
  const fields: Record<string, unknown> = {};
  if (f.creator !== undefined) fields.creator = f.creator;
  if (f.timestamp !== undefined) fields.timestamp = f.timestamp;
  const optional = format === 'cosign' && Object.keys(fields).length === 0 ? null : fields;
  const json = JSON.stringify({
    critical: { identity: { 'docker-reference': f.reference }, image: { 'docker-manifest-digest': f.digest }, type: TYPES[format] },
    optional,
  });
  return new TextEncoder().encode(json);
}

function object(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) refuse(`${where} must be a JSON object`);
  return v as Record<string, unknown>;
}

/** Requires exactly the members `fields` (containers-signature(5): unknown critical members are refused). */
function exactly(o: Record<string, unknown>, where: string, fields: readonly string[]): void {
  for (const k of Object.keys(o)) if (!fields.includes(k)) refuse(`unknown member ${where}.${JSON.stringify(k).slice(1, -1)} (${where} may contain only ${fields.join(', ')})`);
  for (const k of fields) if (!(k in o)) refuse(`${where}.${k} is missing`);
}

/**
 * Parses and checks a simple-signing payload: top level exactly `critical`
 * and `optional`; `critical` exactly `type` ({@link ATOMIC_SIGNATURE_TYPE},
 * or {@link COSIGN_SIGNATURE_TYPE} — then `optional` may also be null),
 * `image` (exactly `docker-manifest-digest`) and `identity` (exactly
 * `docker-reference`); `optional` at most `creator` (string) and `timestamp`
 * (integer). The bytes must be the canonical form of
 * {@link simpleSigningPayload}, so what is signed has one reading (no
 * duplicate keys, no escapes that verifiers might read differently).
 * Throws MALFORMED_REQUEST saying why.
 */
export function parseSimpleSigning(bytes: Uint8Array): SimpleSigningFacts {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) refuse('empty payload');
  if (bytes.length > MAX_SIMPLE_SIGNING_BYTES) refuse(`payload of ${bytes.length} bytes exceeds ${MAX_SIMPLE_SIGNING_BYTES}`);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    refuse(`not UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const top = object(doc, 'the payload');
  exactly(top, 'payload', ['critical', 'optional']);
  const critical = object(top.critical, 'critical');
  exactly(critical, 'critical', ['type', 'image', 'identity']);
  const format = (Object.keys(TYPES) as SimpleSigningFormat[]).find((f) => TYPES[f] === critical.type);
  if (!format) refuse(`critical.type must be ${JSON.stringify(ATOMIC_SIGNATURE_TYPE)} (or ${JSON.stringify(COSIGN_SIGNATURE_TYPE)}), got ${JSON.stringify(critical.type)?.slice(0, 80)}`);
  const image = object(critical.image, 'critical.image');
  exactly(image, 'critical.image', ['docker-manifest-digest']);
  const digest = image['docker-manifest-digest'];
  if (typeof digest !== 'string' || !isManifestDigest(digest)) refuse('critical.image.docker-manifest-digest must be "sha256:" and 64 lowercase hex digits (or sha384/sha512)');
  const identity = object(critical.identity, 'critical.identity');
  exactly(identity, 'critical.identity', ['docker-reference']);
  const reference = identity['docker-reference'];
  if (typeof reference !== 'string') refuse('critical.identity.docker-reference must be a string');
  parseDockerReference(reference);
  const optional = format === 'cosign' && top.optional === null ? {} : object(top.optional, 'optional');
  for (const k of Object.keys(optional))
    if (k !== 'creator' && k !== 'timestamp') refuse(`optional.${JSON.stringify(k).slice(1, -1)} is not signed by qsign (optional may contain creator and timestamp)`);
  const facts: SimpleSigningFacts = { ...(format === 'cosign' && { format }), reference, digest };
  if (optional.creator !== undefined) {
    if (typeof optional.creator !== 'string' || optional.creator.length > 256) refuse('optional.creator must be a string of at most 256 characters');
    facts.creator = optional.creator;
  }
  if (optional.timestamp !== undefined) {
    if (typeof optional.timestamp !== 'number' || !Number.isSafeInteger(optional.timestamp) || optional.timestamp < 0) refuse('optional.timestamp must be a non-negative integer');
    facts.timestamp = optional.timestamp;
  }
  const canonical = simpleSigningPayload(facts);
  if (canonical.length !== bytes.length || !canonical.every((b, i) => b === bytes[i]))
    refuse('payload is not in canonical form (compact JSON, keys sorted as containers/image writes them, no duplicate keys)');
  return facts;
}

/**
 * Where a signature goes in a lookaside store (containers-registries.d(5)):
 * `<repository path>@<algorithm>=<hex>/signature-<index>`, the path without
 * the registry host ("library/…" for a one-component Docker Hub name).
 */
export function lookasidePath(reference: string, digest: string, index = 1): string {
  const r = parseDockerReference(reference);
  if (!isManifestDigest(digest)) refuse(`${JSON.stringify(digest)} is not a manifest digest`);
  if (!Number.isInteger(index) || index < 1) refuse('signature index must be 1 or more');
  const path = r.domain === undefined && !r.path.includes('/') ? `library/${r.path}` : r.path;
  return `${path}@${digest.replace(':', '=')}/signature-${index}`;
}

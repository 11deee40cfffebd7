/**
 * Signing what a build service publishes, client side (issue 14): a
 * repository's `repodata/repomd.xml` (armored detached signature
 * `repomd.xml.asc`, as librepo and dnf's `repo_gpgcheck` expect) and
 * containers/image simple-signing claims (an OpenPGP signed message, stored
 * in a lookaside directory as containers-registries.d(5) lays it out), or
 * cosign's variant (a plain signature over the payload). The nodes parse the
 * payloads themselves before they sign.
 */
import { mkdirSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { armor, openSignedMessage, signedMessage, type HashAlgorithm } from '@qsign/openpgp';
import { QsignError, isRsaKey, lookasidePath, parseRepomd, parseSimpleSigning, simpleSigningPayload, type SimpleSigningFacts } from '@qsign/protocol';
import { fileClaims, type QsignClient } from './client.js';
import { readInput, writeOutput } from './files.js';
import { keyContext, signOpenPgp, verifyDocumentSignature, type OpenPgpSignOptions } from './openpgp-sign.js';

/** Options shared by the publishing signers. */
export type PublishSignOptions = Pick<OpenPgpSignOptions, 'hashAlgorithm' | 'createdUnixSeconds' | 'waitMs' | 'onStatus'>;

/** True for a file the nodes should treat as repository metadata (`sign -d repomd.xml`, as OBS calls it). */
export function isRepomdFile(path: string): boolean {
  return basename(path) === 'repomd.xml';
}

/**
 * The armored detached signature of a repomd.xml, made as a `repomd` request
 * (every node parses the file and records its revision and metadata
 * checksums). The file is parsed here first so a broken one fails before it
 * is sent.
 */
export async function signRepomd(client: QsignClient, keyName: string, repomd: Uint8Array, o: PublishSignOptions & { fileName?: string } = {}): Promise<string> {
  parseRepomd(repomd);
  const packet = await signOpenPgp(client, keyName, repomd, { ...o, kind: 'repomd', signatureType: 0x00, claims: fileClaims(o.fileName ?? 'repomd.xml', repomd) });
  return armor('SIGNATURE', packet);
}

/** `qsign repo sign REPODIR`: signs REPODIR/repodata/repomd.xml into repomd.xml.asc beside it; returns the path written. */
export async function signRepository(client: QsignClient, keyName: string, repoDir: string, o: PublishSignOptions = {}): Promise<string> {
  const path = join(repoDir, 'repodata', 'repomd.xml');
  if (!existsSync(path)) throw new QsignError('INVALID_ARGUMENT', `${repoDir} is not a repository: ${path} does not exist (run createrepo_c first)`);
  const out = `${path}.asc`;
  writeOutput(out, await signRepomd(client, keyName, readInput(path), { ...o, fileName: 'repomd.xml' }));
  return out;
}

/**
 * A containers/image simple signature: the canonical payload for the claim
 * "REFERENCE is the image whose manifest digest is DIGEST", signed by the
 * cluster as a `container` request, wrapped as an OpenPGP signed message
 * (one-pass ‖ literal ‖ signature) and checked before it is returned.
 */
export async function signContainer(client: QsignClient, keyName: string, claim: SimpleSigningFacts, o: PublishSignOptions = {}): Promise<Uint8Array> {
  const payload = simpleSigningPayload(claim);
  parseSimpleSigning(payload);
  const packet = await signOpenPgp(client, keyName, payload, { ...o, kind: 'container', signatureType: 0x00, claims: fileClaims(claim.reference, payload) });
  const message = signedMessage(payload, packet);
  const opened = openSignedMessage(message);
  if (!verifyDocumentSignature(opened.signaturePacket, opened.data, keyContext(await client.key(keyName))))
    throw new QsignError('SIGNING_FAILED', 'the assembled signed message does not verify');
  return message;
}

/** A cosign signature: the payload and the base64 signature over it (what `cosign attach signature --payload --signature` takes). */
export interface CosignSignature {
  payload: Uint8Array;
  /** Base64 of the signature over the payload bytes: 64-byte Ed25519, or an RSA key's PKCS#1 v1.5 SHA-256 signature. */
  signatureBase64: string;
}

/**
 * cosign's variant of the same claim (`critical.type` "cosign container
 * image signature"): the cluster signs the payload bytes themselves, as a
 * `container` request without OpenPGP parameters; checked before it is
 * returned.
 */
export async function signCosign(client: QsignClient, keyName: string, claim: Omit<SimpleSigningFacts, 'format'>, o: Pick<PublishSignOptions, 'waitMs' | 'onStatus'> = {}): Promise<CosignSignature> {
  const payload = simpleSigningPayload({ ...claim, format: 'cosign' });
  parseSimpleSigning(payload);
  const res = await client.sign({ keyName, kind: 'container', data: payload, claims: fileClaims(claim.reference, payload) }, o.waitMs, o.onStatus);
  const expected = isRsaKey(await client.key(keyName)) ? sha256(payload) : payload; // RSA signs the payload's SHA-256 (PKCS#1 v1.5)
  if (Buffer.compare(Buffer.from(res.message), Buffer.from(expected)) !== 0) throw new QsignError('SIGNING_FAILED', 'the cluster signed a different message than the cosign payload');
  return { payload, signatureBase64: Buffer.from(res.signature).toString('base64') };
}

/** Writes a container signature as `signature-N` under a lookaside root (the first free N); returns the path. */
export function writeLookaside(root: string, reference: string, digest: string, signature: Uint8Array): string {
  let n = 1;
  while (existsSync(join(root, lookasidePath(reference, digest, n)))) n++;
  const path = join(root, lookasidePath(reference, digest, n));
  mkdirSync(dirname(path), { recursive: true });
  writeOutput(path, signature);
  return path;
}

/** Hash names accepted by the publishing commands (SHA-1 is never used for new metadata). */
export function publishHash(h: HashAlgorithm | undefined): HashAlgorithm {
  if (h === 'sha1') throw new QsignError('INVALID_ARGUMENT', 'repository metadata and container signatures are not made with SHA-1');
  return h ?? 'sha256';
}

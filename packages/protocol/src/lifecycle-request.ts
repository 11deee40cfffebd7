/**
 * Lifecycle requests (docs/key-lifecycle.md, "Roles"): a keygen request that
 * starts a DKG, and the signed confirmation a new holder gives at the end of
 * a reshare. Lifecycle requests are JSON signed with Ed25519 under their own
 * domain-separation prefix (RFC 8032 §5.1.6 over prefix ‖ bytes), so a
 * signature made for one purpose (a sign request, a plan, a confirmation)
 * never verifies as another. Every node checks them itself; the coordinator
 * only relays. Pure: no transport, no storage.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { QsignError } from './errors.js';
import { isValidKeyName, newRequestId } from './request.js';
import { isKeyType, type KeyType } from './key-type.js';

/** JSON bytes with the signer's Ed25519 public key and signature (wire: `SignedPlan`). */
export interface SignedLifecycle {
  plan: Uint8Array;
  clientPublicKey: Uint8Array;
  clientSignature: Uint8Array;
}

/** Signs JSON `value` under `context` with an Ed25519 secret key. */
export function signLifecycle(context: Uint8Array, value: unknown, secretKey: Uint8Array): SignedLifecycle {
  const bytes = utf8ToBytes(JSON.stringify(value));
  return { plan: bytes, clientPublicKey: ed25519.getPublicKey(secretKey), clientSignature: ed25519.sign(concatBytes(context, bytes), secretKey) };
}

/** Verifies the signature of a signed lifecycle request under `context` and parses its JSON; `what` names it in errors. */
export function openLifecycle(context: Uint8Array, s: SignedLifecycle, what: string): unknown {
  let ok = false;
  try {
    ok = s.clientPublicKey.length === 32 && s.clientSignature.length === 64 && ed25519.verify(s.clientSignature, concatBytes(context, s.plan), s.clientPublicKey);
  } catch {
    ok = false;
  }
  if (!ok) throw new QsignError('BAD_CLIENT_SIGNATURE', `${what} signature does not verify`);
  try {
    return JSON.parse(new TextDecoder().decode(s.plan));
  } catch {
    throw new QsignError('MALFORMED_REQUEST', `${what} is not valid JSON`);
  }
}

// ---- keygen requests ----

/** Format tag of keygen requests. */
export const KEYGEN_REQUEST_FORMAT = 'qsign-keygen-request/v1';
/** Domain separation prefix of the signature over a keygen request. */
export const KEYGEN_REQUEST_CONTEXT = utf8ToBytes('qsign/v1/keygen-request\n');

/** A request to create key `keyName` by DKG (JSON, signed by an officer or a keygen client). */
export interface KeygenRequest {
  format: typeof KEYGEN_REQUEST_FORMAT;
  /** Names the DKG session (`dkg-<requestId>`): one DKG per request. */
  requestId: string;
  keyName: string;
  userId: string;
  /** Threshold asked for; 0 = the coordinator's default (nodes still enforce their minimum). */
  minSigners: number;
  createdAtMs: number;
  /** Key type; absent means 'ed25519' (DKG). An RSA type is made by a dealer node. Signed, so no relay can change it. */
  keyType?: KeyType;
}

/** The key type a keygen request asks for. */
export function keygenKeyType(r: Pick<KeygenRequest, 'keyType'>): KeyType {
  return r.keyType ?? 'ed25519';
}

/** The DKG session id a keygen request names. */
export function dkgSessionId(r: Pick<KeygenRequest, 'requestId'>): string {
  return `dkg-${r.requestId}`;
}

/** Builds and signs a keygen request with a fresh id and the current time. */
export function signKeygenRequest(p: { keyName: string; userId: string; minSigners?: number; keyType?: KeyType }, secretKey: Uint8Array): SignedLifecycle {
  const r: KeygenRequest = { format: KEYGEN_REQUEST_FORMAT, requestId: newRequestId(), keyName: p.keyName, userId: p.userId, minSigners: p.minSigners ?? 0, createdAtMs: Date.now() };
  if (p.keyType && p.keyType !== 'ed25519') r.keyType = p.keyType;
  validateKeygenRequest(r);
  return signLifecycle(KEYGEN_REQUEST_CONTEXT, r, secretKey);
}

/** Verifies the signature and shape of a signed keygen request; returns the request. */
export function openKeygenRequest(s: SignedLifecycle): KeygenRequest {
  const r = openLifecycle(KEYGEN_REQUEST_CONTEXT, s, 'keygen request') as KeygenRequest;
  validateKeygenRequest(r);
  return r;
}

/** Checks a keygen request's fields; errors say what is wrong. */
export function validateKeygenRequest(r: KeygenRequest): void {
  const bad = (why: string): never => {
    throw new QsignError('INVALID_ARGUMENT', `keygen request: ${why}`);
  };
  if (r?.format !== KEYGEN_REQUEST_FORMAT) bad(`format must be ${KEYGEN_REQUEST_FORMAT}`);
  if (typeof r.requestId !== 'string' || !/^[0-9a-f]{32}$/.test(r.requestId)) bad('requestId must be 16 bytes hex');
  if (!isValidKeyName(r.keyName)) bad('keyName is not a valid key name');
  if (typeof r.userId !== 'string' || !r.userId || r.userId.length > 400) bad('userId must be 1-400 characters');
  if (!Number.isInteger(r.minSigners) || r.minSigners < 0 || r.minSigners > 0xffff) bad('minSigners must be 0 (default) or a threshold');
  if (!Number.isSafeInteger(r.createdAtMs)) bad('createdAtMs is required');
  if (r.keyType !== undefined && !isKeyType(r.keyType)) bad('keyType must be ed25519, rsa2048, rsa3072 or rsa4096');
}

// ---- reshare confirmations ----

/** Format tag of reshare confirmations. */
export const RESHARE_CONFIRMATION_FORMAT = 'qsign-reshare-confirmation/v1';
/** Domain separation prefix of a new holder's signature over its confirmation. */
export const RESHARE_CONFIRMATION_CONTEXT = utf8ToBytes('qsign/v1/reshare-confirmation\n');

/** What a new holder states once it has verified and stored (pending) its new share. */
export interface ReshareStatement {
  format: typeof RESHARE_CONFIRMATION_FORMAT;
  planId: string;
  keyName: string;
  /** Hex group key: unchanged by the reshare. */
  groupPublicKey: string;
  /** Hex points of the merged VSS commitment (sum of the dealers' commitments); [0] is the group key. */
  commitment: string[];
  holder: number;
}

/** A confirmation on the wire: holder id, statement bytes, Ed25519 signature by the holder's identity key. */
export interface ReshareConfirmation {
  holder: number;
  statement: Uint8Array;
  signature: Uint8Array;
}

/** Signs a statement with a new holder's identity secret key. */
export function signReshareStatement(s: Omit<ReshareStatement, 'format'>, identitySecretKey: Uint8Array): ReshareConfirmation {
  const signed = signLifecycle(RESHARE_CONFIRMATION_CONTEXT, { format: RESHARE_CONFIRMATION_FORMAT, ...s }, identitySecretKey);
  return { holder: s.holder, statement: signed.plan, signature: signed.clientSignature };
}

/**
 * Verifies that `confirmations` hold exactly one valid statement from every
 * holder in `holders`, each signed by the identity key `identityKey(id)`
 * returns, all naming plan `planId`, key `keyName`, group key
 * `groupPublicKey` and one and the same merged commitment whose constant
 * term is the group key and whose length is `threshold`. Returns the
 * agreed commitment (hex); throws naming the holders that disagree.
 */
export function verifyReshareConfirmations(
  confirmations: readonly ReshareConfirmation[],
  expect: { planId: string; keyName: string; groupPublicKey: string; holders: readonly number[]; threshold: number },
  identityKey: (id: number) => Uint8Array | undefined,
): string[] {
  const fail = (why: string, culprits: number[]): never => {
    throw new QsignError('POLICY_REFUSED', `reshare confirmations: ${why}`, { details: { culprits } });
  };
  const byHolder = new Map<number, ReshareStatement>();
  for (const c of confirmations) {
    if (!expect.holders.includes(c.holder)) fail(`node ${c.holder} is not a new holder of plan ${expect.planId}`, [c.holder]);
    if (byHolder.has(c.holder)) fail(`two confirmations from node ${c.holder}`, [c.holder]);
    const key = identityKey(c.holder);
    if (!key) fail(`node ${c.holder}'s identity key is not pinned in this node's config (peers[].verifierKey)`, [c.holder]);
    let st: ReshareStatement;
    try {
      st = openLifecycle(RESHARE_CONFIRMATION_CONTEXT, { plan: c.statement, clientPublicKey: key!, clientSignature: c.signature }, `confirmation of node ${c.holder}`) as ReshareStatement;
    } catch {
      return fail(`the confirmation of node ${c.holder} is not signed by its pinned identity key`, [c.holder]);
    }
    if (st?.format !== RESHARE_CONFIRMATION_FORMAT || st.holder !== c.holder || st.planId !== expect.planId || st.keyName !== expect.keyName)
      fail(`the confirmation of node ${c.holder} is for another plan, key or holder`, [c.holder]);
    if (st.groupPublicKey !== expect.groupPublicKey) fail(`node ${c.holder} confirmed group key ${String(st.groupPublicKey).slice(0, 16)}…, the plan's is ${expect.groupPublicKey.slice(0, 16)}…`, [c.holder]);
    if (!Array.isArray(st.commitment) || st.commitment.length !== expect.threshold || st.commitment[0] !== expect.groupPublicKey || st.commitment.some((p) => typeof p !== 'string' || !/^[0-9a-f]{64}$/.test(p)))
      fail(`node ${c.holder} confirmed a commitment that is not a ${expect.threshold}-point commitment to the group key`, [c.holder]);
    byHolder.set(c.holder, st);
  }
  const missing = expect.holders.filter((h) => !byHolder.has(h));
  if (missing.length) fail(`no confirmation from new holder(s) ${missing.join(', ')}`, missing);
  const first = byHolder.get(expect.holders[0]!)!.commitment.join(',');
  const differ = [...byHolder].filter(([, s]) => s.commitment.join(',') !== first).map(([h]) => h);
  if (differ.length) fail(`new holders confirmed different merged commitments (node(s) ${differ.join(', ')} differ from node ${expect.holders[0]}): the dealings they received differ`, differ);
  return byHolder.get(expect.holders[0]!)!.commitment;
}

/** Hex of a commitment (list of points), for statements. */
export function commitmentHex(points: readonly Uint8Array[]): string[] {
  return points.map((p) => bytesToHex(p));
}

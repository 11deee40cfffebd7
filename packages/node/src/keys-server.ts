/**
 * The NodeKeys gRPC adapter: thin handlers mapping proto messages to
 * `NodeKeyOps` (DKG), `NodeReshareOps` (reshare) and {@link putCertificate}
 * (certificates). Envelopes pass through as-is.
 */
import type { NodeKeysServer, SealedPackage as ProtoSealed } from '@qsign/proto';
import { QsignError, errorMessage } from '@qsign/protocol';
import { unaryHandler } from '@qsign/rpc';
import type { NodeStore } from '@qsign/storage';
import { putCertificate } from './certificates.js';
import type { KeyOutcome, NodeKeyOps, SealedPackage } from './keys.js';
import type { NodeReshareOps, ReshareDeal } from './reshare.js';

const sealed = (p: ProtoSealed): SealedPackage => ({ sender: p.sender, recipient: p.recipient, ephemeralPublicKey: p.ephemeralPublicKey, nonce: p.nonce, ciphertext: p.ciphertext });
const plan = (p: { plan: Uint8Array; clientPublicKey: Uint8Array; clientSignature: Uint8Array } | undefined) => {
  if (!p) throw new QsignError('MALFORMED_REQUEST', 'missing reshare plan');
  return p;
};
const outcome = (o: KeyOutcome) => ({ confirmation: undefined, ...o });
const deal = (d: { dealer: number; commitment: Uint8Array[]; subShares: ProtoSealed[] }): ReshareDeal => ({ dealer: d.dealer, commitment: d.commitment, subShares: d.subShares.map(sealed) });

/** Builds the NodeKeys handlers. */
export function nodeKeysHandlers(ops: NodeKeyOps, reshare: NodeReshareOps, store: NodeStore, nodeId: number, log: (m: string) => void): NodeKeysServer {
  const internal = (e: unknown) => log(`keys service internal error: ${errorMessage(e)}`);
  return {
    dkgRound1: unaryHandler(async (req) => {
      const p = req.params;
      if (!p) throw new QsignError('MALFORMED_REQUEST', 'missing DKG parameters');
      return ops.dkgRound1({ sessionId: p.sessionId, keyName: p.keyName, userId: p.userId, minSigners: p.minSigners, participants: p.participants, createdUnixSeconds: p.createdUnixSeconds, keyType: p.keyType, dealer: p.dealer }, req.authorization);
    }, internal),
    dkgRound2: unaryHandler(async (req) => ({ packages: await ops.dkgRound2(req.sessionId, req.round1) }), internal),
    dkgFinalize: unaryHandler(async (req) => outcome(await ops.dkgFinalize(req.sessionId, req.packages.map(sealed))), internal),
    dkgConfirm: unaryHandler(async (req) => outcome(await ops.dkgConfirm(req.sessionId, req.groupPublicKey)), internal),
    reshareDeal: unaryHandler(async (req) => reshare.reshareDeal(plan(req)), internal),
    reshareReceive: unaryHandler(async (req) => reshare.reshareReceive(plan(req.plan), req.deals.map(deal)), internal),
    reshareRetire: unaryHandler(async (req) => outcome(await reshare.reshareRetire(plan(req.plan), req.confirmations)), internal),
    putCertificate: unaryHandler(async (req) => {
      const fingerprint = await putCertificate(store, nodeId, req.keyName, req.certificate);
      log(`stored the certificate of key ${req.keyName}`);
      return { fingerprint, storedBy: [nodeId], refusals: [] };
    }, internal),
  };
}

/**
 * `qsign ceremony verify`: checks a ceremony's output directory — every
 * file against the transcript's hashes, the public package's internal
 * consistency (verifying shares derived from the VSS commitments, group key =
 * first commitment), the certificate (same key, fingerprint, valid
 * self-signature), each share file's header against the package, and plain
 * shares against the commitments. A node checks its own encrypted share
 * with its enrollment key (over its operator socket: nothing is stored).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import * as frost from '@qsign/frost';
import { PacketTag, encodePacket, parseCertificate, parsePackets, toBinary, verifyCertificationPacket } from '@qsign/openpgp';
import { QsignError, decodeShareFile, errorMessage } from '@qsign/protocol';
import { isEncryptedShareFile, readShareFileHeader } from '@qsign/storage';
import { checkShareFile, loadNodeConfig } from '@qsign/node';
import { NodeSealRpcClient } from '@qsign/rpc';

/** Verifies a ceremony directory; returns the checks passed, throws INVALID_ARGUMENT listing every problem. */
export async function ceremonyVerify(dir: string, opts: { nodeConfig?: string } = {}): Promise<string[]> {
  const ok: string[] = [];
  const problems: string[] = [];
  const read = (name: string): Buffer | undefined => {
    const p = join(dir, name);
    if (!existsSync(p)) {
      problems.push(`${name} is missing`);
      return undefined;
    }
    return readFileSync(p);
  };
  const tb = read('transcript.json');
  if (!tb) throw new QsignError('INVALID_ARGUMENT', `${dir}: not a ceremony directory (${problems.join('; ')})`);
  let t: { sha256: Record<string, string>; groupPublicKey: string; fingerprint: string; userId: string; keyName: string; threshold: number; shares: number };
  try {
    t = JSON.parse(tb.toString('utf8'));
  } catch {
    throw new QsignError('INVALID_ARGUMENT', `${dir}/transcript.json is not valid JSON (truncated?)`);
  }
  for (const [name, want] of Object.entries(t.sha256 ?? {})) {
    const b = read(name);
    if (b && bytesToHex(sha256(b)) !== want) problems.push(`${name} does not match its transcript hash (altered or truncated)`);
    else if (b) ok.push(`${name}: hash matches the transcript`);
  }
  let pkp: frost.PublicKeyPackage | undefined;
  const pb = read('public-key.json');
  if (pb) {
    try {
      pkp = frost.decodePublicKeyPackage(JSON.parse(pb.toString('utf8')));
      if (bytesToHex(pkp.groupPublicKey) !== t.groupPublicKey) problems.push('public-key.json has a different group key than the transcript');
      else ok.push('public-key.json: verifying shares and group key match the VSS commitments');
    } catch (e) {
      problems.push(`public-key.json: ${errorMessage(e)}`);
    }
  }
  const cb = read('certificate.asc');
  if (cb) {
    try {
      const bin = toBinary(cb.toString('utf8'), 'PUBLIC KEY BLOCK');
      const info = parseCertificate(bin);
      const sig = parsePackets(bin).find((p) => p.tag === PacketTag.Signature);
      const sigOk = sig !== undefined && verifyCertificationPacket(encodePacket(PacketTag.Signature, sig.body), info.publicKeyBody, info.userIds[0]!, info.publicKey32);
      if (bytesToHex(info.publicKey32) !== t.groupPublicKey || bytesToHex(info.fingerprint) !== t.fingerprint || !sigOk) problems.push('certificate.asc is not a valid self-signed certificate of the group key with the transcript fingerprint');
      else ok.push(`certificate.asc: fingerprint ${t.fingerprint.toUpperCase()}, self-signature valid`);
    } catch (e) {
      problems.push(`certificate.asc: ${errorMessage(e)}`);
    }
  }
  const own: string[] = [];
  const cfg = opts.nodeConfig ? loadNodeConfig(opts.nodeConfig) : undefined;
  for (let id = 1; id <= (t.shares ?? 0); id++) {
    const name = `node-${id}.share.json`;
    const b = read(name);
    if (!b) continue;
    const text = b.toString('utf8');
    try {
      if (isEncryptedShareFile(text)) {
        const h = readShareFileHeader(text, name);
        if (h.identifier !== id || h.keys.length !== 1 || h.keys[0]!.keyName !== t.keyName || h.keys[0]!.groupPublicKey !== t.groupPublicKey) throw new QsignError('INVALID_ARGUMENT', 'header does not match the transcript');
        ok.push(`${name}: encrypted to ${h.recipient.slice(0, 16)}…, header matches`);
        if (cfg?.nodeId === id) own.push(text);
      } else {
        const f = decodeShareFile(text, name);
        checkShareFile(f, name);
        f.share.fill(0);
        ok.push(`${name}: plain share matches the VSS commitments`);
      }
    } catch (e) {
      problems.push(`${name}: ${errorMessage(e)}`);
    }
  }
  if (cfg && problems.length === 0) {
    if (own.length === 0) problems.push(`no encrypted share file for node ${cfg.nodeId}`);
    else {
      const c = new NodeSealRpcClient(cfg.adminSocket);
      try {
        ok.push(...(await c.verifyShares(own)).keys.map((k) => `node ${cfg.nodeId} (enrollment key): ${k}`));
      } catch (e) {
        problems.push(`node ${cfg.nodeId}: ${errorMessage(e)}`);
      } finally {
        c.close();
      }
    }
  }
  if (problems.length) throw new QsignError('INVALID_ARGUMENT', `ceremony ${dir} does NOT verify:\n  ${problems.join('\n  ')}`);
  return ok;
}

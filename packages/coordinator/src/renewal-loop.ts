/**
 * No accidental expiry (docs/windows.md): the coordinator re-issues a key's self-signature
 * with a later expiry before the key expires. Every `intervalMs` it lists the nodes' keys,
 * reads each certificate's primary expiry (`@qsign/openpgp` primaryExpiry) and plans the
 * renewals due within the horizon (`@qsign/windows` planRenewals). For each it asks the
 * key's quorum for a new positive certification (0x13) carrying the new expiry, signed as a
 * request of the coordinator's renewal client (a client with the `renew` permission on
 * every node: nodes check it is a genuine renewal, node renewal.ts), and offers the
 * certificate with the new self-signature to every holder, each of which checks and
 * stores it with a 'key-renewed' audit record. Windowed keys are not renewed here: their
 * primary self-signature carries no expiry, and window subkeys expire with their window on
 * purpose. RSA keys (scheme 'rsa-shoup', made on the cluster or imported from gpg) are renewed
 * the same way, through the RSA quorum; their certificate keeps every packet it had (an imported
 * key's further user IDs, subkeys and signatures) with only the newest self-signature of the
 * key's user ID replaced (`@qsign/protocol` rsaRenewedCertificate, checked by every node with
 * rsaRenewalProblem). The clock is the lifecycle clock (`@qsign/protocol` lifecycleClock).
 */
import { randomBytes } from 'node:crypto';
import { encodePacket, PacketTag, parsePackets, primaryExpiry, readSubkeys, signPrepared } from '@qsign/openpgp';
import { errorMessage, isRsaKey, keyPacketBody, parseSubkeyName, preparedOpenPgp, rsaRenewedCertificate, signRequestBody, type KeyContext, type LifecycleClock, type SignRequest } from '@qsign/protocol';
import { planRenewals, type Renewal } from '@qsign/windows';
import type { KeyInfo } from '@qsign/proto';
import type { Log } from '@qsign/rpc';
import type { Coordinator } from './coordinator.js';

/** What the loop needs: its client identity, policy and clock. */
export interface RenewalOptions {
  /** The renewal client's name and Ed25519 secret key (a node client with the `renew` permission). */
  clientName: string;
  secretKey: Uint8Array;
  /** Renew when a key expires within this many seconds (or has expired). */
  horizonSeconds: number;
  /** The new expiry is this many seconds after now. */
  validitySeconds: number;
  intervalMs: number;
  now: LifecycleClock;
  /** Serialises a request body (rpc encodeSignRequest). */
  encode: (req: SignRequest) => Uint8Array;
  log: Log;
}

/** What the loop asks of the cluster besides signing: the nodes' key names. */
export type KeyLister = () => Promise<string[]>;

/** The renewal loop of one coordinator. */
export class RenewalLoop {
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  constructor(
    private readonly coordinator: Pick<Coordinator, 'getKey' | 'sign' | 'putCertificate'>,
    private readonly listKeys: KeyLister,
    private readonly o: RenewalOptions,
  ) {}

  /** Checks at once, then every `intervalMs`. */
  start(): void {
    const tick = () => void this.tick();
    tick();
    this.#timer = setInterval(tick, this.o.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One pass: renews every key due; returns the renewals made. Failures are logged and retried next pass. */
  async tick(): Promise<Renewal[]> {
    if (this.#busy) return [];
    this.#busy = true;
    const done: Renewal[] = [];
    try {
      const names = await this.listKeys();
      for (const name of names) {
        if (parseSubkeyName(name)) continue;
        try {
          const r = await this.#renewIfDue(name);
          if (r) done.push(r);
        } catch (e) {
          this.o.log(`renewal of key ${name} failed (retried in ${this.o.intervalMs / 1000} s): ${errorMessage(e)}`, { keyName: name, level: 'warn' });
        }
      }
    } catch (e) {
      this.o.log(`renewal pass failed: ${errorMessage(e)}`, { level: 'warn' });
    } finally {
      this.#busy = false;
    }
    return done;
  }

  async #renewIfDue(name: string): Promise<Renewal | undefined> {
    const info = await this.coordinator.getKey(name);
    // Windowed keys (Ed25519 only) are left alone; an RSA key's subkeys are gpg's, kept as they are.
    if (info.certificate.length === 0 || (!isRsaKey(info) && readSubkeys(info.certificate).length > 0)) return undefined;
    const expiry = primaryExpiry(info.certificate);
    const now = Math.floor(this.o.now() / 1000);
    const [due] = planRenewals([{ id: name, kind: 'primary', expires: expiry.expiresUnixSeconds }], now, { horizon: this.o.horizonSeconds, validity: this.o.validitySeconds });
    if (!due) return undefined;
    const created = Math.max(now, expiry.selfSignatureCreatedUnixSeconds + 1);
    this.o.log(`key ${name} ${due.expired ? 'expired' : 'expires'} at ${iso(due.oldExpires)}: asking its quorum for a self-signature expiring at ${iso(due.newExpires)}`, { keyName: name });
    const key: KeyContext = { groupPublicKey: info.groupPublicKey, createdUnixSeconds: info.createdUnixSeconds, userId: info.userId, scheme: info.scheme };
    const sig = await this.#certify(info, key, created, due.newExpires);
    const cert = isRsaKey(key) ? rsaRenewedCertificate(info.certificate, key, sig) : ed25519RenewedCertificate(info.certificate, sig);
    const out = await this.coordinator.putCertificate(name, cert);
    this.o.log(`renewed key ${name}: expires at ${iso(due.newExpires)}; stored by nodes ${out.storedBy.join(', ')}${out.refusals.length ? `; refused: ${out.refusals.join('; ')}` : ''}`, { keyName: name });
    return due;
  }

  /** The key quorum's positive certification (0x13) of its own user ID with key expiry `expires` (a signature packet). */
  async #certify(info: KeyInfo, key: KeyContext, created: number, expires: number): Promise<Uint8Array> {
    const req: SignRequest = {
      requestId: `renewal-${randomBytes(12).toString('hex')}`,
      keyName: info.name,
      createdAtMs: Date.now(),
      kind: 'certification',
      data: new TextEncoder().encode(info.userId),
      openpgp: { signatureType: 0x13, hashAlgorithm: 'sha256', createdUnixSeconds: created, keyExpiresUnixSeconds: expires },
      clientName: this.o.clientName,
      expectedGroupKey: info.groupPublicKey,
    };
    const prepared = preparedOpenPgp(req, key);
    const out = await this.coordinator.sign(signRequestBody(this.o.encode(req), this.o.secretKey));
    // Ed25519 (r ‖ s) or RSA (PKCS#1 v1.5) packet as the key's algorithm says, checked against the key first.
    return signPrepared({ publicKeyBody: keyPacketBody(key), sign: async () => out.signature }, prepared);
  }
}

/** An Ed25519 key's renewed certificate: the exact three-packet layout nodes accept (certificateProblem). */
function ed25519RenewedCertificate(cert: Uint8Array, sig: Uint8Array): Uint8Array {
  const [pk, uid] = parsePackets(cert);
  return new Uint8Array(Buffer.concat([encodePacket(PacketTag.PublicKey, pk!.body), encodePacket(PacketTag.UserId, uid!.body), sig]));
}

const iso = (t: number) => new Date(t * 1000).toISOString();

/**
 * qsign keygen, qsign ceremony reshare and qsign pubkey --armor: key
 * lifecycle through a running cluster.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { armor, ed25519Fingerprint, parseCertificate } from '@qsign/openpgp';
import { KEY_TYPES, QsignError, errorMessage, isKeyEmail, isQsignError, isRsaKey, openResharePlan, parseKeyType, rsaBitsOf, signKeygenRequest, signResharePlan, type SignedResharePlan } from '@qsign/protocol';
import { CoordinatorKeysRpcClient } from '@qsign/rpc';
import { coordinatorTransport, loadClientConfig } from '@qsign/client';
import { OFFICER_OPTION, loadOfficerKey } from '@qsign/client';
import { resharePlanFor } from '@qsign/client';
import { QsignClient } from '@qsign/client';
import { certifyKey, ensureCertificate, makeWindowedKey } from '@qsign/client';
import { parseDuration } from '@qsign/windows';
import { parseNodeList } from '@qsign/ceremony';
import { intOption } from '../io.js';
import { writeOutput } from '@qsign/client';
import { CLIENT_CONFIG } from './options.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/** How long `qsign keygen --type rsa…` waits for the dealer (the coordinator allows it an hour). */
const RSA_KEYGEN_WAIT_MS = 65 * 60_000;

/** Registers the commands of this module. */
export function register(program: Command): void {
  program
    .command('keygen')
    .description('create a key on the cluster (named by the email, as Copr\'s sign -u EMAIL expects) and print its OpenPGP fingerprint: Ed25519 by dealerless DKG, RSA by a dealer node (docs/threshold-rsa.md)')
    .requiredOption('--name <real-name>', 'real name for the user id')
    .requiredOption('--email <email>', 'email: the key name and the user id address')
    .option('--threshold <n>', 'signers needed (default: the coordinator\'s, a majority; nodes refuse less than their lifecycle.minThreshold)', intOption('--threshold', 2, 255))
    .option('--type <type>', `key type: ${KEY_TYPES.join(', ')} (RSA: one dealer node generates safe primes and deals the shares; RSA-4096 takes minutes)`, 'ed25519')
    .option('--window <duration>', 'make a windowed key: a certification-only primary and one signing subkey per window of this length (e.g. 7d; s, m, h, d, w)')
    .option('--windows <n>', 'with --window: subkeys made now, the current window and those after it (default 2)', intOption('--windows', 1, 64))
    .option('--expires <duration>', 'the key expires this long after its creation (e.g. 365d); the coordinator\'s renewal loop re-issues its self-signature ahead (docs/windows.md)')
    .option(...OFFICER_OPTION)
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      if (o.windows !== undefined && o.window === undefined) throw new QsignError('INVALID_ARGUMENT', '--windows needs --window DURATION');
      const windowSeconds = o.window === undefined ? undefined : windowDuration(o.window);
      const keyType = parseKeyType(o.type, '--type');
      if (windowSeconds !== undefined && keyType !== 'ed25519') throw new QsignError('INVALID_ARGUMENT', '--window makes Ed25519 subkeys; it cannot be combined with an RSA --type');
      const expiresSeconds = o.expires === undefined ? undefined : windowDuration(o.expires, '--expires');
      if (expiresSeconds !== undefined && windowSeconds !== undefined) throw new QsignError('INVALID_ARGUMENT', '--expires is for keys without windows: a windowed key\'s subkeys expire with their windows');
      if (!isKeyEmail(o.email)) throw new QsignError('INVALID_ARGUMENT', `--email ${JSON.stringify(o.email)} is not an email address (e.g. owner#project@copr.example.org)`);
      const config = loadClientConfig(o.config);
      const officer = loadOfficerKey(o.officer, config);
      const keys = new CoordinatorKeysRpcClient(config.coordinator, coordinatorTransport(config));
      const client = new QsignClient(config);
      try {
        const rsa = rsaBitsOf(keyType) !== undefined;
        process.stderr.write(rsa ? `generating ${keyType} for ${o.email} on the dealer node (requested by officer ${officer.name}); safe primes take a while…\n` : `running DKG for ${o.email} (requested by officer ${officer.name})…\n`);
        const userId = `${o.name} <${o.email}>`;
        if (windowSeconds !== undefined) {
          const say = (m: string) => process.stderr.write(`${m}\n`);
          const made = await makeWindowedKey(client, keys, { keyName: o.email, userId, threshold: o.threshold ?? 0, windowSeconds, windows: o.windows, officerSecretKey: officer.secretKey, say });
          process.stdout.write(`${bytesToHex(readCertificateFingerprint(made.certificate)).toUpperCase()}\n`);
          for (const w of made.windows) say(`subkey ${w.fingerprint.toUpperCase()}: ${new Date(w.start * 1000).toISOString()} – ${new Date(w.end * 1000).toISOString()}`);
          return;
        }
        const auth = signKeygenRequest({ keyName: o.email, userId, minSigners: o.threshold ?? 0, keyType }, officer.secretKey);
        const k = await keys.generateKey(o.email, userId, o.threshold ?? 0, auth, rsa ? RSA_KEYGEN_WAIT_MS : undefined, keyType);
        if (!k.created) throw new QsignError('KEY_EXISTS', `key ${o.email} already exists (fingerprint ${bytesToHex(k.fingerprint).toUpperCase()})`);
        await pinGeneratedKey(client, o.email, k.groupPublicKey);
        await certifyKey(client, o.email, expiresSeconds === undefined ? {} : { expiresUnixSeconds: k.createdUnixSeconds + expiresSeconds });
        process.stdout.write(`${bytesToHex(k.fingerprint).toUpperCase()}\n`);
        process.stderr.write(`key ${o.email}: ${k.minSigners}-of-${k.maxSigners}, group public key ${bytesToHex(k.groupPublicKey)}, self-certified by the cluster\n`);
      } finally {
        keys.close();
        client.close();
      }
    });

  program
    .command('officer')
    .description('officer keys: sign lifecycle operations (keygen, reshare), separate from signing client keys')
    .command('init')
    .description('create an officer key file (0600) and print the public key to list in every node config\'s "officers"')
    .requiredOption('--name <name>', 'officer name, as the node configs and audit records will show it')
    .requiredOption('--out <file>', 'officer key file to create (refuses to overwrite)')
    .action((o) => {
      if (existsSync(o.out)) throw new QsignError('INVALID_ARGUMENT', `${o.out} already exists; refusing to overwrite an officer key`);
      if (!/^[^\s\x00-\x1f]{1,64}$/.test(o.name)) throw new QsignError('INVALID_ARGUMENT', '--name must be 1-64 printable characters without spaces');
      const secretKey = ed25519.utils.randomSecretKey();
      writeFileSync(o.out, JSON.stringify({ name: o.name, secretKey: bytesToHex(secretKey) }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
      process.stdout.write(`${bytesToHex(ed25519.getPublicKey(secretKey))}\n`);
      process.stderr.write(`officer ${o.name}: add {"name": "${o.name}", "publicKey": <the line above>} to "officers" in every node config (or qsign node init --officer ${o.name}=<it>)\n`);
    });

  program
    .command('certificate')
    .description("print a key's OpenPGP certificate (armored), self-certifying it through the cluster first if it has none")
    .requiredOption('--key <name>', 'key name')
    .option('-o, --output <file>', 'output file (default stdout)')
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      const config = loadClientConfig(o.config);
      const client = new QsignClient(config);
      try {
        writeOutput(o.output, armor('PUBLIC KEY BLOCK', await ensureCertificate(client, o.key)));
      } finally {
        client.close();
      }
    });

  program
    .command('trust')
    .description("pin a key's group public key in the client config, once enough nodes attest it (each attestation signed by a node identity the config pins)")
    .requiredOption('--key <name>', 'key name')
    .option('--attestations <n>', 'node attestations needed (default: the config\'s trustThreshold; never fewer than the key\'s threshold)', intOption('--attestations', 2, 255))
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      const client = new QsignClient(loadClientConfig(o.config));
      try {
        const k = await client.trust(o.key, { needed: o.attestations });
        process.stdout.write(`${k.fingerprint.toUpperCase()}\n`);
        process.stderr.write(`pinned key ${o.key}: group key ${k.groupPublicKey}, ${k.minSigners}-of-${k.maxSigners}, attested by nodes ${k.attestedBy.join(', ')}\n`);
      } finally {
        client.close();
      }
    });

  const ceremony = program.commands.find((c) => c.name() === 'ceremony') ?? program.command('ceremony');
  ceremony
    .command('reshare')
    .description('move a key to a new node set / threshold without reconstructing it (signed with an officer key); the group key is unchanged, old shares outside the new set are retired once every new holder confirmed')
    .option('--key <name>', 'key name')
    .option('--dealers <ids>', 'old holders that deal, comma-separated (at least the old threshold)')
    .option('--threshold <n>', 'new threshold', intOption('--threshold', 0, 255))
    .option('--node <id=enrollment-pub>', 'every dealer and new holder with its enrollment public key; repeat', collect, [])
    .option('--nodes-file <file>', 'file listing "ID=ENROLLMENT_PUB" lines')
    .option('--new <ids>', 'new holders, comma-separated')
    .option('--resume <file>', 'run a signed plan saved by an earlier run again (after node operators approved its holds)')
    .option(...OFFICER_OPTION)
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      const config = loadClientConfig(o.config);
      const client = new QsignClient(config);
      const keys = new CoordinatorKeysRpcClient(config.coordinator, coordinatorTransport(config));
      try {
        if (o.key) refuseRsaReshare(o.key, await client.key(o.key));
        const signed = o.resume ? readSignedPlan(o.resume) : await newSignedPlan(o, client, loadOfficerKey(o.officer, config).secretKey);
        const plan = openResharePlan(signed);
        if (!o.key) refuseRsaReshare(plan.keyName, await client.key(plan.keyName));
        let r: Awaited<ReturnType<CoordinatorKeysRpcClient['reshare']>>;
        try {
          r = await keys.reshare(signed);
        } catch (e) {
          if (!isQsignError(e, 'HELD')) throw e;
          const file = o.resume ?? `reshare-${plan.planId}.json`;
          if (!o.resume) writeFileSync(file, JSON.stringify({ plan: Buffer.from(signed.plan).toString('base64'), publicKey: bytesToHex(signed.clientPublicKey), signature: bytesToHex(signed.clientSignature) }) + '\n', { mode: 0o600 });
          throw new QsignError('HELD', `${errorMessage(e)}; the signed plan is in ${file}: once each operator approved (qsign pending / qsign approve HOLD-ID), run 'qsign ceremony reshare --resume ${file}'`);
        }
        process.stdout.write(`key ${plan.keyName} reshared: ${plan.newThreshold}-of-${r.newHolders.length} on nodes ${r.newHolders.join(', ')}; retired on ${r.retired.join(', ') || 'none'}; group key unchanged ${bytesToHex(r.groupPublicKey)}\n`);
      } finally {
        client.close();
        keys.close();
      }
    });
}

/**
 * After a DKG: pins the new key only as the nodes attest it (not as the
 * coordinator's answer says), and checks the two agree.
 */
export async function pinGeneratedKey(client: QsignClient, keyName: string, reported: Uint8Array): Promise<void> {
  const k = await client.trust(keyName);
  if (k.groupPublicKey !== bytesToHex(reported))
    throw new QsignError('KEY_MISMATCH', `the coordinator reported group key ${bytesToHex(reported)} for the new key ${keyName}, but the nodes attest ${k.groupPublicKey}; pinned the attested key`);
}

/**
 * Refuses to reshare a threshold RSA key, naming the way that works: Shoup shares cannot be
 * re-randomised without p'q', so a new N-of-M needs the dealer again (docs/threshold-rsa.md).
 */
export function refuseRsaReshare(keyName: string, info: { scheme: string }): void {
  if (!isRsaKey(info)) return;
  throw new QsignError(
    'INVALID_ARGUMENT',
    `key ${keyName} is a threshold RSA key: a reshare needs the dealer again (RSA shares cannot be re-randomised without the primes). Re-split it from its secret key instead: 'qsign ceremony split --import-gpg SECRET.gpg --key-name ${keyName} --threshold N --node ID=ENROLLMENT_PUB …' with the gpg export kept offline as its recovery kit, then 'qsign node import' on every node; a key made on the cluster (keygen --type rsa…) has no copy to re-split: make a new key and rotate to it (docs/threshold-rsa.md, "Resharing an RSA key")`,
  );
}

/** Builds and signs a plan from the command's options. */
async function newSignedPlan(o: { key?: string; dealers?: string; threshold?: number; new?: string; node: string[]; nodesFile?: string }, client: QsignClient, officerSecretKey: Uint8Array): Promise<SignedResharePlan> {
  for (const f of ['key', 'dealers', 'threshold', 'new'] as const) if (o[f] === undefined) throw new QsignError('INVALID_ARGUMENT', `--${f} is required (or --resume FILE)`);
  const ids = (s: string) => s.split(',').map((x) => Number(x.trim())).sort((a, b) => a - b);
  const enroll = new Map(parseNodeList(o.node, o.nodesFile).map((n) => [n.id, n.enrollmentKey]));
  const pick = (list: number[]) =>
    list.map((id) => {
      const k = enroll.get(id);
      if (!k) throw new QsignError('INVALID_ARGUMENT', `no enrollment key given for node ${id} (--node ${id}=…)`);
      return { id, enrollmentKey: k };
    });
  const plan = resharePlanFor(o.key!, await client.key(o.key!), { dealers: pick(ids(o.dealers!)), newNodes: pick(ids(o.new!)), newThreshold: o.threshold! });
  return signResharePlan(plan, officerSecretKey);
}

/** Reads a signed plan saved by a held run. */
function readSignedPlan(file: string): SignedResharePlan {
  if (!existsSync(file)) throw new QsignError('INVALID_ARGUMENT', `no saved plan ${file}`);
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as { plan: string; publicKey: string; signature: string };
    return { plan: new Uint8Array(Buffer.from(o.plan, 'base64')), clientPublicKey: hexToBytes(o.publicKey), clientSignature: hexToBytes(o.signature) };
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `${file} is not a saved reshare plan: ${errorMessage(e)}`);
  }
}

/** Seconds of a duration option (--window, --expires, --warn); INVALID_ARGUMENT naming the flag, with the parser's reason. */
export function windowDuration(text: string, flag = '--window'): number {
  try {
    return parseDuration(text);
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `${flag}: ${errorMessage(e)}`);
  }
}

/** The primary's v4 fingerprint of a binary Ed25519 certificate. */
function readCertificateFingerprint(cert: Uint8Array): Uint8Array {
  const info = parseCertificate(cert);
  return ed25519Fingerprint(info.publicKey32, info.createdUnixSeconds);
}

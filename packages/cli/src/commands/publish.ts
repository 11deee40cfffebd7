/**
 * qsign repo sign, qsign container sign: sign what a build service publishes
 * (repository metadata, container images); nodes parse and record both.
 */
import type { RequestStatus } from '@qsign/proto';
import type { Command } from 'commander';
import { QsignError, isManifestDigest } from '@qsign/protocol';
import { loadClientConfig } from '@qsign/client';
import { QsignClient } from '@qsign/client';
import { intOption } from '../io.js';
import { writeOutput } from '@qsign/client';
import { publishHash, resolveKeyName, signContainer, signCosign, signRepository, writeLookaside } from '@qsign/client';
import { describeWait } from '@qsign/client';
import { digestAlgo } from './sign.js';
import { CLIENT_CONFIG } from './options.js';

/** Runs `fn` with a client from the command's config and the shared wait options. */
async function withClient<T>(o: { config?: string; wait: number }, fn: (client: QsignClient, wait: { waitMs: number; onStatus: (s: RequestStatus) => void }) => Promise<T>): Promise<T> {
  const client = new QsignClient(loadClientConfig(o.config));
  try {
    return await fn(client, { waitMs: o.wait * 1000, onStatus: (st) => process.stderr.write(`qsign: ${describeWait(st)}\n`) });
  } finally {
    client.close();
  }
}

/** Registers the commands of this module. */
export function register(program: Command): void {
  const WAIT = ['--wait <seconds>', 'how long to wait for nodes whose operators must approve the request', intOption('--wait', 1, 7 * 86400), 600] as const;
  const repo = program.command('repo').description('RPM repository metadata');
  repo
    .command('sign')
    .description('sign REPODIR/repodata/repomd.xml: writes repomd.xml.asc (armored detached signature, for dnf repo_gpgcheck); nodes record the revision and every metadata checksum')
    .argument('<repodir>', 'repository root (the directory holding repodata/)')
    .requiredOption('--key <key>', 'key: its name, user ID e-mail, key ID or fingerprint')
    .option('--digest-algo <algo>', 'hash: SHA256 (default) or SHA512', digestAlgo)
    .option(...WAIT)
    .option(...CLIENT_CONFIG)
    .action(async (dir: string, o) => {
      const out = await withClient(o, async (client, wait) => signRepository(client, await resolveKeyName(client, o.key), dir, { hashAlgorithm: publishHash(o.digestAlgo), ...wait }));
      process.stdout.write(`signed ${out}\n`);
    });

  const container = program.command('container').description('container image signatures (containers/image simple signing)');
  container
    .command('sign')
    .description('sign the claim "REFERENCE is the image with manifest DIGEST" as an OpenPGP signed message (what skopeo and podman verify)')
    .requiredOption('--key <key>', 'key: its name, user ID e-mail, key ID or fingerprint')
    .requiredOption('--reference <ref>', 'docker reference the image is published as, e.g. registry.example/proj/app:1.0')
    .requiredOption('--digest <digest>', 'manifest digest, sha256:<64 hex digits>')
    .option('-o, --output <file>', 'write the signature to this file ("-": stdout)')
    .option('--lookaside <dir>', 'write it into a lookaside store as <repository path>@sha256=<hex>/signature-N (containers-registries.d)')
    .option('--creator <text>', 'optional.creator of the payload', 'qsign')
    .option('--cosign', "cosign's variant: -o gets the base64 signature over the payload (cosign attach signature --signature), --payload the payload")
    .option('--payload <file>', 'with --cosign: write the signed payload here (cosign attach signature --payload)')
    .option('--digest-algo <algo>', 'hash: SHA256 (default) or SHA512', digestAlgo)
    .option(...WAIT)
    .option(...CLIENT_CONFIG)
    .action(async (o) => {
      if ((o.output === undefined) === (o.lookaside === undefined)) throw new QsignError('INVALID_ARGUMENT', 'say where the signature goes: -o FILE or --lookaside DIR (one of them)');
      if (!isManifestDigest(o.digest)) throw new QsignError('INVALID_ARGUMENT', `--digest must be sha256:<64 lowercase hex digits>, got ${JSON.stringify(o.digest)}`);
      const claim = { reference: o.reference, digest: o.digest, creator: o.creator, timestamp: Math.floor(Date.now() / 1000) };
      if (o.cosign) {
        if (o.lookaside !== undefined || o.payload === undefined) throw new QsignError('INVALID_ARGUMENT', 'with --cosign, give -o SIG and --payload FILE (cosign keeps signatures in the registry, not in a lookaside store)');
        const c = await withClient(o, async (client, wait) => signCosign(client, await resolveKeyName(client, o.key), claim, wait));
        writeOutput(o.payload, c.payload);
        writeOutput(o.output, c.signatureBase64);
        return;
      }
      if (o.payload !== undefined) throw new QsignError('INVALID_ARGUMENT', '--payload is only for --cosign (a simple signature carries its payload inside)');
      const sig = await withClient(o, async (client, wait) => signContainer(client, await resolveKeyName(client, o.key), claim, { hashAlgorithm: publishHash(o.digestAlgo), ...wait }));
      if (o.lookaside !== undefined) process.stdout.write(`signed ${writeLookaside(o.lookaside, o.reference, o.digest, sig)}\n`);
      else writeOutput(o.output, sig);
    });
}

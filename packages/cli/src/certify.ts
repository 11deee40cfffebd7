/**
 * Self-certification of a cluster key: the cluster signs the OpenPGP
 * certification digest (prepareCertification) and the certificate is stored
 * on the nodes, each of which checks the self-signature under the group key.
 *
 * Interim: the digest is signed as a 'raw' payload by the client. When the
 * 'certification' payload kind (nodes recompute the digest themselves) is on
 * main, swap `signDigest` for a certification request; nothing else changes.
 */
import { buildCertificate } from '@qsign/openpgp';
import { QsignError } from '@qsign/protocol';
import { CoordinatorKeysRpcClient } from '@qsign/rpc';
import type { QsignClient } from './client.js';
import type { ClientConfig } from './client-config.js';

/** Builds the key's self-signed certificate through the cluster and stores it on the nodes; returns it (binary). */
export async function certifyKey(client: QsignClient, config: ClientConfig, keyName: string): Promise<Uint8Array> {
  const info = await client.key(keyName);
  if (!info.userId) throw new QsignError('INVALID_ARGUMENT', `key ${keyName} has no user id to certify`);
  const signDigest = async (digest: Uint8Array) => (await client.sign({ keyName, kind: 'raw', data: digest })).signature;
  const cert = await buildCertificate({ publicKey: info.groupPublicKey, createdUnixSeconds: info.createdUnixSeconds, userId: info.userId, sign: signDigest });
  const keys = new CoordinatorKeysRpcClient(config.coordinator);
  try {
    await keys.setCertificate(keyName, cert);
  } finally {
    keys.close();
  }
  return cert;
}

/** The key's certificate: the stored one, or a new one made with {@link certifyKey}. */
export async function certificateOf(client: QsignClient, config: ClientConfig, keyName: string): Promise<Uint8Array> {
  const info = await client.key(keyName);
  return info.certificate.length > 0 ? info.certificate : certifyKey(client, config, keyName);
}

/**
 * `-u`/`--key` as gpg and obs-sign read it (`resolveKeyQuery` in @qsign/protocol): the
 * key's name, an e-mail or user ID, its key ID or its fingerprint, resolved among the keys
 * this client pins. Fingerprints and key IDs come from the pins themselves; user IDs only
 * from the key's certificate once it checks out against the pin (its self-certifications),
 * so a coordinator cannot steer an e-mail to another key.
 */
import { parseCertificate } from '@qsign/openpgp';
import { QsignError, describeKeyQuery, isQsignError, isRsaKey, isValidKeyName, parseKeyQuery, parseSubkeyName, resolveKeyQuery, verifiedRsaUserIds, type KeyCandidate } from '@qsign/protocol';
import type { QsignClient } from './client.js';
import { keyContext } from './openpgp-sign.js';

/** The user IDs of pinned key `name` a query may match; [] if its record cannot be had or does not check out. */
async function userIdsOf(client: QsignClient, name: string): Promise<string[]> {
  try {
    const info = await client.key(name);
    const cert = await client.certificate(name);
    if (!cert) return []; // the key record's user ID is only the coordinator's word
    return isRsaKey(info) ? verifiedRsaUserIds(cert, keyContext(info)) : parseCertificate(cert).userIds;
  } catch {
    return [];
  }
}

/**
 * The cluster key name `query` names. A name the client pins, or one the cluster knows,
 * is used as it is; otherwise the pinned keys (windows' subkeys aside) are searched by
 * fingerprint, key ID, user ID and e-mail.
 *
 * @throws QsignError UNKNOWN_KEY saying what was looked for; INVALID_ARGUMENT if several keys match.
 */
export async function resolveKeyName(client: QsignClient, query: string): Promise<string> {
  const pins = client.pinnedKeys();
  if (pins.has(query)) return query;
  const q = parseKeyQuery(query);
  if (q.kind === 'text' && isValidKeyName(query)) {
    try {
      await client.pinned(query);
      return query;
    } catch (e) {
      if (isQsignError(e, 'UNTRUSTED_KEY')) return query; // the cluster holds it; signing says why it is not trusted
      if (!isQsignError(e, 'UNKNOWN_KEY')) throw e;
    }
  }
  const names = [...pins.keys()].filter((n) => parseSubkeyName(n) === undefined);
  const candidates: KeyCandidate[] = await Promise.all(
    names.map(async (name) => ({ name, fingerprint: pins.get(name)!.fingerprint, userIds: q.kind === 'text' ? await userIdsOf(client, name) : [] })),
  );
  const hit = resolveKeyQuery(query, candidates);
  if (hit) return hit;
  const byName = q.kind === 'text' ? 'the cluster has no key of that name, and ' : '';
  throw new QsignError('UNKNOWN_KEY', `unknown key ${query}: ${byName}none of the ${names.length} keys pinned in ${client.configName} has that ${describeKeyQuery(q)}`);
}

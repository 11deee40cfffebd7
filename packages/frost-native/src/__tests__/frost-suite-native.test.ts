// The whole @qsign/frost unit suite (RFC 9591 vectors, noble byte-compatibility, security
// refusals, DKG, reshare, recovery) re-run with the libsodium backend and OpenSSL's SHA-512
// installed on the same module instance those tests import (frost's src, not its dist).
import { describe, expect, it } from 'vitest';
import { pointBackend, setPointBackend, setSha512 } from '../../../frost/src/index.js';
import { loadSodiumBackend, opensslSha512 } from '../index.js';

setPointBackend(loadSodiumBackend());
setSha512(opensslSha512);

describe('frost suite under libsodium', () => {
  it('runs with the libsodium backend installed', () => {
    expect(pointBackend().name).toBe('libsodium');
  });
});

await import('../../../frost/src/__tests__/rfc9591-vectors.test.js');
await import('../../../frost/src/__tests__/noble-compat.test.js');
await import('../../../frost/src/__tests__/security.test.js');
await import('../../../frost/src/__tests__/dkg.test.js');
await import('../../../frost/src/__tests__/reshare.test.js');
await import('../../../frost/src/__tests__/recovery.test.js');

import { describe, expect, it } from 'vitest';
import { keyType } from '../key-status.js';

describe('key status: key type', () => {
  it('names Ed25519 keys ed25519 and RSA keys by the modulus size in MPI(n) ‖ MPI(e)', () => {
    expect(keyType('', new Uint8Array(32))).toBe('ed25519');
    expect(keyType('frost-ed25519', new Uint8Array(32))).toBe('ed25519');
    const mpi = (bits: number) => Uint8Array.from([bits >> 8, bits & 0xff, ...new Uint8Array(Math.ceil(bits / 8)).fill(0xff), 0, 17, 1, 0, 1]);
    expect(keyType('rsa-shoup', mpi(2048))).toBe('rsa2048');
    expect(keyType('rsa-shoup', mpi(4096))).toBe('rsa4096');
  });
});

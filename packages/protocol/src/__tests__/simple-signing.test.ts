/**
 * What a node parses from a `container` request: containers/image simple
 * signing payloads (containers-signature(5)); unknown critical members and
 * anything with a second reading are refused (issue 14, acceptance 3 at unit level).
 */
import { describe, expect, it } from 'vitest';
import { isQsignError, lookasidePath, parseDockerReference, parseSimpleSigning, simpleSigningPayload } from '../index.js';
import { malformedReason } from './helpers.js';

const D = `sha256:${'ab'.repeat(32)}`;
const refusal = (b: Uint8Array | string): string => malformedReason(parseSimpleSigning, b);
const json = (critical: Record<string, unknown>, optional: unknown = { creator: 'qsign', timestamp: 1 }) => JSON.stringify({ critical, optional });
const CRIT = { identity: { 'docker-reference': 'registry.example/proj/app:1.0' }, image: { 'docker-manifest-digest': D }, type: 'atomic container signature' };

describe('simple-signing payloads', () => {
  it('writes the compact, key-sorted form containers/image writes, and reads it back', () => {
    const p = simpleSigningPayload({ reference: 'registry.example/proj/app:1.0', digest: D, creator: 'qsign', timestamp: 1484683104 });
    expect(new TextDecoder().decode(p)).toBe(
      `{"critical":{"identity":{"docker-reference":"registry.example/proj/app:1.0"},"image":{"docker-manifest-digest":"${D}"},"type":"atomic container signature"},"optional":{"creator":"qsign","timestamp":1484683104}}`,
    );
    expect(parseSimpleSigning(p)).toEqual({ reference: 'registry.example/proj/app:1.0', digest: D, creator: 'qsign', timestamp: 1484683104 });
    expect(parseSimpleSigning(simpleSigningPayload({ reference: 'a/b', digest: D }))).toEqual({ reference: 'a/b', digest: D });
  });

  const refused: Array<[string, string, RegExp]> = [
    ['an unknown critical member', json({ ...CRIT, extra: 1 }), /unknown member critical\.extra/],
    ['an unknown critical.image member', json({ ...CRIT, image: { ...CRIT.image, size: 3 } }), /unknown member critical\.image\.size/],
    ['an unknown critical.identity member', json({ ...CRIT, identity: { ...CRIT.identity, tag: 'x' } }), /unknown member critical\.identity\.tag/],
    ['a missing critical.identity', json({ image: CRIT.image, type: CRIT.type }), /critical\.identity is missing/],
    ['another signature type', json({ ...CRIT, type: 'my container signature' }), /critical\.type must be "atomic container signature"/],
    ['a null optional in an atomic payload', json(CRIT, null), /optional must be a JSON object/],
    ['a malformed digest', json({ ...CRIT, image: { 'docker-manifest-digest': 'sha256:XYZ' } }), /docker-manifest-digest must be/],
    ['an uppercase repository path', json({ ...CRIT, identity: { 'docker-reference': 'registry.example/Proj/app' } }), /not a valid image reference/],
    ['a top-level extra member', JSON.stringify({ critical: CRIT, optional: {}, x: 1 }), /unknown member payload\.x/],
    ['no optional object', JSON.stringify({ critical: CRIT }), /payload\.optional is missing/],
    ['an unsigned optional member', json(CRIT, { creator: 'x', note: 'y' }), /optional\.note is not signed/],
    ['a fractional timestamp', json(CRIT, { timestamp: 1.5 }), /timestamp must be a non-negative integer/],
    ['white space (not the canonical form)', JSON.stringify({ critical: CRIT, optional: { creator: 'qsign', timestamp: 1 } }, null, 1), /canonical form/],
    ['a duplicate key (a second reading)', json(CRIT).replace('"critical":{', `"critical":{"identity":{"docker-reference":"evil.example/x"},`), /canonical form/],
    ['keys in another order', JSON.stringify({ optional: {}, critical: CRIT }), /canonical form/],
    ['not JSON', '{"critical":', /not UTF-8 JSON/],
    ['a JSON array', '[]', /must be a JSON object/],
  ];
  for (const [what, payload, why] of refused) {
    it(`refuses ${what}, saying why`, () => {
      expect(refusal(payload)).toMatch(why);
    });
  }

  it("reads cosign's variant (optional null, as cosign generate writes it) and records its format", () => {
    const p = simpleSigningPayload({ format: 'cosign', reference: 'registry.example/proj/app', digest: D });
    expect(new TextDecoder().decode(p)).toBe(`{"critical":{"identity":{"docker-reference":"registry.example/proj/app"},"image":{"docker-manifest-digest":"${D}"},"type":"cosign container image signature"},"optional":null}`);
    expect(parseSimpleSigning(p)).toEqual({ format: 'cosign', reference: 'registry.example/proj/app', digest: D });
    expect(parseSimpleSigning(simpleSigningPayload({ format: 'cosign', reference: 'a/b', digest: D, creator: 'x' }))).toEqual({ format: 'cosign', reference: 'a/b', digest: D, creator: 'x' });
  });

  it('parses docker references as distribution/reference does', () => {
    expect(parseDockerReference('registry.example:5000/proj/app:1.0')).toEqual({ domain: 'registry.example:5000', path: 'proj/app', tag: '1.0' });
    expect(parseDockerReference(`localhost/app@${D}`)).toEqual({ domain: 'localhost', path: 'app', digest: D });
    expect(parseDockerReference('busybox')).toEqual({ path: 'busybox' });
    for (const bad of ['', 'a//b', 'Registry/App', 'a/b:', 'a/b:-x', `a/b@sha256:${'0'.repeat(10)}`, 'a/../b', 'a b'])
      expect(() => parseDockerReference(bad), bad).toThrow(/simple-signing payload refused/);
  });

  it('places signatures where containers-registries.d lookaside stores look for them', () => {
    expect(lookasidePath('registry.example/proj/app:1.0', D)).toBe(`proj/app@sha256=${'ab'.repeat(32)}/signature-1`);
    expect(lookasidePath('busybox:latest', D, 2)).toBe(`library/busybox@sha256=${'ab'.repeat(32)}/signature-2`);
  });

  it('3000 mutated payloads either parse or are refused with MALFORMED_REQUEST', () => {
    const base = simpleSigningPayload({ reference: 'registry.example/proj/app:1.0', digest: D, creator: 'qsign', timestamp: 1 });
    let s = 12345;
    const rand = (n: number) => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (let n = 0; n < 3000; n++) {
      const b = base.slice(0, rand(4) === 0 ? rand(base.length) : base.length);
      for (let k = 1 + rand(3); k > 0 && b.length > 0; k--) b[rand(b.length)] = rand(256);
      try {
        parseSimpleSigning(b);
      } catch (e) {
        if (!isQsignError(e, 'MALFORMED_REQUEST')) throw new Error(`mutation ${n} escaped as ${String(e)}`);
      }
    }
  });
});

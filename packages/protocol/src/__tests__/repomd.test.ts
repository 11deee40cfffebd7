/**
 * What a node parses from a `repomd` request: createrepo_c's repomd.xml,
 * and a bounded XML reader that refuses DTDs, entity expansion and malformed
 * input with a reason (issue 14, acceptance 3 at unit level).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { isQsignError, parseRepomd, parseXml, type XmlLimits } from '../index.js';
import { malformedReason } from './helpers.js';

const fixture = readFileSync(new URL('./fixtures/repomd.xml', import.meta.url), 'utf8');
const enc = (s: string) => new TextEncoder().encode(s);
const refusal = (s: string | Uint8Array, parse: (b: Uint8Array) => unknown = parseRepomd): string => malformedReason(parse, s);
const repomd = (inner: string, rootAttrs = 'xmlns="http://linux.duke.edu/metadata/repo"') => `<?xml version="1.0" encoding="UTF-8"?>\n<repomd ${rootAttrs}>${inner}</repomd>`;
const DATA = (type = 'primary', href = `repodata/x-${type}.xml.gz`, sum = 'a'.repeat(64)) =>
  `<data type="${type}"><checksum type="sha256">${sum}</checksum><location href="${href}"/><size>1</size></data>`;

describe('parseRepomd', () => {
  it("reads createrepo_c's repomd.xml: revision and every metadata file with its checksum", () => {
    const f = parseRepomd(enc(fixture));
    expect(f.revision).toBe('1796118823');
    expect(f.data.map((d) => d.type)).toEqual(['primary', 'filelists', 'other', 'primary_db', 'filelists_db', 'other_db']);
    expect(f.data[0]).toEqual({
      type: 'primary',
      location: 'repodata/1cb61ea996355add02b1426ed4c1780ea75ce0c04c5d1107c025c3fbd7d8bcae-primary.xml.gz',
      checksum: { type: 'sha256', value: '1cb61ea996355add02b1426ed4c1780ea75ce0c04c5d1107c025c3fbd7d8bcae' },
      openChecksum: { type: 'sha256', value: 'e1e2ffd2fb1ee76f87b70750d00ca5677a252b397ab6c2389137a0c33e7b359f' },
      size: 134,
      timestamp: 1796118823,
    });
  });

  it('decodes the predefined entities and character references, and CDATA', () => {
    const f = parseRepomd(enc(repomd(`<revision>a&amp;b&#x41;&#66;<![CDATA[<c>]]></revision>${DATA()}`)));
    expect(f.revision).toBe('a&bAB<c>');
  });

  const refused: Array<[string, string, RegExp]> = [
    ['an unclosed element', repomd(`<revision>1${DATA()}`), /not well-formed.*(does not match|not closed)/],
    ['a mismatched end tag', repomd(`<revision>1</revisio>${DATA()}`), /does not match/],
    ['a billion-laughs DOCTYPE', `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>&lol2;</revision></repomd>`, /DOCTYPE \(DTD\) is refused/],
    ['an external entity', `<!DOCTYPE r SYSTEM "file:///etc/passwd"><repomd/>`, /DOCTYPE/],
    ['an undeclared entity', repomd(`<revision>&lol;</revision>${DATA()}`), /entity &lol; is not one of the five predefined/],
    ['a bare ampersand', repomd(`<revision>a & b</revision>${DATA()}`), /"&" must start an entity/],
    ['a processing instruction', repomd(`<?php x ?><revision>1</revision>${DATA()}`), /processing instructions are refused/],
    ['text after the root', repomd(`<revision>1</revision>${DATA()}`) + 'junk', /text outside the root/],
    ['two roots', repomd(`<revision>1</revision>${DATA()}`) + '<repomd/>', /more than one root/],
    ['a duplicate attribute', repomd(`<revision>1</revision><data type="a" type="b"/>`), /duplicate attribute/],
    ['an unquoted attribute', repomd(`<revision>1</revision><data type=a/>`), /must be quoted/],
    ['a control-character reference', repomd(`<revision>&#0;</revision>${DATA()}`), /not an XML character/],
    ['invalid UTF-8', new Uint8Array([0x3c, 0x72, 0xff, 0x3e]), /UTF-8/],
    ['another root element', `<metalink xmlns="http://linux.duke.edu/metadata/repo"/>`, /not <repomd>/],
    ['another namespace', repomd(`<revision>1</revision>${DATA()}`, 'xmlns="urn:evil"'), /namespace/],
    ['no revision', repomd(DATA()), /no <revision>/],
    ['no metadata files', repomd('<revision>1</revision>'), /lists no metadata files/],
    ['a type listed twice', repomd(`<revision>1</revision>${DATA()}${DATA()}`), /listed twice/],
    ['a checksum of the wrong length', repomd(`<revision>1</revision>${DATA('primary', 'repodata/p.xml.gz', 'ab')}`), /not a sha256 hex digest/],
    ['an unknown checksum type', repomd(`<revision>1</revision><data type="p"><checksum type="crc32">00</checksum><location href="a"/></data>`), /unknown checksum type/],
    ['a location outside the repository', repomd(`<revision>1</revision>${DATA('primary', '../../etc/passwd')}`), /inside the repository/],
    ['a location with xml:base', repomd(`<revision>1</revision><data type="p"><checksum type="sha256">${'a'.repeat(64)}</checksum><location xml:base="https://evil.example/" href="a"/></data>`), /may only have href/],
    ['an absolute location', repomd(`<revision>1</revision>${DATA('primary', '/etc/passwd')}`), /inside the repository/],
    ['a location with a scheme', repomd(`<revision>1</revision>${DATA('primary', 'https://evil.example/p.xml.gz')}`), /inside the repository/],
    ['a negative size', repomd(`<revision>1</revision><data type="p"><checksum type="sha256">${'a'.repeat(64)}</checksum><location href="a"/><size>-1</size></data>`), /non-negative integer/],
  ];
  for (const [what, doc, why] of refused) {
    it(`refuses ${what}, saying why`, () => {
      expect(refusal(doc)).toMatch(why);
    });
  }

  it('refuses documents over the size, depth and element limits before doing the work', () => {
    expect(refusal(repomd(`<revision>1</revision>${DATA()}<!--${'x'.repeat(300_000)}-->`))).toMatch(/exceeds the limit/);
    expect(refusal(repomd(`<revision>1</revision>${DATA()}${'<a>'.repeat(20)}${'</a>'.repeat(20)}`))).toMatch(/nested deeper than 8/);
    const limits: XmlLimits = { maxElements: 100 };
    expect(refusal(`<r>${'<a/>'.repeat(200)}</r>`, (b) => parseXml(b, limits))).toMatch(/more than 100 elements/);
  });

  it('treats an attribute named __proto__ as a name, not a prototype', () => {
    const el = parseXml(enc('<a __proto__="x" b="y"/>'));
    expect(el.attributes.__proto__).toBe('x');
    expect(Object.keys(el.attributes)).toEqual(['__proto__', 'b']);
  });

  it('3000 mutated repomd.xml files either parse or are refused with MALFORMED_REQUEST (nothing else escapes)', () => {
    let s = 0x9e3779b9;
    const rand = (n: number) => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) % n;
    };
    const base = enc(fixture);
    const pieces = ['<', '>', '&', '&#', ';', '"', "'", '<!DOCTYPE x>', '<![CDATA[', ']]>', '<!--', '-->', '</data>', '<data type="primary">', '\u0000', '&lt;', '<?', '/>'];
    let accepted = 0;
    for (let n = 0; n < 3000; n++) {
      let b = base.slice();
      for (let k = 1 + rand(4); k > 0; k--) {
        const at = rand(b.length);
        switch (rand(4)) {
          case 0:
            b[at] = rand(256);
            break;
          case 1:
            b = b.slice(0, at);
            break;
          case 2: {
            const p = enc(pieces[rand(pieces.length)]!);
            const c = new Uint8Array(b.length + p.length);
            c.set(b.subarray(0, at));
            c.set(p, at);
            c.set(b.subarray(at), at + p.length);
            b = c;
            break;
          }
          default:
            b = new Uint8Array([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + 1 + rand(40)))]);
        }
      }
      try {
        parseRepomd(b);
        accepted++;
      } catch (e) {
        if (!isQsignError(e, 'MALFORMED_REQUEST')) throw new Error(`mutation ${n} escaped as ${String(e)}`);
      }
    }
    expect(accepted).toBeLessThan(3000);
  });
});

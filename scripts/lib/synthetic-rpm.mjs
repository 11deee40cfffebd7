// A small but complete synthetic RPM file for the bench scripts (bench.mjs, bench-mass.mjs):
// many distinct packages without running rpmbuild thousands of times. Built with @qsign/rpm's
// own header writer; nodes parse them like any real package.
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { buildHeader, RpmTag, RpmType, LEAD_MAGIC, LEAD_SIZE, RPMSIGTYPE_HEADERSIG } = await import(join(root, 'packages/rpm/dist/index.js'));

const enc = new TextEncoder();
const str = (tag, s) => ({ tag, type: RpmType.STRING, count: 1, data: enc.encode(s + '\0') });
const strs = (tag, xs) => ({ tag, type: RpmType.STRING_ARRAY, count: xs.length, data: enc.encode(xs.map((x) => x + '\0').join('')) });
const i32 = (tag, xs) => {
  const b = new Uint8Array(4 * xs.length);
  xs.forEach((x, i) => new DataView(b.buffer).setInt32(4 * i, x));
  return { tag, type: RpmType.INT32, count: xs.length, data: b };
};
const sha256hex = (b) => createHash('sha256').update(b).digest('hex');

/** A small but complete RPM file (lead, signature header, main header, payload) for package `name`. */
export function syntheticRpm(name) {
  const payload = enc.encode(`${name} payload`);
  const main = buildHeader(RpmTag.HEADERIMMUTABLE, [
    str(RpmTag.NAME, name),
    str(RpmTag.VERSION, '1.0'),
    str(RpmTag.RELEASE, '1'),
    str(RpmTag.ARCH, 'noarch'),
    str(RpmTag.BUILDHOST, 'builder.example.org'),
    i32(RpmTag.BUILDTIME, [1_760_000_000]),
    str(RpmTag.SOURCERPM, `${name}-1.0-1.src.rpm`),
    strs(RpmTag.PAYLOADDIGEST, [sha256hex(payload)]),
    i32(RpmTag.PAYLOADDIGESTALGO, [8]),
  ]);
  const sig = buildHeader(62 /* RPMTAG_HEADERSIGNATURES */, [str(273 /* RPMSIGTAG_SHA256 */, sha256hex(main))]);
  const lead = new Uint8Array(LEAD_SIZE);
  lead.set(LEAD_MAGIC, 0);
  lead[4] = 3; // major
  lead.set(enc.encode(`${name}-1.0-1`).subarray(0, 65), 10);
  lead[79] = RPMSIGTYPE_HEADERSIG;
  const pad = (8 - (sig.length % 8)) % 8;
  return Buffer.concat([lead, sig, new Uint8Array(pad), main, payload]);
}


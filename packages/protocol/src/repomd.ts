/**
 * Repository metadata (`repodata/repomd.xml`, as createrepo_c writes it and
 * librepo / dnf read it): what a node parses from a `repomd` request before
 * it signs, and records in its audit log — the revision and every listed
 * metadata file with its checksum. Pure; bounded by {@link parseXml}.
 */
import { QsignError } from './errors.js';
import { localName, parseXml, type XmlElement } from './xml.js';

/** The namespace of repomd.xml (createrepo_c `CR_XML_REPOMD_NS`). */
export const REPOMD_NAMESPACE = 'http://linux.duke.edu/metadata/repo';

/** Largest repomd.xml a node parses (real ones are a few KiB). */
export const MAX_REPOMD_BYTES = 256 * 1024;
/** Most `<data>` entries accepted (createrepo_c writes about a dozen). */
export const MAX_REPOMD_DATA = 256;

/** Hex digest lengths of the checksum types repomd.xml uses. */
const CHECKSUM_HEX: Record<string, number> = { md5: 32, sha: 40, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128 };

/** A checksum as repomd.xml states it. */
export interface RepomdChecksum {
  type: string;
  value: string;
}

/** One `<data>` entry: a metadata file the signature vouches for. */
export interface RepomdData {
  /** "primary", "filelists", "other", "updateinfo", … */
  type: string;
  /** `location href`, relative to the repository root. */
  location: string;
  checksum: RepomdChecksum;
  openChecksum?: RepomdChecksum;
  size?: number;
  timestamp?: number;
}

/** What a node records about a repomd.xml it signs. */
export interface RepomdFacts {
  revision: string;
  data: RepomdData[];
}

function refuse(why: string): never {
  throw new QsignError('MALFORMED_REQUEST', `repomd.xml refused: ${why}`);
}

function child(el: XmlElement, name: string, where: string, required: boolean): XmlElement | undefined {
  const found = el.children.filter((c) => localName(c) === name);
  if (found.length > 1) refuse(`${where} has ${found.length} <${name}> elements`);
  if (required && found.length === 0) refuse(`${where} has no <${name}>`);
  return found[0];
}

function checksum(el: XmlElement | undefined, where: string): RepomdChecksum | undefined {
  if (!el) return undefined;
  const type = (el.attributes.type ?? '').toLowerCase();
  const value = el.text.trim().toLowerCase();
  if (!(type in CHECKSUM_HEX)) refuse(`${where} has unknown checksum type ${JSON.stringify(type.slice(0, 20))}`);
  if (!new RegExp(`^[0-9a-f]{${CHECKSUM_HEX[type]}}$`).test(value)) refuse(`${where} is not a ${type} hex digest`);
  return { type, value };
}

function count(el: XmlElement | undefined, where: string): number | undefined {
  if (!el) return undefined;
  const t = el.text.trim();
  if (!/^[0-9]{1,15}$/.test(t)) refuse(`${where} must be a non-negative integer`);
  return Number(t);
}

/** A relative path inside the repository: no scheme, no absolute path, no "..", printable. */
function location(href: string | undefined, where: string): string {
  if (href === undefined || href === '') refuse(`${where} has no href`);
  if (href.length > 1024 || !/^[\x21-\x7e]+$/.test(href)) refuse(`${where} href must be 1-1024 printable ASCII characters`);
  if (href.startsWith('/') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(href) || href.split('/').includes('..'))
    refuse(`${where} href ${JSON.stringify(href.slice(0, 80))} must be a path inside the repository`);
  return href;
}

/**
 * Parses repomd.xml (createrepo_c's format: root `<repomd>` in
 * {@link REPOMD_NAMESPACE}, `<revision>`, `<data type>` entries with
 * `<checksum>`, `<location href>`, optional `<open-checksum>`, `<size>`,
 * `<timestamp>`). Throws MALFORMED_REQUEST saying why it is refused.
 */
export function parseRepomd(bytes: Uint8Array): RepomdFacts {
  const root = parseXml(bytes, { maxBytes: MAX_REPOMD_BYTES, maxDepth: 8, maxElements: 16 * MAX_REPOMD_DATA + 64 });
  if (localName(root) !== 'repomd') refuse(`root element is <${root.name}>, not <repomd>`);
  const prefix = root.name.includes(':') ? `xmlns:${root.name.split(':')[0]}` : 'xmlns';
  if (root.attributes[prefix] !== REPOMD_NAMESPACE) refuse(`<repomd> is not in the namespace ${REPOMD_NAMESPACE}`);
  const rev = child(root, 'revision', '<repomd>', true)!.text.trim();
  if (!/^[\x20-\x7e]{1,128}$/.test(rev)) refuse('<revision> must be 1-128 printable ASCII characters');
  const entries = root.children.filter((c) => localName(c) === 'data');
  if (entries.length === 0) refuse('it lists no metadata files (<data>)');
  if (entries.length > MAX_REPOMD_DATA) refuse(`it lists ${entries.length} metadata files; at most ${MAX_REPOMD_DATA} are accepted`);
  const seen = new Set<string>();
  const data = entries.map((d, i): RepomdData => {
    const type = d.attributes.type ?? '';
    const where = `<data type="${type.slice(0, 40)}"> (entry ${i + 1})`;
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(type)) refuse(`${where} needs a type of 1-64 letters, digits, . _ -`);
    if (seen.has(type)) refuse(`metadata type ${type} is listed twice`);
    seen.add(type);
    const openChecksum = checksum(child(d, 'open-checksum', where, false), `${where} <open-checksum>`);
    const size = count(child(d, 'size', where, false), `${where} <size>`);
    const timestamp = count(child(d, 'timestamp', where, false), `${where} <timestamp>`);
    const loc = child(d, 'location', where, true)!;
    // xml:base would move the file to another server than the record says: refuse rather than record half of it.
    if (Object.keys(loc.attributes).some((a) => a !== 'href')) refuse(`${where} <location> may only have href (xml:base and others are not accepted)`);
    return {
      type,
      location: location(loc.attributes.href, `${where} <location>`),
      checksum: checksum(child(d, 'checksum', where, true), `${where} <checksum>`)!,
      ...(openChecksum && { openChecksum }),
      ...(size !== undefined && { size }),
      ...(timestamp !== undefined && { timestamp }),
    };
  });
  return { revision: rev, data };
}

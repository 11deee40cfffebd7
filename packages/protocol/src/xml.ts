/**
 * A small, bounded, non-validating XML 1.0 reader for metadata a node must
 * parse before it signs (repomd.xml). It builds an element tree and refuses
 * everything it does not need rather than guessing: no DOCTYPE (so no DTD, no
 * entity declarations, no external entities, no "billion laughs"), no
 * processing instructions except the XML declaration, only the five
 * predefined entities and numeric character references (XML 1.0 §4.1, §4.6).
 * Work and memory are linear in the input, which is itself bounded.
 */
import { QsignError } from './errors.js';

/** An element: its name (with any namespace prefix), attributes, children and text content. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element (not of its children). */
  text: string;
}

/** Limits of {@link parseXml}. */
export interface XmlLimits {
  /** Largest input in bytes (default 1 MiB). */
  maxBytes?: number;
  /** Deepest element nesting (default 32). */
  maxDepth?: number;
  /** Most elements (default 20 000). */
  maxElements?: number;
  /** Most attributes on one element (default 32). */
  maxAttributes?: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9._:-]*$/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function bad(offset: number, why: string): never {
  throw new QsignError('MALFORMED_REQUEST', `XML is not well-formed at byte ${offset}: ${why}`);
}

/** Replaces the predefined entities and character references; refuses any other entity. */
function decodeText(raw: string, at: number): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&<]{0,12});?/g, (m, ref: string) => {
    if (!m.endsWith(';')) bad(at, `"&" must start an entity reference ending in ";"`);
    if (ref in PREDEFINED) return PREDEFINED[ref]!;
    const num = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (!num) bad(at, `entity &${ref}; is not one of the five predefined ones (DTD entities are refused)`);
    const cp = num[1] !== undefined ? parseInt(num[1], 16) : parseInt(num[2]!, 10);
    const legal = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!legal) bad(at, `character reference &${ref}; is not an XML character`);
    return String.fromCodePoint(cp);
  });
}

/**
 * Parses a UTF-8 XML document into its root element (XML 1.0 §2.1 document,
 * §3 elements, §2.6 comments, §2.7 CDATA). Throws MALFORMED_REQUEST naming
 * the byte offset and the problem.
 */
export function parseXml(bytes: Uint8Array, limits: XmlLimits = {}): XmlElement {
  const maxBytes = limits.maxBytes ?? 1 << 20;
  const maxDepth = limits.maxDepth ?? 32;
  const maxElements = limits.maxElements ?? 20_000;
  const maxAttributes = limits.maxAttributes ?? 32;
  if (!(bytes instanceof Uint8Array)) bad(0, 'input is not bytes');
  if (bytes.length > maxBytes) throw new QsignError('MALFORMED_REQUEST', `XML document of ${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    bad(0, 'not valid UTF-8');
  }
  // Offsets in messages are string offsets; close enough to bytes for ASCII metadata.
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  const skipSpace = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  };
  if (s.startsWith('<?xml')) {
    const end = s.indexOf('?>');
    if (end < 0) bad(0, 'unterminated XML declaration');
    const decl = s.slice(5, end);
    if (!/^\s+version\s*=\s*["']1\.[0-9]+["'](\s+encoding\s*=\s*["'][Uu][Tt][Ff]-?8["'])?(\s+standalone\s*=\s*["'](yes|no)["'])?\s*$/.test(decl))
      bad(0, 'XML declaration must name version 1.x and, if any, encoding UTF-8');
    i = end + 2;
  }
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const textEnd = lt < 0 ? s.length : lt;
    if (textEnd > i) {
      const raw = s.slice(i, textEnd);
      if (raw.includes(']]>')) bad(i, '"]]>" is not allowed in character data');
      const top = stack[stack.length - 1];
      if (!top) {
        if (raw.trim() !== '') bad(i, 'text outside the root element');
      } else top.text += decodeText(raw, i);
      i = textEnd;
      continue;
    }
    // s[i] === '<'
    if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i + 4);
      if (end < 0) bad(i, 'unterminated comment');
      if (s.slice(i + 4, end).includes('--')) bad(i, '"--" inside a comment');
      i = end + 3;
    } else if (s.startsWith('<![CDATA[', i)) {
      const top = stack[stack.length - 1];
      if (!top) bad(i, 'CDATA outside the root element');
      const end = s.indexOf(']]>', i + 9);
      if (end < 0) bad(i, 'unterminated CDATA section');
      top.text += s.slice(i + 9, end);
      i = end + 3;
    } else if (s.startsWith('<!', i)) {
      bad(i, s.startsWith('<!DOCTYPE', i) ? 'a DOCTYPE (DTD) is refused: no entity declarations are accepted' : 'markup declarations are refused');
    } else if (s.startsWith('<?', i)) {
      bad(i, 'processing instructions are refused');
    } else if (s[i + 1] === '/') {
      const end = s.indexOf('>', i);
      if (end < 0) bad(i, 'unterminated end tag');
      const name = s.slice(i + 2, end).trim();
      const top = stack.pop();
      if (!top || top.name !== name) bad(i, `end tag </${name}> does not match ${top ? `<${top.name}>` : 'any open element'}`);
      i = end + 1;
    } else {
      const at = i;
      i++;
      const nameStart = i;
      while (i < s.length && !/[\s/>]/.test(s[i]!)) i++;
      const name = s.slice(nameStart, i);
      if (!NAME.test(name)) bad(at, `bad element name ${JSON.stringify(name.slice(0, 40))}`);
      if (root && stack.length === 0) bad(at, 'more than one root element');
      if (stack.length >= maxDepth) bad(at, `elements nested deeper than ${maxDepth}`);
      if (++elements > maxElements) bad(at, `more than ${maxElements} elements`);
      // A prototype-free record: an attribute named __proto__ is just a name.
      const el: XmlElement = { name, attributes: Object.create(null) as Record<string, string>, children: [], text: '' };
      let count = 0;
      for (;;) {
        const before = i;
        skipSpace();
        if (i >= s.length) bad(at, `unterminated start tag <${name}>`);
        if (s[i] === '>' || s.startsWith('/>', i)) break;
        if (i === before) bad(i, `attributes of <${name}> must be separated by white space`);
        const an = /^[A-Za-z_][A-Za-z0-9._:-]*/.exec(s.slice(i, i + 200));
        if (!an) bad(i, `bad attribute name in <${name}>`);
        i += an[0].length;
        skipSpace();
        if (s[i] !== '=') bad(i, `attribute ${an[0]} of <${name}> has no value`);
        i++;
        skipSpace();
        const q = s[i];
        if (q !== '"' && q !== "'") bad(i, `attribute ${an[0]} of <${name}> must be quoted`);
        const close = s.indexOf(q, i + 1);
        if (close < 0) bad(i, `unterminated attribute ${an[0]}`);
        const value = s.slice(i + 1, close);
        if (value.includes('<')) bad(i, `"<" in attribute ${an[0]}`);
        if (Object.hasOwn(el.attributes, an[0])) bad(i, `duplicate attribute ${an[0]} in <${name}>`);
        if (++count > maxAttributes) bad(i, `more than ${maxAttributes} attributes in <${name}>`);
        el.attributes[an[0]] = decodeText(value, i);
        i = close + 1;
      }
      const selfClosing = s[i] === '/';
      i += selfClosing ? 2 : 1;
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else root = el;
      if (!selfClosing) stack.push(el);
    }
  }
  if (stack.length > 0) bad(s.length, `element <${stack[stack.length - 1]!.name}> is not closed`);
  if (!root) bad(0, 'no root element');
  return root;
}

/** The local part of a (possibly prefixed) element name. */
export function localName(el: XmlElement): string {
  const c = el.name.indexOf(':');
  return c < 0 ? el.name : el.name.slice(c + 1);
}

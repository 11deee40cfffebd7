/**
 * Where a field sits in a JSON text: a tiny scanner that records the line of
 * every value by its path ("policy.keys[2].rpmNames[0]"), so config errors can
 * name the file, the line and the field. It assumes the text already parsed
 * with JSON.parse; on anything unexpected it simply stops recording.
 */

/** Line (1-based) of each value in `text`, keyed by its dotted/indexed path. */
export function jsonLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) {
      if (text[i] === '\n') line++;
      i++;
    }
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    lines.set(path, line);
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        const k = str();
        ws();
        i++; // ':'
        value(path ? `${path}.${k}` : k);
        ws();
        if (text[i++] !== ',') return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (text[i++] !== ',') return;
      }
    } else if (c === '"') str();
    else while (i < text.length && !',]} \t\r\n'.includes(text[i]!)) i++;
  };
  try {
    value('');
  } catch {
    // Best effort: lines found so far are still right.
  }
  return lines;
}

/** The line of `field` in `text`, or of its closest recorded parent. */
export function lineOfField(text: string, field: string): number | undefined {
  const lines = jsonLines(text);
  for (let f = field; f; f = f.replace(/(\.[^.[\]]*|\[\d+\])$/, '')) {
    const l = lines.get(f);
    if (l !== undefined) return l;
    if (!/(\.[^.[\]]*|\[\d+\])$/.test(f)) break;
  }
  return undefined;
}

/** Line of a character offset (JSON.parse reports "at position N"). */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let j = 0; j < offset && j < text.length; j++) if (text[j] === '\n') line++;
  return line;
}

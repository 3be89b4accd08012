/**
 * Finds where an XML plist goes wrong, with its line, so a malformed file is
 * a diagnostic a person can act on. plist's parser names the problem but not
 * the line; this walks the tags the way a plist reader would.
 */
export interface XmlProblem {
  line: number;
  problem: string;
}

interface Open {
  name: string;
  line: number;
  /** In a <dict>: true when the next element must be a <key>. */
  wantKey: boolean;
  lastKey?: { name: string; line: number };
}

const VALUE_TAGS = new Set(['string', 'integer', 'real', 'true', 'false', 'date', 'data', 'dict', 'array']);
/**
 * A tag, or a DOCTYPE. Neither part can run past the next `<`, and a name must
 * end where the tag's attributes start, so each match costs at most the
 * distance to the next `<`: the whole walk is linear in the file's length.
 */
const TAG = /<(\/?)([A-Za-z][\w.-]*)(?=[\s/>])([^<>]*?)(\/?)>|<!DOCTYPE[^<>]*>/g;

/** Deeper than any plist macOS ships; the plist reader recurses once per level. */
const MAX_DEPTH = 128;

/** Line numbers for increasing offsets, counted once: each call scans only from the previous offset. */
function lineCounter(text: string): (index: number) => number {
  let at = 0;
  let line = 1;
  return (index) => {
    for (; at < index; at++) if (text.charCodeAt(at) === 10) line++;
    return line;
  };
}

const SKIPPED: readonly [open: string, close: string, what: string][] = [
  ['<!--', '-->', 'comment'],
  ['<![CDATA[', ']]>', 'CDATA section'],
  ['<?', '?>', 'processing instruction'],
];

/**
 * Comments, CDATA and processing instructions blanked out (newlines kept, so
 * lines still count), in one pass; or the line of one that is never closed.
 */
function blankSkipped(text: string): { text: string } | XmlProblem {
  const parts: string[] = [];
  let from = 0;
  let at = text.indexOf('<');
  while (at >= 0) {
    const skip = SKIPPED.find(([open]) => text.startsWith(open, at));
    if (!skip) {
      at = text.indexOf('<', at + 1);
      continue;
    }
    const [open, close, what] = skip;
    const end = text.indexOf(close, at + open.length);
    if (end < 0) return { line: lineCounter(text)(at), problem: `a ${what} is never closed` };
    parts.push(text.slice(from, at), text.slice(at, end + close.length).replace(/[^\n]/g, ' '));
    from = end + close.length;
    at = text.indexOf('<', from);
  }
  parts.push(text.slice(from));
  return { text: parts.join('') };
}

function numberProblem(tag: string, body: string): string | undefined {
  const value = body.trim();
  if (tag === 'integer' && !/^[+-]?(\d+|0x[0-9a-fA-F]+)$/.test(value))
    return `<integer> holds "${value}", which is not a whole number`;
  if (tag === 'real' && Number.isNaN(Number(value))) return `<real> holds "${value}", which is not a number`;
  return undefined;
}

export function locateXmlProblem(original: string): XmlProblem | undefined {
  if (!original.includes('<plist')) return { line: 1, problem: 'there is no <plist> element' };
  const blanked = blankSkipped(original);
  if (!('text' in blanked)) return blanked;
  const { text } = blanked;
  const lineAt = lineCounter(text);
  const stack: Open[] = [];
  let last = 0;
  for (const match of text.matchAll(TAG)) {
    const [whole, closing, name, , selfClosing] = match;
    if (!name) continue;
    const line = lineAt(match.index);
    const parent = stack.at(-1);
    if (closing) {
      if (parent?.name !== name) {
        return {
          line,
          problem: parent
            ? `</${name}> closes <${parent.name}>, opened on line ${parent.line}`
            : `</${name}> closes nothing`,
        };
      }
      if (name === 'dict' && !parent.wantKey && parent.lastKey) {
        return { line: parent.lastKey.line, problem: `<key>${parent.lastKey.name}</key> has no value` };
      }
      if (name === 'integer' || name === 'real') {
        const problem = numberProblem(name, text.slice(last, match.index));
        if (problem) return { line, problem };
      }
      stack.pop();
      last = match.index + whole.length;
      continue;
    }
    if (parent?.name === 'dict') {
      const problem = dictOrder(parent, name, line, text, match.index + whole.length);
      if (problem) return problem;
    }
    if (!selfClosing) {
      if (stack.length >= MAX_DEPTH)
        return { line, problem: `elements are nested more than ${MAX_DEPTH} deep` };
      stack.push({ name, line, wantKey: true });
    }
    last = match.index + whole.length;
  }
  const open = stack.at(-1);
  return open ? { line: open.line, problem: `<${open.name}> is never closed` } : undefined;
}

/** A <dict> alternates <key> and value (plist(5)). */
function dictOrder(
  dict: Open,
  name: string,
  line: number,
  text: string,
  after: number,
): XmlProblem | undefined {
  if (name === 'key') {
    if (!dict.wantKey && dict.lastKey)
      return { line: dict.lastKey.line, problem: `<key>${dict.lastKey.name}</key> has no value` };
    // A key's text ends at the next tag; looking further for its </key> would rescan the file per key.
    const end = text.indexOf('<', after);
    dict.lastKey = { name: text.slice(after, end < 0 ? after : end), line };
    dict.wantKey = false;
    return undefined;
  }
  if (!VALUE_TAGS.has(name)) return { line, problem: `<${name}> is not a plist element` };
  if (dict.wantKey) return { line, problem: `a <${name}> value with no <key> before it` };
  dict.wantKey = true;
  return undefined;
}

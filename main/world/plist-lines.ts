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
const TAG = /<(\/?)([A-Za-z][\w.-]*)([^>]*?)(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>/g;

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function numberProblem(tag: string, body: string): string | undefined {
  const value = body.trim();
  if (tag === 'integer' && !/^[+-]?(\d+|0x[0-9a-fA-F]+)$/.test(value))
    return `<integer> holds "${value}", which is not a whole number`;
  if (tag === 'real' && Number.isNaN(Number(value))) return `<real> holds "${value}", which is not a number`;
  return undefined;
}

export function locateXmlProblem(text: string): XmlProblem | undefined {
  if (!text.includes('<plist')) return { line: 1, problem: 'there is no <plist> element' };
  const stack: Open[] = [];
  let last = 0;
  for (const match of text.matchAll(TAG)) {
    const [whole, closing, name, , selfClosing] = match;
    if (!name) continue;
    const line = lineAt(text, match.index);
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
    if (!selfClosing) stack.push({ name, line, wantKey: true });
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
    const end = text.indexOf('</key>', after);
    dict.lastKey = { name: text.slice(after, end < 0 ? after : end), line };
    dict.wantKey = false;
    return undefined;
  }
  if (!VALUE_TAGS.has(name)) return { line, problem: `<${name}> is not a plist element` };
  if (dict.wantKey) return { line, problem: `a <${name}> value with no <key> before it` };
  dict.wantKey = true;
  return undefined;
}

import { DOMParser } from '@xmldom/xmldom';

/**
 * An XML plist read with @xmldom/xmldom directly, so every complaint the
 * parser has becomes a finding with its line instead of console noise, and a
 * <dict> that names a key twice is noticed (the later value wins, as in
 * CFPropertyList; XPC-MODEL §10.3).
 */
export interface XmlNote {
  level: 'warning' | 'error';
  line?: number;
  message: string;
}

export class XmlPlistError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

interface XNode {
  nodeType: number;
  nodeName: string;
  nodeValue: string | null;
  childNodes: ArrayLike<XNode>;
  lineNumber?: number;
}

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;

function elements(node: XNode): XNode[] {
  return Array.from(node.childNodes).filter((n) => n.nodeType === ELEMENT);
}

function text(node: XNode): string {
  return Array.from(node.childNodes)
    .filter((n) => n.nodeType === TEXT || n.nodeType === CDATA)
    .map((n) => n.nodeValue ?? '')
    .join('');
}

function base64(value: string): Uint8Array {
  return new Uint8Array(Buffer.from(value.replace(/\s+/g, ''), 'base64'));
}

function at(node: XNode | undefined, offset: number): number | undefined {
  return node?.lineNumber === undefined ? undefined : node.lineNumber + offset;
}

function value(node: XNode, notes: XmlNote[], offset: number): unknown {
  const line = at(node, offset);
  switch (node.nodeName) {
    case 'dict':
      return dict(node, notes, offset);
    case 'array':
      return elements(node).map((n) => value(n, notes, offset));
    case 'string':
      return text(node);
    case 'integer': {
      const body = text(node).trim();
      if (!/^[+-]?(\d+|0x[0-9a-fA-F]+)$/.test(body))
        throw new XmlPlistError(`<integer> holds "${body}", which is not a whole number`, line);
      return body.toLowerCase().includes('0x') ? Number.parseInt(body, 16) : Number.parseInt(body, 10);
    }
    case 'real': {
      const body = text(node).trim();
      const n = Number(body);
      if (body === '' || Number.isNaN(n))
        throw new XmlPlistError(`<real> holds "${body}", which is not a number`, line);
      return n;
    }
    case 'true':
      return true;
    case 'false':
      return false;
    case 'date': {
      const date = new Date(text(node).trim());
      if (Number.isNaN(date.getTime()))
        throw new XmlPlistError(`<date> holds "${text(node)}", which is not a date`, line);
      return date;
    }
    case 'data':
      return base64(text(node));
    default:
      throw new XmlPlistError(`<${node.nodeName}> is not a plist element`, line);
  }
}

function dict(node: XNode, notes: XmlNote[], offset: number): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  const lines = new Map<string, number | undefined>();
  const children = elements(node);
  for (let i = 0; i < children.length; i += 2) {
    const keyNode = children[i] as XNode;
    if (keyNode.nodeName !== 'key')
      throw new XmlPlistError(`a <${keyNode.nodeName}> value with no <key> before it`, at(keyNode, offset));
    const key = text(keyNode);
    const valueNode = children[i + 1];
    if (!valueNode || valueNode.nodeName === 'key')
      throw new XmlPlistError(`<key>${key}</key> has no value`, at(keyNode, offset));
    if (key === '__proto__')
      throw new XmlPlistError('a <key>__proto__</key> is refused', at(keyNode, offset));
    if (lines.has(key)) {
      const first = lines.get(key);
      notes.push({
        level: 'warning',
        ...(at(keyNode, offset) === undefined ? {} : { line: at(keyNode, offset) }),
        message: `the key ${key} appears twice in one dictionary (lines ${first ?? '?'} and ${at(keyNode, offset) ?? '?'}); the later value wins`,
      });
    }
    lines.set(key, at(keyNode, offset));
    out[key] = value(valueNode, notes, offset);
  }
  return { ...out };
}

/** Blank lines or spaces before `<?xml`: launchd loads such a file (XPC-MODEL §10.3); the parser would not. */
export function leadingWhitespace(textIn: string): { text: string; skippedLines: number } {
  const match = /^(?:\uFEFF)?\s+(?=<\?xml)/.exec(textIn);
  if (!match) return { text: textIn.replace(/^\uFEFF/, ''), skippedLines: 0 };
  const skipped = match[0];
  const newlines = skipped.split('\n').length - 1;
  return { text: textIn.slice(skipped.length), skippedLines: newlines };
}

/** Parses an XML plist; parser warnings and duplicate keys land in `notes`, a fatal problem throws XmlPlistError. */
export function parseXmlPlist(source: string, notes: XmlNote[]): unknown {
  const { text: body, skippedLines } = leadingWhitespace(source);
  const shift = (line: number | undefined) => (line === undefined ? undefined : line + skippedLines);
  const own: XmlNote[] = [];
  let fatal: XmlPlistError | undefined;
  const parser = new DOMParser({
    onError: (level, message, builder) => {
      const line = (builder as { locator?: { lineNumber?: number } } | undefined)?.locator?.lineNumber;
      const clean = message.replace(/\s*\n?@#\[line:\d+,col:\d+\]\s*$/, '').trim();
      if (level === 'fatalError') {
        fatal = new XmlPlistError(clean, line);
        throw fatal;
      }
      own.push({ level, ...(line === undefined ? {} : { line }), message: clean });
    },
  });
  let doc: { documentElement: XNode | null } | undefined;
  try {
    doc = parser.parseFromString(body, 'text/xml') as unknown as { documentElement: XNode | null };
  } catch (error) {
    const line = fatal?.line ?? (error as { lineNumber?: number }).lineNumber;
    const message = fatal?.message ?? (error instanceof Error ? error.message : String(error));
    throw new XmlPlistError(message.replace(/\s*\n?@#\[line:\d+,col:\d+\]\s*$/, ''), shift(line));
  }
  const root = doc?.documentElement;
  if (root?.nodeName !== 'plist' || !root) throw new XmlPlistError('there is no <plist> element', 1);
  const inner = elements(root);
  try {
    return inner.length === 0 ? {} : value(inner[0] as XNode, notes, skippedLines);
  } finally {
    for (const note of own)
      notes.push({ ...note, ...(note.line === undefined ? {} : { line: shift(note.line) as number }) });
  }
}

import { parse, parseOpenStep } from 'plist';
import { binaryPlistProblem } from './plist-bounds';
import { locateXmlProblem } from './plist-lines';
import { leadingWhitespace, parseXmlPlist, type XmlNote, XmlPlistError } from './plist-xml';
import { diskFs, type WorldFs } from './world-fs';
import { applyModifier } from './xcode-settings';

export interface Diagnostic {
  severity: 'error' | 'warning' | 'info';
  file?: string;
  key?: string;
  /** For a malformed XML plist: where it goes wrong. */
  line?: number;
  message: string;
  consequence?: string;
}

export type PlistDict = Record<string, unknown>;

const MALFORMED =
  'macOS would refuse to load this bundle or job (launchctl: "Bootstrap failed: 5: Input/output error")';

function malformed(file: string, kind: string, problem: string, line?: number): Diagnostic {
  return {
    severity: 'error',
    file,
    ...(line === undefined ? {} : { line }),
    message: `malformed ${kind} plist${line === undefined ? '' : ` (line ${line})`}: ${problem}`,
    consequence: MALFORMED,
  };
}

function isDict(value: unknown): value is PlistDict {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  );
}

/** OpenStep starts with { or (; everything else that is not binary is read as XML. */
function formatOf(text: string): 'openstep' | 'xml' {
  // Comments may come first (`// !$*UTF8*$!` heads every project.pbxproj).
  const start = text.replace(/^\uFEFF/, '').replace(/^(?:\s+|\/\/[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/, '');
  return start.startsWith('{') || start.startsWith('(') ? 'openstep' : 'xml';
}

/** Reads an XML, binary or OpenStep plist; a bad file is a diagnostic, never a throw. */
export function readPlist(
  path: string,
  diagnostics: Diagnostic[],
  relative: string,
  fs: WorldFs = diskFs,
): PlistDict | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFile(path);
  } catch (error) {
    diagnostics.push({
      severity: 'error',
      file: relative,
      message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    });
    return undefined;
  }
  return readPlistBytes(bytes, diagnostics, relative);
}

/** The same, from bytes already read: `relative` names the file in every diagnostic. */
export function readPlistBytes(
  bytes: Buffer,
  diagnostics: Diagnostic[],
  relative: string,
): PlistDict | undefined {
  const isBinary = bytes.subarray(0, 8).toString('latin1') === 'bplist00';
  const text = isBinary ? '' : bytes.toString('utf8');
  const isXml = !isBinary && formatOf(text) !== 'openstep';
  const located = isXml ? locateXmlProblem(text) : undefined;
  if (located) {
    diagnostics.push(malformed(relative, 'XML', located.problem, located.line));
    return undefined;
  }
  // Bounded before it is expanded: a few hundred bytes of references can describe billions of values.
  const bounded = isBinary ? binaryPlistProblem(bytes) : undefined;
  if (bounded) {
    diagnostics.push(malformed(relative, 'binary', bounded));
    return undefined;
  }
  const notes: XmlNote[] = [];
  try {
    const value = isBinary
      ? parse(new Uint8Array(bytes))
      : isXml
        ? parseXmlPlist(text, notes)
        : parseOpenStep(text);
    for (const note of notes) diagnostics.push(noteDiagnostic(relative, note));
    if (isXml && leadingWhitespace(text).skippedLines > 0) {
      diagnostics.push({
        severity: 'info',
        file: relative,
        line: 1,
        message:
          'blank space before <?xml: launchd and CFPropertyList load this file; strict XML tools refuse it',
      });
    }
    if (isDict(value)) return value;
    diagnostics.push({
      severity: 'error',
      file: relative,
      message: 'the top level of this plist is not a dictionary',
      consequence: MALFORMED,
    });
  } catch (error) {
    const line = error instanceof XmlPlistError ? error.line : undefined;
    diagnostics.push(
      malformed(
        relative,
        isBinary ? 'binary' : isXml ? 'XML' : 'OpenStep',
        error instanceof Error ? error.message : String(error),
        line,
      ),
    );
  }
  return undefined;
}

/** A parser warning or a duplicate key, with its line: a finding, never console output. */
function noteDiagnostic(file: string, note: XmlNote): Diagnostic {
  const duplicate = note.message.includes('appears twice');
  return {
    severity: 'warning',
    file,
    ...(note.line === undefined ? {} : { line: note.line }),
    message: duplicate
      ? note.message
      : `XML ${note.level}${note.line === undefined ? '' : ` (line ${note.line})`}: ${note.message}`,
    ...(duplicate
      ? {
          consequence:
            'launchd and CFPropertyList keep the later value; the earlier one is silently ignored (XPC-MODEL §10.3)',
        }
      : {}),
  };
}

const VAR = /\$[({]([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z0-9]+))?[)}]/g;

/** One string's $(VAR) and ${VAR}, with Xcode's modifiers; a setting may refer to others, a few levels deep. */
function fill(
  text: string,
  settings: Record<string, string>,
  report: (name: string) => void,
  depth = 0,
): string {
  return text.replace(VAR, (whole, name: string, modifier: string | undefined) => {
    const resolved = settings[name];
    if (resolved === undefined || depth > 4) {
      report(name);
      return whole;
    }
    return applyModifier(fill(resolved, settings, report, depth + 1), modifier);
  });
}

/** Substitutes $(VAR) build settings everywhere in a plist; an unresolved one is reported, not guessed. */
export function substitute(
  value: unknown,
  settings: Record<string, string>,
  report: (name: string, key: string) => void,
  key = '',
): unknown {
  if (typeof value === 'string') return fill(value, settings, (name) => report(name, key));
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, settings, report, `${key}[${i}]`));
  if (!isDict(value)) return value;
  const out: PlistDict = {};
  for (const [k, v] of Object.entries(value))
    out[k] = substitute(v, settings, report, key ? `${key}.${k}` : k);
  return out;
}

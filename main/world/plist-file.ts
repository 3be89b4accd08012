import { readFileSync } from 'node:fs';
import { parse } from 'plist';

export interface Diagnostic {
  severity: 'error' | 'warning' | 'info';
  file?: string;
  key?: string;
  message: string;
  consequence?: string;
}

export type PlistDict = Record<string, unknown>;

function lineOf(text: string, message: string): string {
  const m = /line[:\s]+(\d+)/i.exec(message);
  if (m) return ` (line ${m[1]})`;
  const lines = text.split('\n').length;
  return lines > 1 ? ` (somewhere in its ${lines} lines)` : '';
}

/** Reads an XML, binary or OpenStep plist; a bad file is a diagnostic, never a throw. */
export function readPlist(path: string, diagnostics: Diagnostic[], relative: string): PlistDict | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    diagnostics.push({
      severity: 'error',
      file: relative,
      message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    });
    return undefined;
  }
  const isBinary = bytes.subarray(0, 8).toString('latin1') === 'bplist00';
  try {
    const value = isBinary ? parse(new Uint8Array(bytes)) : parse(bytes.toString('utf8'));
    if (
      typeof value !== 'object' ||
      value === null ||
      Array.isArray(value) ||
      value instanceof Date ||
      value instanceof Uint8Array
    ) {
      diagnostics.push({
        severity: 'error',
        file: relative,
        message: 'the top level of this plist is not a dictionary',
      });
      return undefined;
    }
    return value as PlistDict;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    diagnostics.push({
      severity: 'error',
      file: relative,
      message: `malformed ${isBinary ? 'binary' : 'XML'} plist${isBinary ? '' : lineOf(bytes.toString('utf8'), message)}: ${message}`,
      consequence:
        'macOS would refuse to load this bundle or job (launchctl: "Bootstrap failed: 5: Input/output error")',
    });
    return undefined;
  }
}

const VAR = /\$\(([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\)/g;

/** Substitutes $(VAR) build settings everywhere in a plist; an unresolved one is reported, not guessed. */
export function substitute(
  value: unknown,
  settings: Record<string, string>,
  report: (name: string, key: string) => void,
  key = '',
): unknown {
  if (typeof value === 'string') {
    return value.replace(VAR, (whole, name: string) => {
      const resolved = settings[name];
      if (resolved === undefined) {
        report(name, key);
        return whole;
      }
      return resolved;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, settings, report, `${key}[${i}]`));
  if (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  ) {
    const out: PlistDict = {};
    for (const [k, v] of Object.entries(value))
      out[k] = substitute(v, settings, report, key ? `${key}.${k}` : k);
    return out;
  }
  return value;
}

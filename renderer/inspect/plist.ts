import type { XpcDictionary, XpcTag, XpcValue } from '../../main/trace/xpc-value';

/**
 * A message payload as an XML property list. Plist types map one to one
 * (XPC-MODEL §2); the XPC types plists lack (uint64, uuid, null, fd, shmem,
 * endpoint, error) stay tagged dictionaries, {$xpc, v}, so the XML reads back
 * into the same tagged JSON.
 */
const HEADER =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
  '<plist version="1.0">\n';

// XML 1.0 cannot carry most control characters, even escaped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters being replaced.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(NOT_XML, '\ufffd');
}

function isTag(v: object): v is XpcTag {
  return Object.hasOwn(v, '$xpc');
}

/** ns since the epoch → the second-precision UTC form plists use. */
export function plistDate(ns: string): string {
  const ms = Number(BigInt(ns) / 1_000_000n);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function real(v: number): string {
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

function tagged(tag: XpcTag, pad: string): string {
  const inner = `${pad}\t`;
  const fields = [`${inner}<key>$xpc</key>`, `${inner}<string>${tag.$xpc}</string>`];
  if ('v' in tag) {
    fields.push(`${inner}<key>v</key>`);
    fields.push(
      typeof tag.v === 'number'
        ? `${inner}<integer>${tag.v}</integer>`
        : `${inner}<string>${xmlEscape(tag.v)}</string>`,
    );
  }
  if (tag.$xpc === 'shmem') fields.push(`${inner}<key>size</key>`, `${inner}<integer>${tag.size}</integer>`);
  return `${pad}<dict>\n${fields.join('\n')}\n${pad}</dict>`;
}

function value(v: XpcValue, pad: string): string {
  if (typeof v === 'string') return `${pad}<string>${xmlEscape(v)}</string>`;
  if (typeof v === 'boolean') return `${pad}<${v}/>`;
  if (typeof v === 'number')
    return Number.isInteger(v) ? `${pad}<integer>${v}</integer>` : `${pad}<real>${v}</real>`;
  if (Array.isArray(v)) {
    if (v.length === 0) return `${pad}<array/>`;
    return `${pad}<array>\n${v.map((x) => value(x, `${pad}\t`)).join('\n')}\n${pad}</array>`;
  }
  if (isTag(v)) {
    switch (v.$xpc) {
      case 'int64':
        return `${pad}<integer>${v.v}</integer>`;
      case 'double':
        return `${pad}<real>${real(v.v)}</real>`;
      case 'data':
        return `${pad}<data>${v.v}</data>`;
      case 'date':
        return `${pad}<date>${plistDate(v.v)}</date>`;
      default:
        return tagged(v, pad);
    }
  }
  return dict(v, pad);
}

function dict(d: XpcDictionary, pad: string): string {
  const entries = Object.entries(d);
  if (entries.length === 0) return `${pad}<dict/>`;
  const inner = `${pad}\t`;
  const lines = entries.map(([k, x]) => `${inner}<key>${xmlEscape(k)}</key>\n${value(x, inner)}`);
  return `${pad}<dict>\n${lines.join('\n')}\n${pad}</dict>`;
}

export function toPlistXml(payload: XpcDictionary): string {
  return `${HEADER}${dict(payload, '')}\n</plist>\n`;
}

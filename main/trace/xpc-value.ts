import { z } from 'zod';

/**
 * XPC objects as tagged JSON (XPC-MODEL §2). Plist-compatible types use plain
 * JSON: dictionary → object, array → array, string, bool, integer → int64,
 * non-integral number → double. Everything else carries a `$xpc` tag, which is
 * [I] XPC Lab's own wire format: uint64, integral doubles, data (base64),
 * date (ns since the epoch, as a decimal string), uuid, null, fd, shmem,
 * endpoint and error.
 */
export const XpcTagSchema = z.discriminatedUnion('$xpc', [
  z.object({ $xpc: z.literal('int64'), v: z.string().regex(/^-?\d+$/) }),
  z.object({ $xpc: z.literal('uint64'), v: z.string().regex(/^\d+$/) }),
  z.object({ $xpc: z.literal('double'), v: z.number() }),
  z.object({ $xpc: z.literal('data'), v: z.string() }),
  z.object({ $xpc: z.literal('date'), v: z.string().regex(/^-?\d+$/) }),
  z.object({ $xpc: z.literal('uuid'), v: z.string().regex(/^[0-9A-Fa-f-]{36}$/) }),
  z.object({ $xpc: z.literal('null') }),
  z.object({ $xpc: z.literal('fd'), v: z.number().int() }),
  z.object({ $xpc: z.literal('shmem'), v: z.number().int(), size: z.number().int().nonnegative() }),
  z.object({ $xpc: z.literal('endpoint'), v: z.string() }),
  z.object({ $xpc: z.literal('error'), v: z.string() }),
]);
export type XpcTag = z.infer<typeof XpcTagSchema>;

export type XpcValue = string | number | boolean | XpcTag | XpcValue[] | { [key: string]: XpcValue };
export type XpcDictionary = { [key: string]: XpcValue };

const MAX_DEPTH = 64;

function isTagged(value: object): value is { $xpc: unknown } {
  return Object.hasOwn(value, '$xpc');
}

/** Checks the shape of an XPC value; returns the path of the first problem, or null. */
export function xpcValueProblem(value: unknown, path = '$', depth = 0): string | null {
  if (depth > MAX_DEPTH) return `${path}: nested deeper than ${MAX_DEPTH} levels`;
  if (typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path}: a number must be finite`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = xpcValueProblem(value[i], `${path}[${i}]`, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  if (value === null || typeof value !== 'object')
    return `${path}: ${value === null ? 'null' : typeof value} is not an XPC value (use {"$xpc":"null"})`;
  if (isTagged(value)) {
    const parsed = XpcTagSchema.safeParse(value);
    return parsed.success ? null : `${path}: malformed ${String(value.$xpc)} tag`;
  }
  for (const [key, inner] of Object.entries(value)) {
    const problem = xpcValueProblem(inner, `${path}.${key}`, depth + 1);
    if (problem) return problem;
  }
  return null;
}

export const XpcValueSchema: z.ZodType<XpcValue> = z.custom<XpcValue>((v) => xpcValueProblem(v) === null, {
  message: 'not an XPC value',
});

/** Top-level messages must be dictionaries: "Message types other than dictionaries are not supported." (XPC-MODEL §1.1) */
export const XpcDictionarySchema: z.ZodType<XpcDictionary> = z.custom<XpcDictionary>(
  (v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && !isTagged(v) && xpcValueProblem(v) === null,
  { message: 'Message types other than dictionaries are not supported.' },
);

/** The XPC type name of a value, as the payload tree shows it. */
export function xpcTypeOf(value: XpcValue): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'double';
  if (Array.isArray(value)) return 'array';
  if (isTagged(value)) return (value as XpcTag).$xpc;
  return 'dictionary';
}

/** The size in bytes a message would occupy serialised; what the console shows as "size". */
export function xpcSize(value: XpcValue): number {
  return utf8Length(JSON.stringify(value));
}

/** The UTF-8 length of a string, counted without encoding it (a lone surrogate counts as U+FFFD, 3 bytes). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2;
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/** Replaces every value with its type and size, for sharing a trace outside a company. */
export function redactXpc(value: XpcValue): XpcValue {
  if (Array.isArray(value)) return value.map(redactXpc);
  if (typeof value === 'object' && !isTagged(value)) {
    // Keys come from helpers: without a prototype, `__proto__` is a key like any other.
    const out = Object.create(null) as XpcDictionary;
    for (const [k, v] of Object.entries(value)) out[k] = redactXpc(v);
    return out;
  }
  return `<${xpcTypeOf(value)}, ${xpcSize(value)} bytes>`;
}

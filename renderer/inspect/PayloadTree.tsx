import { useState } from 'react';
import { type XpcTag, type XpcValue, xpcTypeOf } from '../../main/trace/xpc-value';

/** ns since the epoch, shown to the nanosecond (XPC dates are int64 ns, XPC-MODEL §2). */
function nsDate(ns: string): string {
  const big = BigInt(ns);
  const iso = new Date(Number(big / 1_000_000n)).toISOString();
  const frac = (((big % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).toString().padStart(9, '0');
  return iso.replace(/\.\d{3}Z$/, `.${frac}Z`);
}

function base64Bytes(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - pad;
}

function scalarText(value: XpcValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object' || Array.isArray(value)) return String(value);
  const tag = value as XpcTag;
  switch (tag.$xpc) {
    case 'data':
      return `${base64Bytes(tag.v)} bytes  ${tag.v.length > 48 ? `${tag.v.slice(0, 48)}…` : tag.v}`;
    case 'date':
      return nsDate(tag.v);
    case 'null':
      return 'null';
    case 'shmem':
      return `region ${tag.v}, ${tag.size} bytes`;
    case 'fd':
      return `fd ${tag.v}`;
    default:
      return String(tag.v);
  }
}

function isContainer(v: XpcValue): v is XpcValue[] | { [k: string]: XpcValue } {
  const t = xpcTypeOf(v);
  return t === 'array' || t === 'dictionary';
}

function TreeNode({ name, value, depth }: { name: string; value: XpcValue; depth: number }) {
  const [open, setOpen] = useState(depth < 3);
  const type = xpcTypeOf(value);
  if (!isContainer(value)) {
    return (
      <li>
        <span className="tree-key">{name}</span>
        <span className={`xpc-type t-${type}`}>{type}</span>
        <span className={`tree-value v-${type}`}>{scalarText(value)}</span>
      </li>
    );
  }
  const entries: [string, XpcValue][] = Array.isArray(value)
    ? value.map((v, i) => [`[${i}]`, v])
    : Object.entries(value);
  return (
    <li>
      <button type="button" className="twisty" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? '▾' : '▸'}
      </button>
      <span className="tree-key">{name}</span>
      <span className={`xpc-type t-${type}`}>{type}</span>
      <span className="muted">
        {entries.length} {Array.isArray(value) ? 'items' : 'keys'}
      </span>
      {open && entries.length > 0 ? (
        <ul>
          {entries.map(([k, v]) => (
            <TreeNode key={k} name={k} value={v} depth={depth + 1} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** A payload as XPC sees it: each value with its XPC type (xpcTypeOf), dictionaries and arrays foldable. */
export function PayloadTree({ payload }: { payload: { [k: string]: XpcValue } }) {
  return (
    <ul className="payload-tree" aria-label="Payload">
      <TreeNode name="message" value={payload} depth={0} />
    </ul>
  );
}

import { live } from './store';

/** The last part of a process label, as lists show it: com.acme.vpn.tunnel → tunnel. */
export function shortLabel(label: string): string {
  return label.slice(label.lastIndexOf('.') + 1);
}

export function processLabel(pid: number): string | undefined {
  return live.model.state.processes[pid]?.label;
}

export function who(pid: number): string {
  const label = processLabel(pid);
  return label ? shortLabel(label) : String(pid);
}

/** A long service name cut from the front, where names share their reverse-DNS prefix: …acme.vpn.tunnel. */
export function shortService(name: string, max = 22): string {
  if (name.length <= max) return name;
  const parts = name.split('.');
  let tail = parts.pop() ?? name;
  while (parts.length > 0 && tail.length + (parts.at(-1)?.length ?? 0) + 1 <= max - 1)
    tail = `${parts.pop()}.${tail}`;
  return `…${tail}`;
}

import type { FieldDef } from '../filter';
import { live } from '../store';

const LIMIT = 200;

/** Values the capture has seen for a field, for the filter's autocomplete. */
export function knownValues(f: FieldDef): readonly string[] {
  const { processes, connections, services } = live.model.state;
  const out = new Set<string>();
  const add = (v: string | undefined) => {
    if (v !== undefined && out.size < LIMIT) out.add(v);
  };
  switch (f.name) {
    case 'service':
    case 'name':
      for (const s of Object.values(services)) add(s.name);
      for (const c of Object.values(connections)) add(c.name);
      break;
    case 'client':
    case 'process':
    case 'from':
    case 'to':
    case 'pid':
      for (const p of Object.values(processes)) add(p.label);
      break;
    case 'conn':
      for (const c of Object.values(connections)) add(c.conn);
      break;
    case 'domain':
      for (const p of Object.values(processes)) add(p.domain);
      break;
    case 'key':
      for (const k of live.keys) add(k);
      break;
  }
  return [...out].sort();
}

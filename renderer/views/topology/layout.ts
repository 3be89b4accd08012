import type { ConnectionView, ModelSnapshot, ProcessView } from '../../../main/trace/model';
import { groupConnections, type Repeat } from '../repeats';

/**
 * Where things go in the topology: one column per launchd domain (user side
 * on the left, system on the right, XPC-MODEL §3.1), a box per process with
 * the services it vends, and an edge per client connection to the process
 * that serves it. Pure, so it can be tested without a DOM.
 */
export const BOX = { head: 38, service: 18, pad: 8, gap: 14, colGap: 70, top: 34, group: 24 };

/** A stub: a line out of the client's box, then the name it reaches for; 11 px monospace is about 6.7 px a character. */
export const STUB = { line: 46, offset: 50, charW: 6.7 };

/**
 * What a stub says: a name that resolves to no running process. A broken link
 * is marked as such; a connection still waiting for its on-demand service is not.
 */
export function stubLabel(c: ConnectionView): string {
  return c.state === 'invalidated' || c.state === 'interrupted' ? `✕ ${c.name}` : `○ ${c.name} · not running`;
}

export interface NodeBox {
  pid: number;
  label: string;
  domain: string;
  process: ProcessView;
  services: string[];
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Edge {
  conn: ConnectionView;
  from: NodeBox;
  /** Undefined when the name resolves to no process: drawn as a stub to the name. */
  to: NodeBox | undefined;
  /** Index of the service row in `to`, or -1 for the box's head. */
  serviceRow: number;
  /** Where it leaves its source box: edges fan out along the side instead of sharing one point. */
  fromY: number;
  /** Connections that failed the same way from the same process, drawn as this one edge. */
  repeat?: Repeat;
}

/** "×37 since 14:02:31, last 2 s ago" under a grouped stub: about this many characters. */
export const REPEAT_CHARS = 36;
/** Vertical room per edge leaving a box, and per extra label line. */
const EDGE_ROW = 14;

export interface Topology {
  columns: { domain: string; x: number; w: number }[];
  /** pid domains drawn inside their app's column, with a heading of their own. */
  groups: { label: string; x: number; y: number; w: number }[];
  nodes: NodeBox[];
  edges: Edge[];
  width: number;
  height: number;
}

export function domainRank(domain: string): number {
  if (domain.startsWith('gui/')) return 0;
  if (domain.startsWith('login/')) return 1;
  if (domain.startsWith('user/')) return 2;
  if (domain.startsWith('pid/')) return 3;
  return 4;
}

/** A connection's serving process: its peer if it still runs, else the running process with the peer's label. */
function servingPid(
  c: ConnectionView,
  world: ModelSnapshot,
  running: Map<string, number>,
): number | undefined {
  const peer = c.peerPid === undefined ? undefined : world.processes[c.peerPid];
  if (peer?.state === 'running') return peer.pid;
  if (peer) return running.get(peer.label) ?? peer.pid;
  const service = Object.values(world.services).find((s) => s.name === c.name && s.registered);
  return service ? running.get(service.label) : undefined;
}

/** XPC services live in their app's pid domain (XPC-MODEL §3.1); they are drawn inside the app's column. */
function columnOf(domain: string, world: ModelSnapshot): string {
  const pid = /^pid\/(\d+)$/.exec(domain)?.[1];
  return (pid && world.processes[pid]?.domain) || domain;
}

export function layoutTopology(world: ModelSnapshot, width: number): Topology {
  const running = new Map<string, number>();
  for (const p of Object.values(world.processes)) if (p.state === 'running') running.set(p.label, p.pid);
  // XPC-MODEL §10.2: an exited process's connections ended with it; nothing is drawn from it.
  const grouped = groupConnections(
    Object.values(world.connections).filter((c) => c.side === 'client' && !c.ownerExited),
  );
  const clients = grouped.map((g) => g.c);
  const repeats = new Map(
    grouped.flatMap((g) => (g.repeat && g.repeat.count > 1 ? [[g.c.conn, g.repeat]] : [])),
  );
  const wanted = new Set<number>(running.values());
  const targets = new Map<string, number | undefined>();
  const outDegree = new Map<number, number>();
  for (const c of clients) {
    const to = servingPid(c, world, running);
    targets.set(c.conn, to);
    // A dead process stays on the map while a broken link still points at it, so the cause has somewhere to be.
    if (to !== undefined && c.state !== 'connected') wanted.add(to);
    if (c.state !== 'invalidated' || world.processes[c.pid]?.state === 'running') wanted.add(c.pid);
    outDegree.set(c.pid, (outDegree.get(c.pid) ?? 0) + (repeats.has(c.conn) ? 2 : 1));
  }
  const procs = [...wanted].map((pid) => world.processes[pid]).filter((p): p is ProcessView => !!p);
  const order = (a: string, b: string) => domainRank(a) - domainRank(b) || a.localeCompare(b);
  const domains = [...new Set(procs.map((p) => columnOf(p.domain, world)))].sort(order);
  // A stub's label is drawn in the gap right of its column: the gap widens to hold the longest one.
  const gapAfter = new Map<string, number>();
  for (const c of clients) {
    const source = world.processes[c.pid];
    if (targets.get(c.conn) !== undefined || !source) continue;
    const col = columnOf(source.domain, world);
    const chars = Math.max(stubLabel(c).length, repeats.has(c.conn) ? REPEAT_CHARS : 0);
    const need = STUB.offset + chars * STUB.charW + BOX.colGap / 2;
    gapAfter.set(col, Math.max(gapAfter.get(col) ?? BOX.colGap, need));
  }
  const gaps = domains.map((d) => gapAfter.get(d) ?? BOX.colGap);
  const extra = gaps.reduce((sum, g) => sum + g - BOX.colGap, 0);
  const colW = Math.max(
    200,
    Math.min(300, (width - extra - BOX.colGap * (domains.length + 1)) / Math.max(1, domains.length)),
  );
  let x = BOX.colGap / 2;
  const columns = domains.map((domain, i) => {
    const col = { domain, x, w: colW };
    x += colW + (gaps[i] ?? BOX.colGap);
    return col;
  });
  const nodes: NodeBox[] = [];
  const groups: Topology['groups'] = [];
  const byPid = new Map<number, NodeBox>();
  let height = 0;
  for (const col of columns) {
    let y = BOX.top;
    const inColumn = procs.filter((p) => columnOf(p.domain, world) === col.domain);
    for (const domain of [...new Set(inColumn.map((p) => p.domain))].sort(order)) {
      if (domain !== col.domain) {
        groups.push({ label: domain, x: col.x, y, w: col.w });
        y += BOX.group;
      }
      const inDomain = inColumn
        .filter((p) => p.domain === domain)
        .sort((a, b) =>
          a.state === b.state ? a.label.localeCompare(b.label) : a.state === 'running' ? -1 : 1,
        );
      for (const p of inDomain) {
        const services =
          p.state === 'running'
            ? Object.values(world.services)
                .filter((s) => s.label === p.label && s.domain === p.domain && s.registered)
                .map((s) => s.name)
            : [];
        const repeatLines = clients.filter((c) => c.pid === p.pid && repeats.has(c.conn)).length;
        const h = Math.max(
          BOX.head + services.length * BOX.service + (services.length ? BOX.pad : 0) + repeatLines * 28,
          16 + (outDegree.get(p.pid) ?? 0) * EDGE_ROW,
        );
        const node = {
          pid: p.pid,
          label: p.label,
          domain: p.domain,
          process: p,
          services,
          x: col.x,
          y,
          w: col.w,
          h,
        };
        nodes.push(node);
        byPid.set(p.pid, node);
        y += h + BOX.gap;
      }
    }
    height = Math.max(height, y);
  }
  const edges: Edge[] = [];
  for (const c of clients) {
    const from = byPid.get(c.pid);
    if (!from) continue;
    const pid = targets.get(c.conn);
    const to = pid === undefined ? undefined : byPid.get(pid);
    const serviceRow = to ? to.services.indexOf(c.name) : -1;
    const repeat = repeats.get(c.conn);
    edges.push({
      conn: c,
      from,
      to,
      serviceRow,
      fromY: from.y + BOX.head / 2,
      ...(repeat ? { repeat } : {}),
    });
  }
  fanOut(edges);
  const right = columns.at(-1);
  return {
    columns,
    groups,
    nodes,
    edges,
    width: Math.max(width, right ? right.x + right.w + (gaps.at(-1) ?? BOX.colGap) - BOX.colGap / 2 : 0),
    height,
  };
}

function targetY(e: Edge): number {
  return e.to ? anchor(e.to, e.serviceRow, true).y : e.from.y;
}

function fanOut(edges: Edge[]): void {
  const bySource = new Map<NodeBox, Edge[]>();
  for (const e of edges) bySource.set(e.from, [...(bySource.get(e.from) ?? []), e]);
  for (const [node, out] of bySource) {
    out.sort((a, b) => targetY(a) - targetY(b));
    if (out.length === 1 && out[0]) {
      out[0].fromY = node.y + BOX.head / 2;
      continue;
    }
    // A grouped stub's label takes two lines: it gets two slots, so no label lands on another.
    const slots = out.reduce((n, e) => n + (e.repeat && !e.to ? 2 : 1), 0);
    const top = node.y + 10;
    const step = Math.max(0, node.h - 20) / Math.max(1, slots - 1);
    let slot = 0;
    for (const e of out) {
      e.fromY = top + step * slot;
      slot += e.repeat && !e.to ? 2 : 1;
    }
  }
}

/** The point an edge ends at: the service's row on the target box, on the side facing the source. */
export function anchor(node: NodeBox, row: number, facingRight: boolean): { x: number; y: number } {
  const y = row < 0 ? node.y + BOX.head / 2 : node.y + BOX.head + row * BOX.service + BOX.service / 2;
  return { x: facingRight ? node.x + node.w : node.x, y };
}

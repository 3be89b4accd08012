import { create } from 'zustand';
import { WorldModel } from '../main/trace/model';
import { RingBuffer } from '../main/trace/ring';
import type { MessageEvent, TraceEvent } from '../main/trace/schema';
import type { Bridge, EventBatch, HelloResult } from '../preload/contract';

/**
 * High-rate data lives outside React: the model and two bounded windows. The
 * store holds a version counter that moves once per batch, so a view
 * re-renders at most once per batch (≤ 60 a second), however many messages arrive.
 */
export const live = {
  model: new WorldModel(),
  messages: new RingBuffer<MessageEvent>(100_000),
  events: new RingBuffer<TraceEvent>(20_000),
};

export type Selection = { kind: 'conn'; id: string } | { kind: 'proc'; pid: number } | null;

export interface Notice {
  id: number;
  level: 'error' | 'info';
  text: string;
}

interface ConsoleState {
  status: 'connecting' | 'live' | 'disconnected';
  host?: HelloResult['host'];
  world?: HelloResult['world'];
  version: number;
  dropped: number;
  paused: boolean;
  selection: Selection;
  notices: Notice[];
}

export const useConsole = create<ConsoleState>(() => ({
  status: 'connecting',
  version: 0,
  dropped: 0,
  paused: false,
  selection: null,
  notices: [],
}));

let bridge: Bridge | undefined;
let noticeId = 0;

function accept(event: TraceEvent): void {
  if (event.seq <= live.model.state.lastSeq) return;
  live.model.apply(event);
  if (event.kind === 'message') {
    if (!useConsole.getState().paused) live.messages.push(event);
  } else {
    live.events.push(event);
  }
}

export function applyBatch(batch: EventBatch): void {
  for (const event of batch.events) accept(event);
  useConsole.setState((s) => ({ version: s.version + 1, dropped: batch.dropped + live.messages.dropped }));
}

export function notify(text: string, level: Notice['level'] = 'error'): void {
  const id = ++noticeId;
  useConsole.setState((s) => ({ notices: [...s.notices.slice(-3), { id, level, text }] }));
  setTimeout(() => useConsole.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) })), 6000);
}

export async function connect(b: Bridge): Promise<void> {
  bridge = b;
  b.onBatch(applyBatch);
  try {
    const hello = await b.invoke({ type: 'hello' });
    live.model = new WorldModel(hello.snapshot);
    for (const event of hello.recent) {
      if (event.kind === 'message') live.messages.push(event);
      else live.events.push(event);
    }
    useConsole.setState((s) => ({
      status: 'live',
      host: hello.host,
      world: hello.world,
      dropped: hello.dropped,
      version: s.version + 1,
    }));
  } catch (error) {
    useConsole.setState({ status: 'disconnected' });
    notify(error instanceof Error ? error.message : String(error));
  }
}

/** Runs a command and shows its error where the user is looking. */
async function run<T>(what: string, fn: (b: Bridge) => Promise<T>): Promise<T | undefined> {
  if (!bridge) return undefined;
  try {
    return await fn(bridge);
  } catch (error) {
    notify(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

export const actions = {
  crash: (pid: number) => run(`crash ${pid}`, (b) => b.invoke({ type: 'crash', pid })),
  kill: (pid: number) => run(`kill ${pid}`, (b) => b.invoke({ type: 'kill', pid, signal: 'SIGKILL' })),
  cancel: (conn: string) => run(`cancel ${conn}`, (b) => b.invoke({ type: 'cancel', conn })),
  select: (selection: Selection) => useConsole.setState({ selection }),
  togglePause: () => useConsole.setState((s) => ({ paused: !s.paused })),
  clearMessages: () => {
    live.messages.clear();
    useConsole.setState((s) => ({ version: s.version + 1 }));
  },
};

import { create } from 'zustand';
import { type ModelSnapshot, WorldModel } from '../main/trace/model';
import { RingBuffer } from '../main/trace/ring';
import type { MessageEvent, TraceEvent } from '../main/trace/schema';
import type { XpcDictionary } from '../main/trace/xpc-value';
import {
  type Bridge,
  type EventBatch,
  type HelloResult,
  MenuActionSchema,
  type Progress,
  type WorldEntry,
  type WorldList,
} from '../preload/contract';
import { CaptureView } from './capture/view';
import { CaptureWindow } from './capture/window';
import { type CompiledFilter, compileFilter } from './filter';
import { isNumber, loadPref, savePref } from './prefs';
import { MessageStats } from './stats/aggregates';
import { scenarioProgress } from './views/scenarios/state';

/**
 * High-rate data lives outside React: the model, the capture window and its
 * filtered view, the event window and the message aggregates. The store holds
 * a version counter that moves once per batch, so a view re-renders at most
 * once per batch (≤ 60 a second), however many messages arrive.
 */
export const WINDOW_SIZES = [10_000, 100_000, 250_000, 1_000_000, 2_000_000] as const;
const EVENT_WINDOW = 20_000;
const KNOWN_KEYS = 500;

const windowSize = loadPref(
  'window',
  100_000,
  (v): v is number => isNumber(v) && WINDOW_SIZES.includes(v as never),
);
const messages = new CaptureWindow<MessageEvent>(windowSize);

export const live = {
  model: new WorldModel(),
  messages,
  view: new CaptureView<MessageEvent>(messages, (): ModelSnapshot => live.model.state),
  events: new RingBuffer<TraceEvent>(EVENT_WINDOW),
  stats: new MessageStats(),
  filter: null as CompiledFilter | null,
  /** Events that never reached the console: gaps in the stream's sequence numbers since it attached. */
  lost: 0,
  /** Message keys seen, for the filter's autocomplete. */
  keys: new Set<string>(),
};

export type Selection =
  | { kind: 'conn'; id: string }
  | { kind: 'proc'; pid: number }
  | { kind: 'msg'; id: number; abs: number }
  | { kind: 'event'; seq: number }
  | null;

export const VIEWS = [
  'messages',
  'connections',
  'topology',
  'events',
  'sequence',
  'statistics',
  'upgrade',
  'scenarios',
] as const;
export type ViewId = (typeof VIEWS)[number];
export type Theme = 'system' | 'light' | 'dark';

export interface Notice {
  id: number;
  level: 'error' | 'info';
  text: string;
}

export interface FilterProblem {
  message: string;
  pos: number;
  end: number;
}

interface ConsoleState {
  status: 'connecting' | 'live' | 'disconnected';
  host?: HelloResult['host'];
  mode?: HelloResult['mode'];
  world?: HelloResult['world'];
  recording?: HelloResult['recording'];
  version: number;
  /** What the host reports its own bounded window and batcher have dropped (its window's drops may still have reached the console). */
  hostDropped: number;
  progress?: Progress | undefined;
  paused: boolean;
  selection: Selection;
  notices: Notice[];
  view: ViewId;
  filterText: string;
  filterProblem: FilterProblem | null;
  /** Moves whenever the applied filter changes. */
  filterVersion: number;
  windowSize: number;
  capturePayloads: boolean;
  theme: Theme;
  help: boolean;
  /** The world picker is open. */
  picker: boolean;
  /** A reopened trace scrubbed back in time: the world as it stood at t, shown instead of the latest. */
  at: { t: number; model: WorldModel } | null;
  /** The export dialog is open. */
  exporting: boolean;
}

const isView = (v: unknown): v is ViewId => VIEWS.includes(v as ViewId);
const isTheme = (v: unknown): v is Theme => v === 'system' || v === 'light' || v === 'dark';

export const useConsole = create<ConsoleState>(() => ({
  status: 'connecting',
  version: 0,
  hostDropped: 0,
  paused: false,
  selection: null,
  notices: [],
  view: loadPref('view', 'messages', isView),
  filterText: '',
  filterProblem: null,
  filterVersion: 0,
  windowSize,
  capturePayloads: true,
  theme: loadPref('theme', 'system', isTheme),
  help: false,
  picker: false,
  at: null,
  exporting: false,
}));

/** The model the views draw: the scrubbed instant's while a reopened trace is scrubbed back, else the latest. */
export function currentModel(): WorldModel {
  return useConsole.getState().at?.model ?? live.model;
}

/** currentModel() for a component, which re-renders when the scrubber moves. */
export function useModel(): WorldModel {
  return useConsole((s) => s.at)?.model ?? live.model;
}

/** The latest event's time: a recording's "now", which ended when its last line was written. */
let lastEventT = 0;

/**
 * The time the views measure durations to: the scrubbed instant; in a
 * recording (a trace or a Mac's log), its last event; else now.
 */
export function modelNow(): number {
  const { at, mode } = useConsole.getState();
  if (at) return at.t;
  return mode === 'trace' && lastEventT > 0 ? lastEventT : Date.now();
}

let bridge: Bridge | undefined;

function host(): Bridge {
  if (!bridge) throw new Error('not connected to the XPC Lab host yet');
  return bridge;
}
let noticeId = 0;

function accept(event: TraceEvent): void {
  const last = live.model.state.lastSeq;
  if (event.seq <= last) return;
  if (last >= 0 && event.seq > last + 1) live.lost += event.seq - last - 1;
  live.model.apply(event);
  if (event.t > lastEventT) lastEventT = event.t;
  if (event.kind === 'message') {
    live.stats.add(event, live.model.state);
    live.messages.push(event);
    if (event.key && live.keys.size < KNOWN_KEYS) live.keys.add(event.key);
  } else {
    live.events.push(event);
    if (event.kind === 'scenario') scenarioProgress(event);
  }
}

/** Set while the page reloads for a new source: the socket closing then is expected, not a lost host. */
let leaving = false;

/**
 * The host now shows another source. The page starts over rather than reset
 * in place: every view, and anything any view derived from the old stream,
 * begins again from the new source's hello.
 */
function startOver(): void {
  leaving = true;
  globalThis.location?.reload();
}

export function applyBatch(batch: EventBatch): void {
  if (batch.switched) return startOver();
  const from = live.messages.end;
  for (const event of batch.events) accept(event);
  live.view.extend(from);
  useConsole.setState((s) => ({
    version: s.version + 1,
    hostDropped: batch.dropped,
    progress: batch.progress,
  }));
}

export function notify(text: string, level: Notice['level'] = 'error'): void {
  const id = ++noticeId;
  useConsole.setState((s) => ({ notices: [...s.notices.slice(-3), { id, level, text }] }));
  setTimeout(() => useConsole.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) })), 8000);
}

export async function connect(b: Bridge): Promise<void> {
  bridge = b;
  // Batches can overtake the hello; they wait for its snapshot, or they would land in an empty model twice.
  let early: EventBatch[] | null = [];
  b.onBatch((batch) => (early ? early.push(batch) : applyBatch(batch)));
  b.onMenu?.((raw) => {
    const action = MenuActionSchema.safeParse(raw);
    if (action.success && action.data === 'export') actions.toggleExport(true);
  });
  try {
    const hello = await b.invoke({ type: 'hello' });
    live.model = new WorldModel(hello.snapshot);
    for (const event of hello.recent) {
      if (event.kind === 'message') {
        live.stats.add(event, live.model.state);
        live.messages.push(event);
      } else live.events.push(event);
    }
    live.view.refresh();
    useConsole.setState((s) => ({
      status: 'live',
      host: hello.host,
      mode: hello.mode,
      world: hello.world,
      recording: hello.recording,
      hostDropped: hello.dropped,
      capturePayloads: hello.capturePayloads,
      progress: hello.progress,
      at: null,
      version: s.version + 1,
    }));
    const waiting = early;
    early = null;
    for (const batch of waiting) applyBatch(batch);
  } catch (error) {
    early = null;
    useConsole.setState({ status: 'disconnected' });
    notify(error instanceof Error ? error.message : String(error));
  }
}

export function disconnected(): void {
  if (leaving || useConsole.getState().status === 'disconnected') return;
  useConsole.setState({ status: 'disconnected' });
  notify(
    'Lost the connection to the XPC Lab host. What is on screen stays; restart `xpc-lab serve` and reload to go on.',
  );
}

/** Runs a command and shows its error where the user is looking. */
export async function run<T>(what: string, fn: (b: Bridge) => Promise<T>): Promise<T | undefined> {
  if (!bridge) return undefined;
  try {
    return await fn(bridge);
  } catch (error) {
    notify(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

function bump(): void {
  useConsole.setState((s) => ({ version: s.version + 1 }));
}

/** Compiles and applies a filter to every view and to everything already captured. */
export function applyFilter(text: string): void {
  const result = compileFilter(text);
  if (!result.ok) {
    const { message, pos, end } = result.error;
    useConsole.setState({ filterText: text, filterProblem: { message, pos, end } });
    return;
  }
  live.filter = result.filter;
  live.view.setFilter(result.filter?.message ?? null);
  useConsole.setState((s) => ({ filterText: text, filterProblem: null, filterVersion: s.filterVersion + 1 }));
}

/** Narrows the filter by one more test, as a click on a value in a row does. */
export function filterBy(field: string, value: string | number, exclude = false): void {
  const literal =
    typeof value === 'number' || /^[A-Za-z0-9_.\-/$[\]@:]+$/.test(value) ? value : JSON.stringify(value);
  const test = `${field} ${exclude ? '!=' : '=='} ${literal}`;
  const current = useConsole.getState().filterText.trim();
  const bare = /^[^|]*$/.test(current);
  applyFilter(current ? `${bare ? current : `(${current})`} && ${test}` : test);
}

export const actions = {
  crash: (pid: number) => run(`crash ${pid}`, (b) => b.invoke({ type: 'crash', pid })),
  kill: (pid: number) => run(`kill ${pid}`, (b) => b.invoke({ type: 'kill', pid, signal: 'SIGKILL' })),
  cancel: (conn: string) => run(`cancel ${conn}`, (b) => b.invoke({ type: 'cancel', conn })),
  pressure: async () => {
    const r = await run('memory pressure', (b) => b.invoke({ type: 'pressure' }));
    if (r)
      notify(
        r.reclaimed.length === 0
          ? 'Memory pressure: no helper was clean and idle, so launchd reclaimed none'
          : `Memory pressure: launchd reclaimed ${r.reclaimed.map((p) => `${p.label}[${p.pid}]`).join(', ')}`,
        'info',
      );
  },
  send: (from: number, service: string, body: XpcDictionary, expectsReply: boolean) =>
    run(`send to ${service}`, (b) => b.invoke({ type: 'send', from, service, body, expectsReply })),
  setCapture: async (payloads: boolean) => {
    const r = await run('payload capture', (b) => b.invoke({ type: 'setCapture', payloads }));
    if (r) useConsole.setState({ capturePayloads: r.payloads });
  },
  select: (selection: Selection) => useConsole.setState({ selection }),
  setView: (view: ViewId) => {
    savePref('view', view);
    useConsole.setState({ view });
  },
  togglePause: () => {
    if (live.view.paused) live.view.resume();
    else live.view.pause();
    useConsole.setState((s) => ({ paused: live.view.paused, version: s.version + 1 }));
  },
  clearMessages: () => {
    live.messages.clear();
    live.stats.clear();
    live.view.refresh();
    bump();
  },
  setWindowSize: (size: number) => {
    live.messages.resize(size);
    live.view.refresh();
    savePref('window', size);
    useConsole.setState((s) => ({ windowSize: size, version: s.version + 1 }));
  },
  setTheme: (theme: Theme) => {
    savePref('theme', theme);
    useConsole.setState({ theme });
  },
  toggleHelp: (open?: boolean) => useConsole.setState((s) => ({ help: open ?? !s.help })),
  togglePicker: (open?: boolean) => useConsole.setState((s) => ({ picker: open ?? !s.picker })),
  /** Recent and demo worlds; the picker shows a failure itself, so this throws rather than notifies. */
  listWorlds: (): Promise<WorldList> => host().invoke({ type: 'recentWorlds' }),
  /** Opens a world folder, a trace or a log: on success the host swaps its source and the page starts over. */
  open: (path: string, allowScripts = false): Promise<WorldEntry> =>
    host().invoke({ type: 'open', path, ...(allowScripts ? { allowScripts } : {}) }),
  toggleExport: (open?: boolean) => useConsole.setState((s) => ({ exporting: open ?? !s.exporting })),
};

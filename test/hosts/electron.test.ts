import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ElectronApi, runElectronHost } from '../../main/hosts/electron/host';
import { demoWorldPath } from '../../main/hosts/paths';
import { CHANNELS } from '../../preload/channels';

type MenuItem = { label?: string; role?: string; submenu?: MenuItem[]; click?: () => void };

/** A fake `electron` that records what the host asked of it. */
function fakeElectron() {
  const calls = {
    windows: [] as { options: Record<string, unknown>; win: FakeWindow }[],
    handlers: new Map<string, (event: unknown, raw: unknown) => unknown>(),
    forks: [] as { modulePath: string; args: string[]; options: Record<string, unknown>; child: FakeChild }[],
    appListeners: new Map<string, (...args: unknown[]) => void>(),
    menu: [] as MenuItem[],
    nextOpen: undefined as string | undefined,
    headerFilter: undefined as
      | undefined
      | ((
          details: { responseHeaders: Record<string, string[]> },
          cb: (r: { responseHeaders: Record<string, string[]> }) => void,
        ) => void),
  };
  class FakeChild extends EventEmitter {
    pid = 40_000 + calls.forks.length;
    posted: unknown[] = [];
    postMessage(m: unknown) {
      this.posted.push(m);
    }
    kill() {
      return true;
    }
  }
  class FakeWindow extends EventEmitter {
    sent: { channel: string; payload: unknown }[] = [];
    loaded = '';
    webContents = {
      send: (channel: string, payload: unknown) => this.sent.push({ channel, payload }),
    };
    constructor(options: Record<string, unknown>) {
      super();
      calls.windows.push({ options, win: this });
    }
    isDestroyed() {
      return false;
    }
    show() {}
    loads = 0;
    async loadURL(url: string) {
      this.loaded = url;
      this.loads++;
    }
  }
  const electron = {
    app: {
      on: (name: string, fn: (...args: unknown[]) => void) => calls.appListeners.set(name, fn),
      whenReady: async () => {},
      quit: () => {},
    },
    BrowserWindow: FakeWindow,
    ipcMain: {
      handle: (channel: string, fn: (event: unknown, raw: unknown) => unknown) =>
        calls.handlers.set(channel, fn),
    },
    utilityProcess: {
      fork: (modulePath: string, args: string[], options: Record<string, unknown>) => {
        const child = new FakeChild();
        calls.forks.push({ modulePath, args, options, child });
        queueMicrotask(() => child.emit('spawn'));
        return child;
      },
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (fn: typeof calls.headerFilter) => (calls.headerFilter = fn) },
      },
    },
    Menu: {
      buildFromTemplate: (template: MenuItem[]) => template,
      setApplicationMenu: (menu: MenuItem[]) => (calls.menu = menu),
    },
    dialog: {
      showOpenDialog: async () => ({
        canceled: calls.nextOpen === undefined,
        filePaths: calls.nextOpen ? [calls.nextOpen] : [],
      }),
      showSaveDialog: async () => ({ canceled: true }),
    },
    shell: { showItemInFolder: () => {} },
  };
  return { electron: electron as unknown as ElectronApi, calls };
}

async function started() {
  const fake = fakeElectron();
  const distDir = mkdtempSync(join(tmpdir(), 'xpc-lab-dist-'));
  await runElectronHost(fake.electron, {
    worldDir: demoWorldPath(),
    distDir,
    helperEntry: '/fake/helper/entry.mjs',
  });
  const win = fake.calls.windows[0]!;
  const handler = fake.calls.handlers.get(CHANNELS.command)!;
  const fromWindow = { sender: win.win.webContents, senderFrame: { url: win.win.loaded } };
  return { ...fake, distDir, win, handler, fromWindow };
}

describe('the Electron host, against a fake electron module', () => {
  it('opens one window with context isolation, the sandbox, no node integration and the preload', async () => {
    const { win, distDir } = await started();
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(prefs.preload).toBe(join(distDir, 'preload', 'index.cjs'));
    expect(win.win.loaded).toBe(`file://${join(distDir, 'renderer', 'index.html')}`);
  });

  it('sets a Content-Security-Policy on every response', async () => {
    const { calls } = await started();
    let headers: Record<string, string[]> = {};
    calls.headerFilter?.({ responseHeaders: {} }, (r) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy']?.[0]).toMatch(/default-src 'self'; script-src 'self'/);
  });

  it('blocks navigation and new windows in every web contents', async () => {
    const { calls } = await started();
    const contents = new EventEmitter() as EventEmitter & {
      setWindowOpenHandler: (fn: () => unknown) => void;
      openHandler?: () => unknown;
    };
    contents.setWindowOpenHandler = (fn) => (contents.openHandler = fn);
    calls.appListeners.get('web-contents-created')?.({}, contents);
    let prevented = false;
    contents.emit('will-navigate', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(contents.openHandler?.()).toEqual({ action: 'deny' });
  });

  it('answers commands only from its own window, and validates them', async () => {
    const { handler, fromWindow } = await started();
    expect(
      await handler({ sender: {}, senderFrame: { url: 'https://evil.example/' } }, { type: 'hello' }),
    ).toEqual({
      ok: false,
      error: 'command refused: it did not come from the XPC Lab console window',
    });
    expect(await handler(fromWindow, { type: 'crash', pid: 'one' })).toEqual({
      ok: false,
      error: 'invalid command: pid: Invalid input: expected number, received string',
    });
    const hello = (await handler(fromWindow, { type: 'hello' })) as {
      ok: boolean;
      value: { host: string; world: { name: string } };
    };
    expect(hello).toMatchObject({ ok: true, value: { host: 'electron', world: { name: 'Acme VPN' } } });
  });

  it('forks a utility process per launched job, each with a unique serviceName and stdin ignored', async () => {
    const { calls } = await started();
    const names = calls.forks.map((f) => f.options.serviceName);
    expect(names.length).toBeGreaterThanOrEqual(3);
    expect(new Set(names).size).toBe(names.length);
    for (const f of calls.forks) {
      expect(f.modulePath).toBe('/fake/helper/entry.mjs');
      expect((f.options.stdio as string[])[0]).toBe('ignore');
      expect((f.options.env as Record<string, string>).XPC_SERVICE_NAME).toBeTruthy();
    }
    expect(calls.forks[0]!.child.posted[0]).toMatchObject({ t: 'init' });
  });

  it('maps child-process-gone "crashed" to a crash of that helper, and pushes batches to the window', async () => {
    const { calls, win } = await started();
    const target = calls.forks.find(
      (f) => (f.options.env as Record<string, string>).XPC_SERVICE_NAME === 'com.acme.vpn',
    )!;
    await new Promise((r) => setTimeout(r, 10));
    calls.appListeners.get('child-process-gone')?.(
      {},
      { type: 'Utility', reason: 'crashed', exitCode: 11, serviceName: target.options.serviceName },
    );
    target.child.emit('exit', 11);
    await new Promise((r) => setTimeout(r, 60));
    const events = win.win.sent
      .filter((s) => s.channel === CHANNELS.batch)
      .flatMap((s) => (s.payload as { events: { kind: string; cause?: string; label?: string }[] }).events);
    expect(events.find((e) => e.kind === 'process.exit')).toMatchObject({
      label: 'com.acme.vpn',
      cause: 'crash',
    });
  });
});

describe('the File menu', () => {
  it('offers to open a world, open a trace, import a Mac log and export', async () => {
    const { calls } = await started();
    const file = calls.menu.find((m) => m.label === 'File');
    expect(file?.submenu?.map((i) => i.label).filter(Boolean)).toEqual([
      'Open World…',
      'Open Trace…',
      'Import macOS Log…',
      'Export Perfetto Trace…',
      'Show Recording in Folder',
    ]);
  });

  it('Import macOS Log… shows the log in the same window, where actions are refused', async () => {
    const { calls, handler, fromWindow, win } = await started();
    calls.nextOpen = join(process.cwd(), 'test/fixtures/logs/nextcloud-10479.default.log');
    calls.menu
      .find((m) => m.label === 'File')
      ?.submenu?.find((i) => i.label === 'Import macOS Log…')
      ?.click?.();
    await expect.poll(() => win.win.loads).toBe(2);
    const hello = (await handler(fromWindow, { type: 'hello' })) as {
      value: { mode: string; world: { name: string } };
    };
    expect(hello.value).toMatchObject({ mode: 'trace', world: { name: 'nextcloud-10479.default.log' } });
    expect(await handler(fromWindow, { type: 'crash', pid: 1 })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/needs a live session/),
    });
  });
});

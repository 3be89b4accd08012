import { EventEmitter } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ElectronApi, runElectronHost } from '../../main/hosts/electron/host';
import { demoWorldPath, packageRoot } from '../../main/hosts/paths';
import { RecentStore } from '../../main/hosts/recent';
import { CHANNELS } from '../../preload/channels';

type MenuItem = {
  label?: string;
  role?: string;
  enabled?: boolean;
  submenu?: MenuItem[];
  click?: () => void;
};

/** A fake `electron` that records what the host asked of it. */
function fakeElectron() {
  const calls = {
    windows: [] as { options: Record<string, unknown>; win: FakeWindow }[],
    handlers: new Map<string, (event: unknown, raw: unknown) => unknown>(),
    forks: [] as { modulePath: string; args: string[]; options: Record<string, unknown>; child: FakeChild }[],
    appListeners: new Map<string, (...args: unknown[]) => void>(),
    menu: [] as MenuItem[],
    nextOpen: undefined as string | undefined,
    /** The button the next message box answers with (0, the first, unless set). */
    nextResponse: 0,
    errors: [] as { title?: string; detail?: string; buttons?: string[] }[],
    privileged: [] as { scheme: string; privileges: Record<string, boolean> }[],
    protocols: new Map<string, (request: { url: string; method?: string }) => Response>(),
    permissionRequest: undefined as
      | undefined
      | ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void),
    permissionCheck: undefined as undefined | ((contents: unknown, permission: string) => boolean),
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
        setPermissionRequestHandler: (fn: typeof calls.permissionRequest) => (calls.permissionRequest = fn),
        setPermissionCheckHandler: (fn: typeof calls.permissionCheck) => (calls.permissionCheck = fn),
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: typeof calls.privileged) => {
        // Electron refuses this after ready; the fake app is never ready before the host asks.
        calls.privileged.push(...schemes);
      },
      handle: (scheme: string, fn: (request: { url: string; method?: string }) => Response) =>
        calls.protocols.set(scheme, fn),
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
      showMessageBox: async (
        _win: unknown,
        options: { title?: string; detail?: string; buttons?: string[] },
      ) => {
        calls.errors.push(options);
        return { response: calls.nextResponse };
      },
    },
    shell: { showItemInFolder: () => {} },
  };
  return { electron: electron as unknown as ElectronApi, calls };
}

/** The utility spawner signals a helper by its pid; the fake children's pids are made up, so nothing real is signalled. */
let signalled: { pid: number; signal: string | number | undefined }[] = [];
beforeEach(() => {
  signalled = [];
  vi.spyOn(process, 'kill').mockImplementation((pid, signal) => {
    signalled.push({ pid, signal });
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function started(worldDir = demoWorldPath()) {
  const fake = fakeElectron();
  const distDir = mkdtempSync(join(tmpdir(), 'xpc-lab-dist-'));
  const recent = new RecentStore(join(mkdtempSync(join(tmpdir(), 'xpc-lab-home-')), 'recent.json'));
  await runElectronHost(fake.electron, {
    worldDir,
    distDir,
    helperEntry: '/fake/helper/entry.mjs',
    record: false,
    recent,
  });
  const win = fake.calls.windows[0]!;
  const handler = fake.calls.handlers.get(CHANNELS.command)!;
  const fromWindow = { sender: win.win.webContents, senderFrame: { url: win.win.loaded } };
  return { ...fake, distDir, win, handler, fromWindow, recent };
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
    expect(win.win.loaded).toBe('app://console/index.html');
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
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      contents.emit(name, { preventDefault: () => (prevented = true) });
      expect(prevented, name).toBe(true);
    }
    expect(contents.openHandler?.()).toEqual({ action: 'deny' });
  });

  it('denies every permission a page asks for, and every permission check', async () => {
    const { calls } = await started();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let granted: boolean | undefined;
      calls.permissionRequest?.({}, permission, (g) => (granted = g));
      expect(granted, permission).toBe(false);
      expect(calls.permissionCheck?.({}, permission), permission).toBe(false);
    }
  });

  it('serves the console from a privileged app:// scheme, only files inside dist/renderer', async () => {
    const { calls, distDir } = await started();
    expect(calls.privileged).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    mkdirSync(join(distDir, 'renderer'), { recursive: true });
    writeFileSync(join(distDir, 'renderer', 'index.html'), '<!doctype html><title>XPC Lab</title>');
    writeFileSync(join(distDir, 'secret.txt'), 'outside the renderer folder');
    const serve = calls.protocols.get('app');
    const page = serve?.({ url: 'app://console/index.html' });
    expect(page?.status).toBe(200);
    expect(await page?.text()).toContain('<title>XPC Lab</title>');
    expect(page?.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    for (const url of [
      'app://console/../secret.txt',
      'app://console/%2e%2e/secret.txt',
      'app://console/..%2fsecret.txt',
      'app://console/%E0%A4%A',
      'app://other/index.html',
      'app://console/missing.js',
    ]) {
      expect(serve?.({ url })?.status, url).toBe(404);
    }
    expect(serve?.({ url: 'app://console/index.html', method: 'POST' })?.status).toBe(404);
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

  it('ends every helper still running when the app quits', async () => {
    const { calls } = await started();
    await new Promise((r) => setTimeout(r, 10));
    expect(calls.forks.length).toBeGreaterThanOrEqual(3);
    const [gone, ...running] = calls.forks;
    gone!.child.emit('exit', 0);
    signalled = [];
    calls.appListeners.get('will-quit')?.({});
    expect(signalled.filter((s) => s.signal === 'SIGKILL').map((s) => s.pid)).toEqual(
      running.map((f) => f.child.pid),
    );
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
      'Open Recent',
      'Open Trace…',
      'Import macOS Log…',
      'Export…',
      'Show Recording in Folder',
    ]);
  });

  it("Export… opens the console's export dialog, which knows the filter and what the list shows", async () => {
    const { calls, win } = await started();
    calls.menu
      .find((m) => m.label === 'File')
      ?.submenu?.find((i) => i.label === 'Export…')
      ?.click?.();
    expect(win.win.sent.filter((s) => s.channel === CHANNELS.menu)).toEqual([
      { channel: CHANNELS.menu, payload: 'export' },
    ]);
  });

  it('Import macOS Log… shows the log in the same window, where actions are refused', async () => {
    const { calls, handler, fromWindow, win } = await started();
    calls.nextOpen = join(process.cwd(), 'test/fixtures/logs/written/nextcloud-10479.default.log');
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

describe('opening worlds in the Electron host', () => {
  const menuItem = (calls: { menu: MenuItem[] }, label: string) =>
    calls.menu.find((m) => m.label === 'File')?.submenu?.find((i) => i.label === label);
  const worldName = async (handler: (e: unknown, raw: unknown) => unknown, from: unknown) =>
    ((await handler(from, { type: 'hello' })) as { value: { world: { name: string } } }).value.world.name;
  const orbit = join(packageRoot(), 'assets', 'worlds', 'orbit-backup');

  it('File › Open World… on a world that runs scripts lists them in a dialog, and opens it only when the user agrees', async () => {
    const { calls, handler, fromWindow } = await started();
    const copy = join(mkdtempSync(join(tmpdir(), 'xpc-lab-scripts-')), 'pebble-notes');
    cpSync(join(packageRoot(), 'assets', 'worlds', 'pebble-notes'), copy, { recursive: true });
    calls.nextOpen = copy;
    calls.nextResponse = 0;
    menuItem(calls, 'Open World…')?.click?.();
    await expect.poll(() => calls.errors.length).toBe(1);
    expect(calls.errors[0]).toMatchObject({
      title: 'This world runs scripts',
      buttons: ['Cancel', 'Open and Run Scripts'],
      detail: expect.stringContaining('scripts/pebble-sync.mjs (com.pebble.notes.sync)'),
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(await worldName(handler, fromWindow)).toBe('Acme VPN');
    calls.nextResponse = 1;
    menuItem(calls, 'Open World…')?.click?.();
    await expect.poll(() => worldName(handler, fromWindow)).toBe('Pebble Notes');
    expect(calls.errors.length).toBe(2);
  });

  it('File › Open World… stops the shown world, opens the picked one, reloads the window and lists both as recent', async () => {
    const { calls, handler, fromWindow, win } = await started();
    const before = calls.forks.length;
    calls.nextOpen = orbit;
    menuItem(calls, 'Open World…')?.click?.();
    await expect.poll(() => win.win.loads).toBe(2);
    expect(await worldName(handler, fromWindow)).toBe('Orbit Backup');
    // Every helper of the old world was killed; the new world's helpers are new forks.
    const killed = new Set(signalled.filter((s) => s.signal === 'SIGKILL').map((s) => s.pid));
    expect(calls.forks.slice(0, before).map((f) => killed.has(f.child.pid))).toEqual(
      Array(before).fill(true),
    );
    expect(calls.forks.length).toBeGreaterThan(before);
    const recent = menuItem(calls, 'Open Recent')?.submenu?.map((i) => i.label);
    expect(recent).toEqual([`Orbit Backup — ${orbit}`, `Acme VPN — ${demoWorldPath()}`]);
  });

  it('a folder that is not a world is refused in a dialog naming it, and the shown world keeps running', async () => {
    const { calls, handler, fromWindow, win } = await started();
    const empty = mkdtempSync(join(tmpdir(), 'xpc-lab-not-a-world-'));
    calls.nextOpen = empty;
    menuItem(calls, 'Open World…')?.click?.();
    await expect.poll(() => calls.errors.length).toBe(1);
    expect(calls.errors[0]).toMatchObject({
      title: 'Cannot open this world',
      detail: `${empty} is not a world: it has no Applications/ folder, no Library/ folder and no world.plist`,
    });
    expect(win.win.loads).toBe(1);
    expect(await worldName(handler, fromWindow)).toBe('Acme VPN');
    expect(signalled).toEqual([]);
  });

  it('answers recentWorlds and open from the console window', async () => {
    const { handler, fromWindow, win } = await started();
    const list = (await handler(fromWindow, { type: 'recentWorlds' })) as {
      ok: true;
      value: {
        recent: { name: string; path: string }[];
        demos: { name: string }[];
        current: { kind: string; name: string };
      };
    };
    expect(list.value.recent.map((w) => w.path)).toEqual([demoWorldPath()]);
    expect(list.value.demos.map((w) => w.name)).toEqual(
      expect.arrayContaining(['Acme VPN', 'Orbit Backup', 'Northwind Guard']),
    );
    expect(list.value.current).toMatchObject({ kind: 'world', name: 'Acme VPN' });

    expect(await handler(fromWindow, { type: 'open', path: 'worlds/relative' })).toEqual({
      ok: false,
      error: 'invalid command: path: an absolute path, such as /Users/me/worlds/acme-vpn',
    });
    expect(await handler(fromWindow, { type: 'open', path: orbit })).toEqual({
      ok: true,
      value: { kind: 'world', name: 'Orbit Backup', path: orbit },
    });
    await expect.poll(() => win.win.loads).toBe(2);
    expect(await worldName(handler, fromWindow)).toBe('Orbit Backup');
  });

  it('a world named on the command line that cannot be opened is explained, and the demo world shown', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'xpc-lab-file-')), 'world.txt');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, 'not a folder');
    const { calls, handler, fromWindow } = await started(file);
    expect(calls.errors[0]?.detail).toBe(
      `${file}: not a folder (a world is a folder laid out like a Mac's disk)`,
    );
    expect(await worldName(handler, fromWindow)).toBe('Acme VPN');
  });
});

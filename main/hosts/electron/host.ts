import { join, resolve } from 'node:path';
import type * as Electron from 'electron';
import { CHANNELS } from '../../../preload/channels';
import type { MenuAction } from '../../../preload/contract';
import { CSP } from '../csp';
import { demoWorldPath } from '../paths';
import type { RecentStore } from '../recent';
import { ScriptsNeedConsentError } from '../scripts-consent';
import { SourceSwitch } from '../switch';
import { APP_INDEX, APP_PRIVILEGES, APP_SCHEME, serveAppRequest } from './app-protocol';
import { UtilityProcessSpawner } from './utility-spawner';

/** The parts of the `electron` module the host uses; tests pass a fake that records each call. */
export type ElectronApi = Pick<
  typeof Electron,
  | 'app'
  | 'BrowserWindow'
  | 'ipcMain'
  | 'utilityProcess'
  | 'session'
  | 'Menu'
  | 'dialog'
  | 'shell'
  | 'protocol'
  | 'MessageChannelMain'
>;

export interface ElectronHostOptions {
  worldDir: string;
  distDir: string;
  helperEntry: string;
  /** Where sessions are recorded; false turns recording off. */
  record?: string | false;
  /** Where recently opened worlds and traces are remembered (default ~/.xpc-lab/recent.json). */
  recent?: RecentStore;
}

export const WINDOW_OPTIONS = (preload: string): Electron.BrowserWindowConstructorOptions => ({
  width: 1440,
  height: 900,
  minWidth: 960,
  minHeight: 600,
  title: 'XPC Lab',
  backgroundColor: '#111318',
  show: false,
  webPreferences: {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  },
});

/**
 * The Electron host: one window, the preload bridge, utilityProcess helpers and
 * the File menu. What it shows, and every swap, belongs to the SourceSwitch;
 * everything else is delegated to the source shown.
 */
export async function runElectronHost(electron: ElectronApi, options: ElectronHostOptions): Promise<void> {
  const {
    app,
    BrowserWindow,
    ipcMain,
    utilityProcess,
    session: electronSession,
    Menu,
    dialog,
    shell,
    protocol,
    MessageChannelMain,
  } = electron;
  // Before ready, as Electron requires: the console's origin is app://console, not file://.
  protocol.registerSchemesAsPrivileged([APP_PRIVILEGES]);
  const spawner = new UtilityProcessSpawner(utilityProcess, options.helperEntry, MessageChannelMain);
  app.on('child-process-gone', (_event, details) => spawner.onChildProcessGone(details));
  app.on('web-contents-created', (_event, contents) => {
    // The console never leaves its page: no navigation of any frame, no redirect, no new window, no webview.
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-frame-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  await app.whenReady();

  const rendererRoot = join(options.distDir, 'renderer');
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererRoot, request));
  // The console needs no camera, microphone, notifications, geolocation or the like: every request is denied.
  electronSession.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false),
  );
  electronSession.defaultSession.setPermissionCheckHandler(() => false);

  electronSession.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });

  const win = new BrowserWindow(WINDOW_OPTIONS(join(options.distDir, 'preload', 'index.cjs')));
  const indexUrl = APP_INDEX;
  const sources = new SourceSwitch({
    host: 'electron',
    spawner,
    ...(options.record === undefined ? {} : { record: options.record }),
    ...(options.recent ? { recent: options.recent } : {}),
  });
  // A swap reloads the page: every view starts over from the new source's hello, none keeps the old stream.
  sources.attach({
    send: (batch) => {
      if (!win.isDestroyed()) win.webContents.send(CHANNELS.batch, batch);
    },
    switched: () => {
      setMenu();
      if (!win.isDestroyed()) void win.loadURL(indexUrl);
    },
  });

  const complain = (title: string, error: unknown) =>
    dialog.showMessageBox(win, {
      type: 'error',
      title,
      message: title,
      detail: error instanceof Error ? error.message : String(error),
    });
  /** A world whose helpers run scripts opens only after the user read the list and chose to run them. */
  const allowScripts = async (error: ScriptsNeedConsentError): Promise<boolean> => {
    const { response } = await dialog.showMessageBox(win, {
      type: 'warning',
      title: 'This world runs scripts',
      message: `This world runs ${error.scripts.length === 1 ? 'a script' : `${error.scripts.length} scripts`} as you when its helpers start`,
      detail: `${error.scripts.map((s) => `${s.path} (${s.label})`).join('\n')}\n\nThey run with your files and network. Open the world only if you trust them.`,
      buttons: ['Cancel', 'Open and Run Scripts'],
      defaultId: 0,
      cancelId: 0,
    });
    return response === 1;
  };
  const showWorld = async (dir: string): Promise<void> => {
    try {
      await sources.openWorld(resolve(dir), { scripts: 'ask' });
    } catch (error) {
      if (!(error instanceof ScriptsNeedConsentError)) return void complain('Cannot open this world', error);
      if (!(await allowScripts(error))) return;
      await sources
        .openWorld(resolve(dir), { scripts: 'allow' })
        .catch((again: unknown) => void complain('Cannot open this world', again));
    }
  };
  const showRecording = (path: string, kind: 'trace' | 'log') =>
    sources.openRecording(resolve(path), kind).then(
      () => undefined,
      (error: unknown) =>
        void complain(kind === 'trace' ? 'Cannot open this trace' : 'Cannot import this log', error),
    );
  const pick = async (
    title: string,
    properties: ('openFile' | 'openDirectory')[],
    filters?: Electron.FileFilter[],
  ) => {
    const r = await dialog.showOpenDialog(win, { title, properties, ...(filters ? { filters } : {}) });
    return r.canceled ? undefined : r.filePaths[0];
  };

  /** Recent worlds, traces and logs, newest first; rebuilt with the menu after every swap. */
  const recentItems = (): Electron.MenuItemConstructorOptions[] => {
    const entries = sources.recent.list();
    if (entries.length === 0) return [{ label: 'No Recent Items', enabled: false }];
    return entries.map((e) => ({
      label: e.kind === 'world' ? `${e.name} — ${e.path}` : `${e.name} (${e.kind})`,
      click: () => void (e.kind === 'world' ? showWorld(e.path) : showRecording(e.path, e.kind)),
    }));
  };

  const setMenu = () =>
    Menu.setApplicationMenu(
      Menu.buildFromTemplate([
        ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
        {
          label: 'File',
          submenu: [
            {
              label: 'Open World…',
              accelerator: 'CmdOrCtrl+O',
              click: () =>
                void pick('Open World', ['openDirectory']).then((d) => (d ? showWorld(d) : undefined)),
            },
            { label: 'Open Recent', submenu: recentItems() },
            {
              label: 'Open Trace…',
              accelerator: 'CmdOrCtrl+Shift+O',
              click: () =>
                void pick(
                  'Open Trace',
                  ['openFile'],
                  [{ name: 'XPC Lab trace', extensions: ['ndjson'] }],
                ).then((p) => (p ? showRecording(p, 'trace') : undefined)),
            },
            {
              label: 'Import macOS Log…',
              click: () =>
                void pick('Import macOS Log', ['openFile']).then((p) =>
                  p ? showRecording(p, 'log') : undefined,
                ),
            },
            { type: 'separator' },
            {
              // The console's own dialog: it knows the filter, what the list shows and what it holds.
              label: 'Export…',
              accelerator: 'CmdOrCtrl+E',
              click: () => {
                if (!win.isDestroyed()) win.webContents.send(CHANNELS.menu, 'export' satisfies MenuAction);
              },
            },
            {
              label: 'Show Recording in Folder',
              click: () => {
                const recording = sources.source?.recording;
                if (recording) shell.showItemInFolder(recording.path);
              },
            },
            { type: 'separator' },
            { role: 'quit' },
          ],
        },
        { role: 'editMenu' },
        { role: 'viewMenu' },
        { role: 'windowMenu' },
      ]),
    );

  ipcMain.handle(CHANNELS.command, (event, raw: unknown) => {
    // The renderer is untrusted: only our own window's top frame, on our own page, may command.
    if (event.sender !== win.webContents || event.senderFrame?.url !== indexUrl) {
      return { ok: false, error: 'command refused: it did not come from the XPC Lab console window' };
    }
    return sources.handle(raw);
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => void sources.close().then(() => app.quit()));
  app.on('before-quit', () => void sources.close());
  // Every helper still running ends with the app, whatever closed it.
  app.on('will-quit', () => spawner.dispose());

  try {
    await sources.openWorld(resolve(options.worldDir));
  } catch (error) {
    // A world named on the command line that cannot be opened: say why, and show the demo world instead.
    await complain('Cannot open this world', error);
    await sources.openWorld(demoWorldPath());
  }
  setMenu();
  await win.loadURL(indexUrl);
}

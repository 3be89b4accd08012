import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Electron from 'electron';
import { CHANNELS } from '../../../preload/channels';
import type { ConsoleSource } from '../../session/source';
import { toPerfetto } from '../../trace/export/perfetto';
import { CSP } from '../csp';
import { openLive, openRecording } from '../sources';
import { UtilityProcessSpawner } from './utility-spawner';

/** The parts of the `electron` module the host uses; tests pass a fake that records each call. */
export type ElectronApi = Pick<
  typeof Electron,
  'app' | 'BrowserWindow' | 'ipcMain' | 'utilityProcess' | 'session' | 'Menu' | 'dialog' | 'shell'
>;

export interface ElectronHostOptions {
  worldDir: string;
  distDir: string;
  helperEntry: string;
  /** Where sessions are recorded; false turns recording off. */
  record?: string | false;
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

interface Current {
  source: ConsoleSource;
  detach: () => void;
  stop: () => Promise<void>;
}

/**
 * The Electron host: one window, the preload bridge, utilityProcess helpers and
 * the File menu. Everything else is delegated to the session it shows.
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
  } = electron;
  const spawner = new UtilityProcessSpawner(utilityProcess, options.helperEntry);
  app.on('child-process-gone', (_event, details) => spawner.onChildProcessGone(details));
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  await app.whenReady();

  electronSession.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });

  const win = new BrowserWindow(WINDOW_OPTIONS(join(options.distDir, 'preload', 'index.cjs')));
  const indexUrl = pathToFileURL(join(options.distDir, 'renderer', 'index.html')).href;
  let current: Current | undefined;

  const show = async (source: ConsoleSource, stop: () => Promise<void>, start?: () => void) => {
    const previous = current;
    current = undefined;
    previous?.detach();
    await previous?.stop();
    const detach = source.attach((batch) => {
      if (!win.isDestroyed()) win.webContents.send(CHANNELS.batch, batch);
    });
    current = { source, detach, stop };
    start?.();
    await win.loadURL(indexUrl);
  };
  const showWorld = (dir: string) => {
    const live = openLive(dir, spawner, 'electron', options.record);
    return show(live.session, live.stop, () => live.session.start());
  };
  const showRecording = (path: string, kind: 'trace' | 'log') => {
    const { session } = openRecording(path, kind, 'electron');
    return show(session, async () => session.dispose());
  };
  const pick = async (
    title: string,
    properties: ('openFile' | 'openDirectory')[],
    filters?: Electron.FileFilter[],
  ) => {
    const r = await dialog.showOpenDialog(win, { title, properties, ...(filters ? { filters } : {}) });
    return r.canceled ? undefined : r.filePaths[0];
  };

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
          {
            label: 'Open Trace…',
            accelerator: 'CmdOrCtrl+Shift+O',
            click: () =>
              void pick('Open Trace', ['openFile'], [{ name: 'XPC Lab trace', extensions: ['ndjson'] }]).then(
                (p) => (p ? showRecording(p, 'trace') : undefined),
              ),
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
            label: 'Export Perfetto Trace…',
            accelerator: 'CmdOrCtrl+E',
            click: async () => {
              const r = await dialog.showSaveDialog(win, {
                title: 'Export Perfetto Trace',
                defaultPath: 'xpc-lab-trace.json',
              });
              if (!r.canceled && r.filePath && current)
                writeFileSync(r.filePath, JSON.stringify(toPerfetto(current.source.hub.window.toArray())));
            },
          },
          {
            label: 'Show Recording in Folder',
            click: () => current?.source.recording && shell.showItemInFolder(current.source.recording.path),
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
    if (event.sender !== win.webContents || event.senderFrame?.url !== indexUrl || !current) {
      return { ok: false, error: 'command refused: it did not come from the XPC Lab console window' };
    }
    return current.source.handle(raw);
  });
  win.once('ready-to-show', () => win.show());
  const quit = async () => {
    const last = current;
    current = undefined;
    last?.detach();
    await last?.stop();
  };
  win.on('closed', () => void quit().then(() => app.quit()));
  app.on('before-quit', () => void quit());
  await showWorld(options.worldDir);
}

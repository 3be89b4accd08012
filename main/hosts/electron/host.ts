import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Electron from 'electron';
import { CHANNELS } from '../../../preload/channels';
import { Session } from '../../session/session';
import { loadWorld } from '../../world/load';
import { CSP } from '../csp';
import { UtilityProcessSpawner } from './utility-spawner';

/** The parts of the `electron` module the host uses; tests pass a fake that records each call. */
export type ElectronApi = Pick<
  typeof Electron,
  'app' | 'BrowserWindow' | 'ipcMain' | 'utilityProcess' | 'session'
>;

export interface ElectronHostOptions {
  worldDir: string;
  distDir: string;
  helperEntry: string;
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
 * The Electron host: one window, the preload bridge, utilityProcess helpers.
 * Everything it does is delegated to Session; it only wires Electron to it.
 */
export async function runElectronHost(electron: ElectronApi, options: ElectronHostOptions): Promise<void> {
  const { app, BrowserWindow, ipcMain, utilityProcess, session: electronSession } = electron;
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

  const { world, diagnostics } = loadWorld(options.worldDir);
  const session = new Session({ world, spawner, host: 'electron', diagnostics });
  const win = new BrowserWindow(WINDOW_OPTIONS(join(options.distDir, 'preload', 'index.cjs')));
  const indexUrl = pathToFileURL(join(options.distDir, 'renderer', 'index.html')).href;

  ipcMain.handle(CHANNELS.command, (event, raw: unknown) => {
    // The renderer is untrusted: only our own window's top frame, on our own page, may command.
    if (event.sender !== win.webContents || event.senderFrame?.url !== indexUrl) {
      return { ok: false, error: 'command refused: it did not come from the XPC Lab console window' };
    }
    return session.handle(raw);
  });
  const detach = session.attach((batch) => {
    if (!win.isDestroyed()) win.webContents.send(CHANNELS.batch, batch);
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    detach();
    session.dispose();
    app.quit();
  });
  app.on('before-quit', () => session.dispose());
  session.start();
  await win.loadURL(indexUrl);
}

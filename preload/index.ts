import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import { BRIDGE_GLOBAL, CHANNELS } from './channels';
import type { Bridge, EventBatch, MenuAction, Reply } from './contract';

/**
 * Exposes exactly the contract's Bridge to the sandboxed renderer. Main
 * validates every command; this side only forwards.
 */
const bridge: Bridge = {
  async invoke(command) {
    const reply = (await ipcRenderer.invoke(CHANNELS.command, command)) as Reply;
    if (!reply.ok) throw new Error(reply.error);
    return reply.value as never;
  },
  onBatch(listener) {
    const handler = (_event: IpcRendererEvent, batch: EventBatch) => listener(batch);
    ipcRenderer.on(CHANNELS.batch, handler);
    return () => {
      ipcRenderer.removeListener(CHANNELS.batch, handler);
    };
  },
  onMenu(listener) {
    const handler = (_event: IpcRendererEvent, action: MenuAction) => listener(action);
    ipcRenderer.on(CHANNELS.menu, handler);
    return () => {
      ipcRenderer.removeListener(CHANNELS.menu, handler);
    };
  },
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);

/** Names shared by the Electron preload and main; kept free of imports so the sandboxed preload stays tiny. */
export const BRIDGE_GLOBAL = 'xpcLab';
export const CHANNELS = { command: 'xpc-lab:command', batch: 'xpc-lab:batch', menu: 'xpc-lab:menu' } as const;

// The screen's preload: runs sandboxed before the page and gives it exactly one
// object, `window.kiosk`, implementing the contract's KioskBridge over two invoke
// channels and one push channel (contract/ipc-channels.ts). ipcRenderer itself never
// reaches the page. Bundled by esbuild into one CommonJS file (a sandboxed preload
// may require only 'electron' and a few built-ins): dist/main/preload.cjs.
import { contextBridge, ipcRenderer } from 'electron';
import type { Command, CommandResult, KioskBridge, SimCommand, Snapshot, TechCommand, TechResult } from '../contract/index.js';
import { IPC_CHANNELS } from '../contract/ipc-channels.js';

let latest: Snapshot | null = null;
const listeners = new Set<(snapshot: Snapshot) => void>();

ipcRenderer.on(IPC_CHANNELS.snapshot, (_event, snapshot: Snapshot) => {
  latest = snapshot;
  for (const listener of [...listeners]) listener(snapshot);
});

const unavailable = (): CommandResult => ({ ok: false, error: { code: 'unavailable', message: 'The station did not answer.' } });

function invoke(channel: typeof IPC_CHANNELS.command | typeof IPC_CHANNELS.sim, body: Command | SimCommand): Promise<CommandResult> {
  return (ipcRenderer.invoke(channel, body) as Promise<CommandResult>).catch(unavailable);
}

const kiosk: KioskBridge = {
  send: (command: Command) => invoke(IPC_CHANNELS.command, command),
  sim: (command: SimCommand) => invoke(IPC_CHANNELS.sim, command),
  // The main process binds the menu's token to this window: a token from another screen is refused.
  tech: ((command: TechCommand, options: { token?: string; background?: boolean } = {}) =>
    (ipcRenderer.invoke(IPC_CHANNELS.tech, { ...options, command }) as Promise<TechResult>).catch(unavailable)) as KioskBridge['tech'],
  subscribe(listener: (snapshot: Snapshot) => void): () => void {
    listeners.add(listener);
    if (latest) listener(latest);
    return () => {
      listeners.delete(listener);
    };
  },
};

contextBridge.exposeInMainWorld('kiosk', kiosk);

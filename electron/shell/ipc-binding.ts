// The brain's side of the preload bridge: the two invoke channels and the snapshot
// push (channel names: contract/ipc-channels.ts). `ipcMain` comes in as a parameter
// and Electron is imported for its types only, so this is tested with fakes.
//
// Whatever arrives here is untrusted: it must come from the top frame of one of our
// own windows showing our own index file, it must be small, and its body is handed
// to the service as it came — the service parses it with the contract's schemas.
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_CHANNELS } from '../contract/ipc-channels.js';
import { MAX_REQUEST_BYTES, type CommandResult, type TechResult } from '../contract/index.js';
import type { KioskService } from '../host/web-host.js';
import { isAppIndexUrl, type WindowLog } from './window.js';

export interface IpcBindingOptions {
  /** Absolute path of the screen's index file: the only page whose messages are heard. */
  indexFile: string;
}

/** Unbinds everything; `refresh()` picks up windows created after binding. */
export interface IpcBinding {
  (): void;
  refresh(): void;
}

const refused = (message: string): CommandResult => ({ ok: false, error: { code: 'rejected', message } });

/** Why the message must not be heard, or null when it comes from our screen. */
function senderProblem(event: IpcMainInvokeEvent, ours: readonly BrowserWindow[], indexFile: string): string | null {
  const frame = event.senderFrame;
  if (!frame) return 'sender frame is gone';
  if (!ours.some((win) => !win.isDestroyed() && win.webContents.id === event.sender.id)) return 'not one of the kiosk windows';
  if (frame !== event.sender.mainFrame || frame.parent !== null) return 'not the top frame';
  if (!isAppIndexUrl(frame.url, indexFile)) return 'not the kiosk screen';
  return null;
}

/** The screen connection of a window's contents, for the maintenance menu's token. */
const connectionOf = (contents: Pick<WebContents, 'id'>): string => `ipc-${contents.id}`;

/** Size of the body as JSON, or null when it cannot be written as JSON (cycles, BigInt). */
function jsonSize(body: unknown): number | null {
  try {
    const json = JSON.stringify(body);
    return json === undefined ? 0 : Buffer.byteLength(json, 'utf8');
  } catch {
    return null;
  }
}

export function bindIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  service: KioskService,
  windows: () => readonly BrowserWindow[],
  log: WindowLog,
  options: IpcBindingOptions,
): IpcBinding {
  const handler = (channel: string, forward: (body: unknown, event: IpcMainInvokeEvent) => Promise<CommandResult | TechResult>) =>
    async (event: IpcMainInvokeEvent, body: unknown): Promise<CommandResult | TechResult> => {
      refresh();
      const problem = senderProblem(event, windows(), options.indexFile);
      if (problem) {
        log.warn({ channel, senderId: event.sender.id, url: event.senderFrame?.url ?? null, problem }, 'refused an IPC message');
        return refused(`message refused: ${problem}`);
      }
      const size = jsonSize(body);
      if (size === null || size > MAX_REQUEST_BYTES) {
        log.warn({ channel, size }, 'refused an IPC message: not JSON or too large');
        return { ok: false, error: { code: 'invalid', message: `body must be JSON of at most ${MAX_REQUEST_BYTES} bytes` } };
      }
      try {
        return await forward(body, event);
      } catch (error) {
        log.error({ err: error, channel }, 'IPC message failed');
        return { ok: false, error: { code: 'internal', message: 'internal error' } };
      }
    };
  ipcMain.handle(IPC_CHANNELS.command, handler(IPC_CHANNELS.command, (body) => service.handle(body)));
  ipcMain.handle(IPC_CHANNELS.sim, handler(IPC_CHANNELS.sim, (body) => service.handleSim(body)));
  // A menu token is bound to the window's contents that entered the PIN; it closes with them.
  ipcMain.handle(IPC_CHANNELS.tech, handler(IPC_CHANNELS.tech, (body, event) => service.handleTech(body, connectionOf(event.sender))));

  // One snapshot subscription per window, from when it is seen until it closes.
  const tracked = new Map<BrowserWindow, () => void>();
  const push = (contents: WebContents) => {
    if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.snapshot, service.snapshot());
  };
  const track = (win: BrowserWindow) => {
    if (tracked.has(win) || win.isDestroyed()) return;
    const contents = win.webContents;
    const unsubscribe = service.subscribe((snapshot) => {
      if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.snapshot, snapshot);
    });
    // A page (re)loaded after the last change still needs the current snapshot.
    const onReady = () => push(contents);
    contents.on('dom-ready', onReady);
    // A reload is a new screen: a menu opened before it is closed.
    const onNavigated = () => service.connectionClosed(connectionOf(contents));
    contents.on('did-start-navigation', onNavigated);
    const onClosed = () => untrack(win);
    win.on('closed', onClosed);
    tracked.set(win, () => {
      unsubscribe();
      service.connectionClosed(connectionOf(contents));
      if (!contents.isDestroyed()) contents.off('dom-ready', onReady);
      if (!contents.isDestroyed()) contents.off('did-start-navigation', onNavigated);
      if (!win.isDestroyed()) win.off('closed', onClosed);
    });
  };
  const untrack = (win: BrowserWindow) => {
    const release = tracked.get(win);
    tracked.delete(win);
    release?.();
  };
  const refresh = () => {
    for (const win of windows()) track(win);
  };
  refresh();

  const unbind = () => {
    ipcMain.removeHandler(IPC_CHANNELS.command);
    ipcMain.removeHandler(IPC_CHANNELS.sim);
    ipcMain.removeHandler(IPC_CHANNELS.tech);
    for (const win of [...tracked.keys()]) untrack(win);
  };
  return Object.assign(unbind, { refresh });
}

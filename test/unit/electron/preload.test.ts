// The preload with a mocked 'electron': it exposes exactly one object, `kiosk`,
// with send/sim/subscribe, never ipcRenderer, and talks on the fixed channels only.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS } from '../../../electron/contract/ipc-channels.js';
import type { KioskBridge, Snapshot } from '../../../electron/contract/index.js';
import { fakeSnapshot } from './fakes.js';

const electron = vi.hoisted(() => {
  const listeners = new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>();
  const ipcRenderer = {
    invoke: vi.fn(async (_channel: string, _body: unknown): Promise<unknown> => ({ ok: true })),
    on: vi.fn((channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
      return ipcRenderer;
    }),
    send: vi.fn(),
    sendSync: vi.fn(),
    removeAllListeners: vi.fn(),
  };
  const contextBridge = { exposeInMainWorld: vi.fn(), exposeInIsolatedWorld: vi.fn() };
  /** The main process sending on a channel. */
  const emit = (channel: string, ...args: unknown[]) => {
    for (const listener of listeners.get(channel) ?? []) listener({ sender: ipcRenderer }, ...args);
  };
  return { ipcRenderer, contextBridge, emit };
});
vi.mock('electron', () => ({ ipcRenderer: electron.ipcRenderer, contextBridge: electron.contextBridge }));

await import('../../../electron/shell/preload.js');
const exposed = () => electron.contextBridge.exposeInMainWorld.mock.calls;
const kiosk = () => exposed()[0]![1] as KioskBridge;

describe('preload', () => {
  it('exposes exactly one object, window.kiosk, with send, sim, subscribe and tech', () => {
    expect(exposed()).toHaveLength(1);
    expect(exposed()[0]![0]).toBe('kiosk');
    expect(Object.keys(kiosk()).sort()).toEqual(['send', 'sim', 'subscribe', 'tech']);
    for (const value of Object.values(kiosk())) expect(typeof value).toBe('function');
    expect(electron.contextBridge.exposeInIsolatedWorld).not.toHaveBeenCalled();
  });

  it('never hands out ipcRenderer or any of its functions', () => {
    const values = Object.values(kiosk()) as unknown[];
    expect(values).not.toContain(electron.ipcRenderer);
    for (const fn of Object.values(electron.ipcRenderer)) expect(values).not.toContain(fn);
    // what a page gets back from the bridge is plain data, not Electron objects
    const unsubscribe = kiosk().subscribe(() => {});
    expect(unsubscribe).not.toBe(electron.ipcRenderer.removeAllListeners);
    unsubscribe();
  });

  it('sends commands and sim commands with invoke on their fixed channels and returns the answer', async () => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: false, error: { code: 'rejected', reason: 'screenBusy', message: 'busy' } });
    expect(await kiosk().send({ type: 'selectConnector', connectorId: 1 })).toEqual({ ok: false, error: { code: 'rejected', reason: 'screenBusy', message: 'busy' } });
    expect(await kiosk().sim({ type: 'plug', connectorId: 2, plugged: true })).toEqual({ ok: true });
    expect(electron.ipcRenderer.invoke.mock.calls).toEqual([
      [IPC_CHANNELS.command, { type: 'selectConnector', connectorId: 1 }],
      [IPC_CHANNELS.sim, { type: 'plug', connectorId: 2, plugged: true }],
    ]);
  });

  it('turns a failed invoke into an unavailable result instead of a rejected promise', async () => {
    electron.ipcRenderer.invoke.mockRejectedValueOnce(new Error("No handler registered for 'kiosk:command'"));
    expect(await kiosk().send({ type: 'goHome' })).toEqual({ ok: false, error: { code: 'unavailable', message: expect.any(String) } });
  });

  it('listens on the snapshot channel only, and hands snapshots to subscribers (the latest at once)', () => {
    expect(electron.ipcRenderer.on.mock.calls.map((c) => c[0])).toEqual([IPC_CHANNELS.snapshot]);
    const seen: Snapshot[] = [];
    const unsubscribe = kiosk().subscribe((s) => seen.push(s));
    electron.emit(IPC_CHANNELS.snapshot, fakeSnapshot(7));
    electron.emit(IPC_CHANNELS.snapshot, fakeSnapshot(8));
    expect(seen.map((s) => s.seq)).toEqual([7, 8]);

    const late: Snapshot[] = [];
    kiosk().subscribe((s) => late.push(s));
    expect(late.map((s) => s.seq)).toEqual([8]);

    unsubscribe();
    electron.emit(IPC_CHANNELS.snapshot, fakeSnapshot(9));
    expect(seen.map((s) => s.seq)).toEqual([7, 8]);
    expect(late.map((s) => s.seq)).toEqual([8, 9]);
  });

  it('uses no channel but the shared ones, and names none itself', () => {
    const used = [...electron.ipcRenderer.invoke.mock.calls.map((c) => c[0]), ...electron.ipcRenderer.on.mock.calls.map((c) => c[0])];
    for (const channel of used) expect(Object.values(IPC_CHANNELS)).toContain(channel);
    expect(electron.ipcRenderer.send).not.toHaveBeenCalled();
    expect(electron.ipcRenderer.sendSync).not.toHaveBeenCalled();
    const source = readFileSync(new URL('../../../electron/shell/preload.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/['"`]kiosk:/);
    expect([...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]).sort()).toEqual(['../contract/index.js', '../contract/ipc-channels.js', 'electron']);
  });
});

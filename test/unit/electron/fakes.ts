// Stand-ins for the parts of Electron the shell touches, for tests in plain Node:
// the real module needs its binary, which is not installed here. Each fake records
// what it was asked so the tests can assert the hardening and the IPC checks.
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import { vi } from 'vitest';
import type { BrowserWindow, BrowserWindowConstructorOptions, IpcMain, IpcMainInvokeEvent, Session } from 'electron';
import type { KioskService } from '../../../electron/host/web-host.js';
import type { CommandResult, Snapshot, TechResult } from '../../../electron/contract/index.js';

export const INDEX_FILE = '/opt/kiosk/dist/renderer/index.html';
export const INDEX_URL = pathToFileURL(INDEX_FILE).href;
export const PRELOAD_FILE = '/opt/kiosk/dist/main/preload.cjs';

export function fakeLog() {
  return { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  mainFrame: FakeFrame = { url: INDEX_URL, parent: null };
  sent: { channel: string; args: unknown[] }[] = [];
  destroyed = false;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args });
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }

  /** A frame inside the page (an iframe). */
  subFrame(url = INDEX_URL): FakeFrame {
    return { url, parent: this.mainFrame };
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  destroyed = false;
  loads: { kind: 'file' | 'url'; target: string }[] = [];

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    FakeBrowserWindow.created.push(this);
  }

  loadFile(file: string): Promise<void> {
    this.loads.push({ kind: 'file', target: file });
    return Promise.resolve();
  }

  loadURL(url: string): Promise<void> {
    this.loads.push({ kind: 'url', target: url });
    return Promise.resolve();
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  isMinimized(): boolean {
    return false;
  }

  restore(): void {}

  focus(): void {}

  /** Closes the window as Electron does: the contents go, then 'closed'. */
  close(): void {
    this.webContents.destroyed = true;
    this.destroyed = true;
    this.emit('closed');
  }

  asWindow(): BrowserWindow {
    return this as unknown as BrowserWindow;
  }
}

type HeadersListener = (
  details: { url: string; resourceType: string; responseHeaders?: Record<string, string[]> },
  callback: (response: { cancel?: boolean; responseHeaders?: Record<string, string | string[]> }) => void,
) => void;

export class FakeSession {
  headersListener: HeadersListener | null = null;
  permissionRequestHandler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void) | null = null;
  permissionCheckHandler: ((webContents: unknown, permission: string, origin: string, details: unknown) => boolean) | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: HeadersListener) => {
      this.headersListener = listener;
    },
  };

  setPermissionRequestHandler(handler: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = handler;
  }

  setPermissionCheckHandler(handler: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = handler;
  }

  /** What the CSP hook answers for a response from `url`. */
  headersFor(url: string, resourceType = 'mainFrame', responseHeaders: Record<string, string[]> = {}) {
    let answer: { cancel?: boolean; responseHeaders?: Record<string, string | string[]> } | undefined;
    this.headersListener!({ url, resourceType, responseHeaders }, (response) => (answer = response));
    return answer!;
  }

  asSession(): Session {
    return this as unknown as Session;
  }
}

type InvokeHandler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

export class FakeIpcMain {
  readonly handlers = new Map<string, InvokeHandler>();

  handle(channel: string, handler: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** Calls the channel's handler as a message from `sender` (its top frame unless `frame` says otherwise). */
  invoke(channel: string, sender: FakeWebContents, body: unknown, frame: FakeFrame | null = sender.mainFrame): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    const event = { sender, senderFrame: frame, processId: 1, frameId: 1 } as unknown as IpcMainInvokeEvent;
    return handler(event, body);
  }

  asIpcMain(): IpcMain {
    return this as unknown as IpcMain;
  }
}

export function fakeSnapshot(seq: number): Snapshot {
  return { seq, now: 1_767_225_600_000 + seq, connectors: [], sim: null } as unknown as Snapshot;
}

/** A brain that records what it is given and answers `result`; like the station, it parses nothing it need not. */
export class FakeService implements KioskService {
  calls: { kind: 'command' | 'sim' | 'tech'; body: unknown; connection?: string | null }[] = [];
  closedConnections: string[] = [];
  readonly listeners = new Set<(snapshot: Snapshot) => void>();
  result: CommandResult = { ok: true };
  current = fakeSnapshot(1);
  validate: ((body: unknown) => CommandResult | null) | null = null;

  async handle(command: unknown): Promise<CommandResult> {
    this.calls.push({ kind: 'command', body: command });
    return this.validate?.(command) ?? this.result;
  }

  async handleTech(request: unknown, connection: string | null): Promise<TechResult> {
    this.calls.push({ kind: 'tech', body: request, connection });
    return connection === null ? { ok: false, error: { code: 'rejected', reason: 'noMenu', message: 'no screen connection' } } : { ok: true, data: null };
  }

  connectionClosed(connection: string): void {
    this.closedConnections.push(connection);
  }

  async handleSim(command: unknown): Promise<CommandResult> {
    this.calls.push({ kind: 'sim', body: command });
    return this.validate?.(command) ?? this.result;
  }

  snapshot(): Snapshot {
    return this.current;
  }

  subscribe(listener: (snapshot: Snapshot) => void): () => void {
    this.listeners.add(listener);
    listener(this.current);
    return () => this.listeners.delete(listener);
  }

  publish(snapshot: Snapshot): void {
    this.current = snapshot;
    for (const listener of [...this.listeners]) listener(snapshot);
  }
}

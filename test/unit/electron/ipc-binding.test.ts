// The IPC binding with a fake ipcMain, windows and brain: who may talk (the top
// frame of our own window showing our index file), what reaches the brain (the
// body as sent, for the contract to parse), and snapshots pushed to our windows
// until they close.
import { beforeEach, describe, expect, it } from 'vitest';
import { bindIpc } from '../../../electron/shell/ipc-binding.js';
import { IPC_CHANNELS } from '../../../electron/contract/ipc-channels.js';
import { Command, MAX_REQUEST_BYTES, type CommandResult } from '../../../electron/contract/index.js';
import { FakeBrowserWindow, FakeIpcMain, FakeService, FakeWebContents, fakeLog, fakeSnapshot, INDEX_FILE } from './fakes.js';

const SELECT = { type: 'selectConnector', connectorId: 1 };

function setup() {
  const ipc = new FakeIpcMain();
  const service = new FakeService();
  const log = fakeLog();
  const win = new FakeBrowserWindow({});
  const windows: FakeBrowserWindow[] = [win];
  const binding = bindIpc(ipc.asIpcMain(), service, () => windows.map((w) => w.asWindow()), log, { indexFile: INDEX_FILE });
  return { ipc, service, log, win, windows, binding, contents: win.webContents };
}

const refusedResult = expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'rejected' }) });

beforeEach(() => {
  FakeBrowserWindow.created = [];
});

describe('IPC binding: senders', () => {
  it('registers exactly the two invoke channels and removes them on unbind', () => {
    const { ipc, binding } = setup();
    expect([...ipc.handlers.keys()].sort()).toEqual([IPC_CHANNELS.command, IPC_CHANNELS.sim, IPC_CHANNELS.tech].sort());
    binding();
    expect(ipc.handlers.size).toBe(0);
  });

  it('passes a message from the top frame of our window showing our index to the service', async () => {
    const { ipc, service, contents } = setup();
    expect(await ipc.invoke(IPC_CHANNELS.command, contents, SELECT)).toEqual({ ok: true });
    expect(await ipc.invoke(IPC_CHANNELS.sim, contents, { type: 'plug', connectorId: 1, plugged: true })).toEqual({ ok: true });
    expect(service.calls).toEqual([
      { kind: 'command', body: SELECT },
      { kind: 'sim', body: { type: 'plug', connectorId: 1, plugged: true } },
    ]);
  });

  it('answers with the service result, refusals included', async () => {
    const { ipc, service, contents } = setup();
    service.result = { ok: false, error: { code: 'rejected', reason: 'screenBusy', message: 'busy' } };
    expect(await ipc.invoke(IPC_CHANNELS.command, contents, SELECT)).toEqual(service.result);
  });

  const refusals: [string, (s: ReturnType<typeof setup>) => [FakeWebContents, { url: string; parent: unknown } | null]][] = [
    ['a subframe of our window', ({ contents }) => [contents, contents.subFrame()]],
    ['a frame that is not the main frame object', ({ contents }) => [contents, { url: contents.mainFrame.url, parent: null }]],
    ['a frame that has gone (null senderFrame)', ({ contents }) => [contents, null]],
    ['a foreign window', () => {
      const stranger = new FakeWebContents();
      return [stranger, stranger.mainFrame];
    }],
    ['our window showing another page', ({ contents }) => {
      contents.mainFrame = { url: 'https://example.com/', parent: null };
      return [contents, contents.mainFrame];
    }],
    ['our window showing another local file', ({ contents }) => {
      contents.mainFrame = { url: 'file:///tmp/evil.html', parent: null };
      return [contents, contents.mainFrame];
    }],
    ['our window showing a data: page', ({ contents }) => {
      contents.mainFrame = { url: 'data:text/html,hi', parent: null };
      return [contents, contents.mainFrame];
    }],
  ];

  for (const [name, sender] of refusals) {
    it(`refuses ${name}, logs it, and the service hears nothing`, async () => {
      const s = setup();
      const [contents, frame] = sender(s);
      for (const channel of [IPC_CHANNELS.command, IPC_CHANNELS.sim]) {
        expect(await s.ipc.invoke(channel, contents, SELECT, frame as never)).toEqual(refusedResult);
      }
      expect(s.service.calls).toEqual([]);
      expect(s.log.warn).toHaveBeenCalledWith(expect.objectContaining({ channel: IPC_CHANNELS.command }), 'refused an IPC message');
    });
  }

  it('refuses a window that has closed', async () => {
    const { ipc, service, win, contents } = setup();
    win.destroyed = true;
    expect(await ipc.invoke(IPC_CHANNELS.command, contents, SELECT)).toEqual(refusedResult);
    expect(service.calls).toEqual([]);
  });
});

describe('IPC binding: bodies', () => {
  it('hands invalid bodies to the service as they came; the contract rejects them there', async () => {
    const { ipc, service, contents } = setup();
    // like the station: parse with the contract, refuse what does not parse
    service.validate = (body): CommandResult | null =>
      Command.safeParse(body).success ? null : { ok: false, error: { code: 'invalid', message: 'malformed command' } };
    const bodies: unknown[] = [
      undefined,
      null,
      42,
      'selectConnector',
      [],
      { type: 'selectConnector' },
      { type: 'selectConnector', connectorId: '1' },
      { type: 'selectConnector', connectorId: 1, extra: true },
      { type: 'stop', connectorId: 1, code: '12345' },
      { type: 'launchMissiles' },
      { type: 'choosePayment', connectorId: 1, method: 'cash' },
    ];
    for (const body of bodies) {
      expect(await ipc.invoke(IPC_CHANNELS.command, contents, body), JSON.stringify(body)).toEqual({
        ok: false,
        error: { code: 'invalid', message: 'malformed command' },
      });
    }
    expect(service.calls.map((c) => c.body)).toEqual(bodies); // unparsed, unchanged
  });

  it('refuses bodies larger than the contract allows, or not writable as JSON, before the service', async () => {
    const { ipc, service, contents } = setup();
    const cyclic: Record<string, unknown> = { type: 'goHome' };
    cyclic.self = cyclic;
    for (const body of [{ type: 'goHome', pad: 'x'.repeat(MAX_REQUEST_BYTES) }, cyclic, { n: 10n }]) {
      expect(await ipc.invoke(IPC_CHANNELS.command, contents, body)).toEqual({
        ok: false,
        error: { code: 'invalid', message: `body must be JSON of at most ${MAX_REQUEST_BYTES} bytes` },
      });
    }
    expect(service.calls).toEqual([]);
  });

  it('answers an internal error when the service throws', async () => {
    const { ipc, service, contents, log } = setup();
    service.handle = async () => {
      throw new Error('boom');
    };
    expect(await ipc.invoke(IPC_CHANNELS.command, contents, SELECT)).toEqual({ ok: false, error: { code: 'internal', message: 'internal error' } });
    expect(log.error).toHaveBeenCalled();
  });
});

describe('IPC binding: snapshots', () => {
  const snapshotsSent = (contents: FakeWebContents) => contents.sent.filter((m) => m.channel === IPC_CHANNELS.snapshot).map((m) => m.args[0]);

  it('pushes every snapshot to our windows on the snapshot channel, and the current one when a page is ready', () => {
    const { service, contents, win, windows, binding } = setup();
    const second = new FakeBrowserWindow({});
    windows.push(second);
    binding.refresh();
    service.publish(fakeSnapshot(2));
    service.publish(fakeSnapshot(3));
    expect(snapshotsSent(contents)).toEqual([fakeSnapshot(1), fakeSnapshot(2), fakeSnapshot(3)]);
    expect(snapshotsSent(second.webContents)).toEqual([fakeSnapshot(1), fakeSnapshot(2), fakeSnapshot(3)]);
    expect(contents.sent.every((m) => m.channel === IPC_CHANNELS.snapshot && m.args.length === 1)).toBe(true);

    // a reload: the new page gets the current snapshot without waiting for a change
    win.webContents.emit('dom-ready');
    expect(snapshotsSent(contents).at(-1)).toEqual(fakeSnapshot(3));
  });

  it('one subscription per window, released when the window closes; no send to a closed window', () => {
    const { service, win, windows } = setup();
    const second = new FakeBrowserWindow({});
    windows.push(second);
    service.publish(fakeSnapshot(2)); // not refreshed yet: only the first window is known
    expect(service.listeners.size).toBe(1);
    expect(snapshotsSent(second.webContents)).toEqual([]);

    win.close();
    expect(service.listeners.size).toBe(0);
    expect(() => service.publish(fakeSnapshot(3))).not.toThrow();
    expect(snapshotsSent(win.webContents)).toEqual([fakeSnapshot(1), fakeSnapshot(2)]);
  });

  it('starts pushing to a window first seen when it sends a message', async () => {
    const { ipc, service, windows } = setup();
    const second = new FakeBrowserWindow({});
    windows.push(second);
    await ipc.invoke(IPC_CHANNELS.command, second.webContents, SELECT);
    expect(service.listeners.size).toBe(2);
    service.publish(fakeSnapshot(5));
    expect(snapshotsSent(second.webContents).at(-1)).toEqual(fakeSnapshot(5));
  });

  it('unbind releases every subscription and listener', () => {
    const { service, win, binding } = setup();
    binding();
    expect(service.listeners.size).toBe(0);
    expect(win.webContents.listenerCount('dom-ready')).toBe(0);
    expect(win.listenerCount('closed')).toBe(0);
  });
});

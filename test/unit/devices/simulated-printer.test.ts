import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { DeviceUnavailableError } from '../../../devices/device-errors.js';
import { SimulatedPrinter } from '../../../devices/printer/simulated-printer.js';
import { settle, tempDir } from './helpers.js';

async function flushTurns(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

function track(promise: Promise<void>): { done: () => boolean; failed: () => unknown; promise: Promise<void> } {
  let done = false;
  let failed: unknown = null;
  promise.then(
    () => (done = true),
    (error: unknown) => {
      done = true;
      failed = error;
    },
  );
  return { done: () => done, failed: () => failed, promise };
}

describe('SimulatedPrinter', () => {
  let clock: ManualClock;
  let dir: string;
  let cleanup: () => void;
  let roll: string;
  beforeEach(() => {
    clock = new ManualClock();
    ({ dir, cleanup } = tempDir());
    roll = path.join(dir, 'paper', 'roll.txt');
  });
  afterEach(() => cleanup());

  it('takes time to print, then puts the receipt on the paper roll with a cut line', async () => {
    const printer = new SimulatedPrinter({ clock, columns: 32, outputFile: roll });
    expect(await printer.status()).toEqual({ online: true, paper: 'ok', coverOpen: false });
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`);
    const job = track(printer.print({ lines, qr: 'https://example.test/r/1' }));
    clock.advance(199);
    await settle();
    expect(job.done()).toBe(false); // 2 x 50 ms for 12 lines + 100 ms for the QR code
    clock.advance(1);
    await job.promise;
    const second = printer.print({ lines: ['Thank you'] });
    clock.advance(50);
    await second;
    const text = fs.readFileSync(roll, 'utf8');
    const receipts = text.split(/^-+ 8< -+$\n/m);
    expect(receipts).toEqual([`${lines.join('\n')}\n[QR] https://example.test/r/1\n`, 'Thank you\n', '']);
    expect(text.split('\n').find((line) => line.includes('8<'))).toHaveLength(32);
    expect(printer.simState()).toMatchObject({ printed: 2, lastReceipt: 'Thank you' });
    expect(printer.simReceipts()).toHaveLength(2);
  });

  it('refuses a line wider than the paper, and counts characters, not bytes', async () => {
    const printer = new SimulatedPrinter({ clock, columns: 10 });
    await expect(printer.print({ lines: ['ok', '12345678901'] })).rejects.toThrow(/line 2 is 11 characters.*10 columns/);
    await expect(printer.print({ lines: ['two\nlines'] })).rejects.toThrow(RangeError);
    const fits = printer.print({ lines: ['1234567890', 'Total 9,9€', '€€€€€€€€€€'] });
    clock.advance(50);
    await fits;
    expect(printer.simState().printed).toBe(1);
  });

  it('paper out: print rejects with a clear error; low paper still prints', async () => {
    const printer = new SimulatedPrinter({ clock, columns: 32, outputFile: roll });
    printer.simSetPaper('out');
    expect((await printer.status()).paper).toBe('out');
    await expect(printer.print({ lines: ['x'] })).rejects.toThrow(/out of paper/);
    expect(fs.existsSync(roll)).toBe(false);
    printer.simSetPaper('low');
    const job = printer.print({ lines: ['x'] });
    clock.advance(50);
    await job;
    expect(printer.simState()).toEqual({ printed: 1, lastReceipt: 'x' });
    expect(await printer.status()).toEqual({ online: true, paper: 'low', coverOpen: false });
  });

  it('a job waiting its turn fails if the paper runs out before it prints', async () => {
    const printer = new SimulatedPrinter({ clock, columns: 32 });
    const first = track(printer.print({ lines: ['first'] }));
    const second = track(printer.print({ lines: ['second'] }));
    clock.advance(50);
    // The job goes through the real ESC/POS driver and stream: event-loop turns, not only microtasks.
    await flushTurns();
    expect([first.done(), second.done()]).toEqual([true, false]);
    printer.simSetPaper('out');
    clock.advance(50);
    await settle();
    expect(second.failed()).toBeInstanceOf(Error);
    expect(printer.simState()).toMatchObject({ printed: 1, lastReceipt: 'first' });
  });

  it('an open cover stops printing until it is closed', async () => {
    const printer = new SimulatedPrinter({ clock, columns: 32 });
    printer.simSetCoverOpen(true);
    expect((await printer.status()).coverOpen).toBe(true);
    await expect(printer.print({ lines: ['x'] })).rejects.toThrow(/cover open/);
    printer.simSetCoverOpen(false);
    const job = printer.print({ lines: ['x'] });
    clock.advance(50);
    await job;
    expect(printer.simState().printed).toBe(1);
  });

  it('after close() it rejects, and a queued job hears it', async () => {
    const printer = new SimulatedPrinter({ clock, columns: 32 });
    const queued = printer.print({ lines: ['x'] });
    await printer.close();
    await expect(queued).rejects.toBeInstanceOf(DeviceUnavailableError);
    await expect(printer.print({ lines: ['x'] })).rejects.toBeInstanceOf(DeviceUnavailableError);
    await expect(printer.status()).rejects.toBeInstanceOf(DeviceUnavailableError);
    expect(clock.pendingTimers()).toBe(0);
  });
});

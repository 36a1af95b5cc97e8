// The simulated printer as sim mode runs it: the ESC/POS driver into the ESC/POS
// simulator, its paper roll written from what the simulator decoded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { PrinterError } from '../../../devices/printer/escpos-printer.js';
import { SimulatedPrinter } from '../../../devices/printer/simulated-printer.js';
import { createPrinter } from '../../../electron/printer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `work` while moving the manual clock in small steps (printing takes time on it). */
async function running<T>(clock: ManualClock, work: Promise<T>): Promise<T> {
  let done = false;
  void work.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 500 && !done; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(10);
  }
  return work;
}

describe('SimulatedPrinter over the ESC/POS simulator', () => {
  it('writes the decoded receipt to the paper roll; simState has the last QR payload', async () => {
    const clock = new ManualClock();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-printer-'));
    dirs.push(dir);
    const roll = path.join(dir, 'roll.txt');
    const printer = new SimulatedPrinter({ clock, columns: 42, outputFile: roll });
    await running(clock, printer.print({ lines: ['Grüße aus der Säule 2', 'Total 4,38 €'], qr: 'https://kiosk.test/r/1' }));
    expect(printer.simState()).toEqual({ printed: 1, lastReceipt: 'Grüße aus der Säule 2\nTotal 4,38 €\n[QR] https://kiosk.test/r/1', lastQr: 'https://kiosk.test/r/1' });
    expect(fs.readFileSync(roll, 'utf8')).toContain('Total 4,38 €\n[QR] https://kiosk.test/r/1\n');
    expect(printer.device.receipts()[0]).toMatchObject({ cutOk: true, qr: { model: 2, errorLevel: 'M' } });
    await running(clock, printer.print({ lines: ['ohne QR'] }));
    expect(printer.simState()).toEqual({ printed: 2, lastReceipt: 'ohne QR' });
    await printer.close();
  });

  it('simPaper and simCover reach the driver through status requests', async () => {
    const clock = new ManualClock();
    const printer = new SimulatedPrinter({ clock, columns: 42 });
    printer.simPaper('low');
    expect(await printer.status()).toEqual({ online: true, paper: 'low', coverOpen: false });
    printer.simPaper('out');
    const refused = await printer.print({ lines: ['x'] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PrinterError);
    expect((refused as PrinterError).code).toBe('paperOut');
    printer.simPaper('ok');
    printer.simCover(true);
    expect((await printer.status()).coverOpen).toBe(true);
    expect(((await printer.print({ lines: ['x'] }).catch((e: unknown) => e)) as PrinterError).code).toBe('coverOpen');
    expect(printer.device.statusRequests).toBeGreaterThanOrEqual(8);
    await printer.close();
  });

  it('a simulated printer that never answers status: unknown after the timeout, prints anyway', async () => {
    const clock = new ManualClock();
    const printer = new SimulatedPrinter({ clock, columns: 42, variant: { status: 'never' }, statusTimeoutMs: 200 });
    expect((await running(clock, printer.status())).unknown).toMatch(/did not answer/);
    await running(clock, printer.print({ lines: ['trotzdem'] }));
    expect(printer.simState().lastReceipt).toBe('trotzdem');
    await printer.close();
  });

  it('createPrinter: simulated, none, and a width the encoder cannot lay out comes up offline, not as a failed start', async () => {
    const clock = new ManualClock();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-printer-'));
    dirs.push(dir);
    const log = pino({ level: 'silent' });
    const sim = await createPrinter({ config: { kind: 'simulated', columns: 42 }, simDir: dir, clock, log });
    expect(sim).toMatchObject({ kind: 'simulated', address: 'simulated' });
    expect(sim.sim).toBe(sim.printer);
    await running(clock, sim.printer!.print({ lines: ['a'] }));
    expect(fs.readFileSync(path.join(dir, 'printer-paper.txt'), 'utf8')).toMatch(/^a\n-+ 8< -+\n$/);
    await sim.close();
    expect(await createPrinter({ config: { kind: 'none' }, simDir: dir, clock, log })).toMatchObject({ printer: null, kind: 'none', sim: null });
    const wide = await createPrinter({ config: { kind: 'simulated', columns: 64 }, simDir: dir, clock, log });
    expect(await wide.printer!.status()).toMatchObject({ online: false, unknown: expect.stringContaining('48 columns') });
    const badPath = await createPrinter({ config: { kind: 'escpos', path: '/dev/usb/lp0', baudRate: 19200, columns: 42 }, simDir: dir, clock, log });
    expect(await badPath.printer!.status()).toMatchObject({ online: false, unknown: expect.stringContaining('udev') });
  });
});

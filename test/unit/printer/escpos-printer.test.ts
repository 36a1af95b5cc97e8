// The driver against the ESC/POS simulator over a memory link, in real time with short
// timeouts: what it prints comes back decoded, and it holds up against printers that
// answer status late, only when idle, or never, and against a link that goes away.
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../devices/clock.js';
import { DeviceUnavailableError } from '../../../devices/device-errors.js';
import { EscPosPrinter, PrinterError, validatePrinterPath } from '../../../devices/printer/escpos-printer.js';
import { EscPosSimulator, type EscPosSimVariant } from '../../../devices/printer/escpos-simulator.js';
import { memoryLink } from '../../../devices/printer/memory-link.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function rig(variant: EscPosSimVariant = {}, options: { statusTimeoutMs?: number; printTimeoutMs?: number } = {}) {
  const [driverEnd, deviceEnd] = memoryLink();
  const device = new EscPosSimulator({ clock: systemClock, variant });
  device.attach(deviceEnd);
  const printer = new EscPosPrinter({ columns: 42, clock: systemClock, statusTimeoutMs: options.statusTimeoutMs ?? 100, printTimeoutMs: options.printTimeoutMs ?? 2000 });
  printer.attach(driverEnd);
  cleanups.push(async () => {
    await printer.close();
    device.detach();
    driverEnd.destroy();
  });
  return { printer, device, driverEnd };
}

const receipt = { lines: ['Ladestation Hof', 'Energie 12,5 kWh', 'Total 4,38 €'], qr: 'https://kiosk.test/r/7' };

async function refusal(promise: Promise<unknown>): Promise<PrinterError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(PrinterError);
  return error as PrinterError;
}

describe('EscPosPrinter over a memory link', () => {
  it('prints a receipt the simulator decodes as it was; status reads ok', async () => {
    const { printer, device } = rig();
    expect(await printer.status()).toEqual({ online: true, paper: 'ok', coverOpen: false });
    await printer.print(receipt);
    await printer.print({ lines: ['Zweiter Beleg'] });
    expect(device.receipts().map((r) => [r.lines, r.qr?.payload ?? null, r.cutOk])).toEqual([
      [receipt.lines, receipt.qr, true],
      [['Zweiter Beleg'], null, true],
    ]);
    expect(printer.diagnostics()).toMatchObject({ statusAnswers: 'answers', printed: 2, lateAnswers: 0, strayBytes: 0 });
  });

  it('paper low still prints; paper out refuses with paperOut and nothing reaches the printer; cover open refuses with coverOpen', async () => {
    const { printer, device } = rig();
    device.setPaper('low');
    expect((await printer.status()).paper).toBe('low');
    await printer.print(receipt);
    device.setPaper('out');
    expect(await printer.status()).toEqual({ online: true, paper: 'out', coverOpen: false });
    expect((await refusal(printer.print(receipt))).code).toBe('paperOut');
    device.setPaper('ok');
    device.setCover(true);
    expect((await printer.status()).coverOpen).toBe(true);
    expect((await refusal(printer.print(receipt))).code).toBe('coverOpen');
    device.setCover(false);
    await printer.print(receipt);
    expect(device.receipts()).toHaveLength(2);
    expect(device.lostReceipts).toBe(0);
  });

  it('a printer that never answers status: status says unknown within the timeout, prints still go out', async () => {
    const { printer, device } = rig({ status: 'never' });
    const started = Date.now();
    const status = await printer.status();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(status).toMatchObject({ online: true, paper: 'ok', coverOpen: false, unknown: expect.stringContaining('did not answer') });
    await printer.print(receipt);
    expect(device.receipts()[0]!.lines).toEqual(receipt.lines);
    expect(printer.diagnostics()).toMatchObject({ statusAnswers: 'none', printed: 1 });
  });

  it('a late answer is taken for the request it belongs to, not for the next one', async () => {
    const { printer, device } = rig({ status: 'late', lateMs: 150 });
    device.setPaper('out');
    expect((await printer.status()).unknown).toBeDefined(); // the answers come after the timeout
    device.setPaper('ok');
    await new Promise((resolve) => setTimeout(resolve, 100)); // the late "out" arrives now
    const second = await printer.status(); // its own answers are late too: unknown, never the stale "out"
    expect(second.paper).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(printer.diagnostics()).toMatchObject({ statusAnswers: 'late', lateAnswers: 4, strayBytes: 0 });
  });

  it('a late printer read with a timeout long enough reads right', async () => {
    const { printer, device } = rig({ status: 'late', lateMs: 50 }, { statusTimeoutMs: 300 });
    device.setCover(true);
    expect(await printer.status()).toEqual({ online: true, paper: 'ok', coverOpen: true });
  });

  it('a printer that answers only when idle: the status after a long receipt waits for it, and the queue keeps order', async () => {
    const { printer, device } = rig({ status: 'whenIdle', lineMs: 5 }, { statusTimeoutMs: 500 });
    const long = { lines: Array.from({ length: 40 }, (_, i) => `Zeile ${i + 1}`) };
    await Promise.all([printer.print(long), printer.print({ lines: ['danach'] })]);
    expect(device.receipts().map((r) => r.lines.length)).toEqual([40, 1]);
    device.setPaper('out');
    expect((await printer.status()).paper).toBe('out'); // answered once the printer was done
  });

  it('the link gone: status offline, print refused with offline; attached again it prints', async () => {
    const { printer, device, driverEnd } = rig();
    driverEnd.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await printer.status()).toMatchObject({ online: false, unknown: expect.stringContaining('offline') });
    expect((await refusal(printer.print(receipt))).code).toBe('offline');
    const [a, b] = memoryLink();
    device.attach(b);
    printer.attach(a);
    await printer.print(receipt);
    expect(device.receipts()).toHaveLength(1);
    a.destroy();
  });

  it('a print stuck in a write that never finishes settles with timeout within the bound', async () => {
    const answersButNeverTakesData = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        if (chunk[0] === 0x10) {
          this.push(Buffer.of(0x12, 0x12));
          callback();
        } // a job's bytes: the callback never comes (a full, jammed printer)
      },
    });
    const printer = new EscPosPrinter({ columns: 42, clock: systemClock, statusTimeoutMs: 50, printTimeoutMs: 300 });
    printer.attach(answersButNeverTakesData);
    cleanups.push(() => printer.close());
    const started = Date.now();
    expect((await refusal(printer.print(receipt))).code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(printer.online).toBe(false); // the stuck link was dropped
  });

  it('close(): queued prints hear it, later calls throw DeviceUnavailableError', async () => {
    const { printer } = rig({ status: 'never' }, { statusTimeoutMs: 200 });
    const queued = printer.print(receipt);
    await printer.close();
    await expect(queued).rejects.toBeInstanceOf(DeviceUnavailableError);
    await expect(printer.status()).rejects.toBeInstanceOf(DeviceUnavailableError);
    await expect(printer.print(receipt)).rejects.toBeInstanceOf(DeviceUnavailableError);
  });

  it('refuses paths the kernel numbers', () => {
    expect(validatePrinterPath('/dev/usb/lp0')).toMatch(/udev link/);
    expect(validatePrinterPath('/dev/ttyUSB0')).toMatch(/by-id/);
    expect(validatePrinterPath('/dev/kiosk-printer')).toBeNull();
  });
});

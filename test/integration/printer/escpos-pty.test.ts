// The ESC/POS driver through real serialport at 19200 8N1 on a pseudo-terminal pair made
// by socat, against the ESC/POS simulator on the other end: a receipt decoded, paper out
// mid-day, the cover opened, printers that answer status late or never, unplug and
// replug, a printer absent at start; and the plain-file path a USB printer-class
// device takes (no termios), over the same pty.
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../devices/clock.js';
import { openCharacterDevice, openPrinterPort } from '../../../devices/printer/character-device.js';
import { openEscPosSerial, PrinterError, type EscPosPrinter } from '../../../devices/printer/escpos-printer.js';
import { EscPosSimulator, type EscPosSimVariant } from '../../../devices/printer/escpos-simulator.js';
import { closePort, openSerialPort, type OpenPort } from '../../../devices/serial/serial-link.js';
import { createPrinter } from '../../../electron/printer.js';
import { SOCAT, startPtyPair, waitFor } from '../charger/pty-helpers.js';
import { ptyPerTest } from '../charger/pty-fixture.js';

const haveSocat = fs.existsSync(SOCAT);
if (!haveSocat) console.warn(`ESC/POS pty test skipped: socat not found at ${SOCAT} (install socat, or set SOCAT_PATH)`);

const receipt = { lines: ['Ladestation Hof — Säule 2'.replace('—', '-'), 'Energie 12,5 kWh à 0,35 €', 'Total 4,38 €', 'Grüße, Ça va'], qr: 'https://kiosk.test/r/2026-0001' };

describe.skipIf(!haveSocat)('ESC/POS printer over a pseudo-terminal, 19200 8N1', () => {
  const pty = ptyPerTest('escpos-pty-');

  async function openPrinter(printerPath: string, options: { statusTimeoutMs?: number; openPort?: OpenPort } = {}): Promise<EscPosPrinter> {
    const printer = await openEscPosSerial({
      path: printerPath,
      baudRate: 19200,
      columns: 42,
      clock: systemClock,
      backoff: { initialMs: 50, maxMs: 200 },
      statusTimeoutMs: options.statusTimeoutMs ?? 300,
      printTimeoutMs: 5000,
      openPort: options.openPort,
    });
    pty.cleanups.push(() => printer.close());
    return printer;
  }

  async function simulatorOn(devicePath: string, variant: EscPosSimVariant = {}): Promise<EscPosSimulator> {
    const port = await openSerialPort(devicePath, 19200);
    port.on('error', () => {});
    const simulator = new EscPosSimulator({ clock: systemClock, variant });
    pty.cleanups.push(async () => {
      simulator.detach();
      await closePort(port);
    });
    simulator.attach(port);
    return simulator;
  }

  const code = async (promise: Promise<unknown>): Promise<string> => {
    const error = await promise.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(PrinterError);
    return (error as PrinterError).code;
  };

  it('a receipt printed and decoded: text in cp858, the QR payload, fed before the cut', async () => {
    const printer = await openPrinter(pty.pair!.a);
    const simulator = await simulatorOn(pty.pair!.b);
    expect(await printer.status()).toEqual({ online: true, paper: 'ok', coverOpen: false });
    await printer.print(receipt);
    await waitFor(() => simulator.receipts().length === 1, 'the receipt');
    expect(simulator.receipts()[0]).toMatchObject({ lines: receipt.lines, qr: { payload: receipt.qr, model: 2, errorLevel: 'M' }, cut: 'feedAndCut', cutOk: true, unknownCommands: [] });
  });

  it('paper out mid-day: status says out, the print is refused with paperOut; paper in, it prints again', async () => {
    const printer = await openPrinter(pty.pair!.a);
    const simulator = await simulatorOn(pty.pair!.b);
    await printer.print(receipt);
    simulator.setPaper('low');
    expect((await printer.status()).paper).toBe('low');
    await printer.print(receipt);
    // print() is done when the bytes are sent; the paper must last until they are printed.
    await waitFor(() => simulator.receipts().length === 2, 'two receipts');
    simulator.setPaper('out');
    expect(await printer.status()).toEqual({ online: true, paper: 'out', coverOpen: false });
    expect(await code(printer.print(receipt))).toBe('paperOut');
    simulator.setPaper('ok');
    await printer.print(receipt);
    await waitFor(() => simulator.receipts().length === 3, 'three receipts');
    expect(simulator.lostReceipts).toBe(0);
  });

  it('the cover opened: status says so, the print is refused with coverOpen', async () => {
    const printer = await openPrinter(pty.pair!.a);
    const simulator = await simulatorOn(pty.pair!.b);
    simulator.setCover(true);
    expect(await printer.status()).toEqual({ online: true, paper: 'ok', coverOpen: true });
    expect(await code(printer.print(receipt))).toBe('coverOpen');
    expect(simulator.receipts()).toHaveLength(0);
  });

  it('a printer that never answers status: the print still goes out, status says unknown, nothing hangs', async () => {
    const printer = await openPrinter(pty.pair!.a, { statusTimeoutMs: 200 });
    const simulator = await simulatorOn(pty.pair!.b, { status: 'never' });
    const started = Date.now();
    expect(await printer.status()).toMatchObject({ online: true, unknown: expect.stringContaining('did not answer') });
    await printer.print(receipt);
    expect(Date.now() - started).toBeLessThan(2000);
    await waitFor(() => simulator.receipts().length === 1, 'the receipt');
    expect(simulator.receipts()[0]!.lines).toEqual(receipt.lines);
    expect(simulator.statusRequests).toBe(4);
  });

  it('a late answer: unknown while it is late, matched to its own request when it comes, later reads right', async () => {
    const printer = await openPrinter(pty.pair!.a, { statusTimeoutMs: 150 });
    const simulator = await simulatorOn(pty.pair!.b, { status: 'late', lateMs: 300 });
    simulator.setPaper('out');
    expect((await printer.status()).unknown).toBeDefined();
    simulator.setPaper('ok');
    await waitFor(() => printer.diagnostics().lateAnswers === 2, 'the late answers');
    // Nothing stale is left to be read as this answer; the printer is still late, so: unknown, not "out".
    const next = await printer.status();
    expect(next.paper).toBe('ok');
    await printer.print(receipt);
    await waitFor(() => simulator.receipts().length === 1, 'the receipt');
  });

  it('unplugged: offline and refused with offline; plugged in again, it prints', async () => {
    const dir = pty.dir;
    await pty.pair!.kill();
    pty.pair = null;
    const printerPath = path.join(dir, 'printer');
    const devicePath = path.join(dir, 'device');
    // Absent at start: the printer comes up offline, never a failed start.
    const printer = await openPrinter(printerPath);
    expect(await printer.status()).toMatchObject({ online: false });
    expect(await code(printer.print(receipt))).toBe('offline');

    pty.pair = await startPtyPair(printerPath, devicePath);
    await waitFor(() => printer.online, 'the printer online');
    let simulator = await simulatorOn(devicePath);
    await printer.print(receipt);
    await waitFor(() => simulator.receipts().length === 1, 'the receipt');

    simulator.detach();
    await pty.pair.kill();
    pty.pair = null;
    await waitFor(() => !printer.online, 'the printer offline');
    expect(await printer.status()).toMatchObject({ online: false });
    expect(await code(printer.print(receipt))).toBe('offline');

    pty.pair = await startPtyPair(printerPath, devicePath);
    await waitFor(() => printer.online, 'the printer online again');
    simulator = await simulatorOn(devicePath);
    await printer.print(receipt);
    await waitFor(() => simulator.receipts().length === 1, 'a receipt after the replug');
    expect(simulator.receipts()[0]!.lines).toEqual(receipt.lines);
  });

  it('as a plain device file (the USB printer-class path: no termios): prints, reads status, goes offline when unplugged', async () => {
    const printer = await openPrinter(pty.pair!.a, { openPort: (p) => openCharacterDevice(p) });
    const simulator = await simulatorOn(pty.pair!.b);
    simulator.setPaper('low');
    expect(await printer.status()).toEqual({ online: true, paper: 'low', coverOpen: false });
    await printer.print(receipt);
    await waitFor(() => simulator.receipts().length === 1, 'the receipt');
    expect(simulator.receipts()[0]).toMatchObject({ lines: receipt.lines, qr: { payload: receipt.qr } });
    simulator.detach();
    await pty.pair!.kill();
    pty.pair = null;
    await waitFor(() => !printer.online, 'the printer offline');
  });

  it('a device that is no tty is opened as a file: /dev/null takes a receipt and never answers status', async () => {
    const port = await openPrinterPort('/dev/null', 19200);
    expect(port.constructor.name).toBe('CharacterDeviceStream');
    await closePort(port);
    const printer = await openEscPosSerial({ path: '/dev/null', columns: 42, clock: systemClock, statusTimeoutMs: 100 });
    pty.cleanups.push(() => printer.close());
    expect(await printer.status()).toMatchObject({ online: true, unknown: expect.any(String) });
    await printer.print(receipt);
  });

  it('createPrinter: an escpos printer absent at start comes up offline, and online once it is there', async () => {
    const dir = pty.dir;
    await pty.pair!.kill();
    pty.pair = null;
    const printerPath = path.join(dir, 'kiosk-printer');
    const setup = await createPrinter({ config: { kind: 'escpos', path: printerPath, baudRate: 19200, columns: 42 }, simDir: dir, clock: systemClock, log: pino({ level: 'silent' }) });
    pty.cleanups.push(() => setup.close());
    expect(setup).toMatchObject({ kind: 'escpos', address: printerPath, sim: null });
    expect(await setup.printer!.status()).toMatchObject({ online: false });
    pty.pair = await startPtyPair(printerPath, path.join(dir, 'device'));
    const simulator = await simulatorOn(path.join(dir, 'device'));
    await waitFor(() => (setup.printer as EscPosPrinter).online, 'the printer online', 15_000);
    await setup.printer!.print(receipt);
    await waitFor(() => simulator.receipts().length === 1, 'the receipt');
  });
});

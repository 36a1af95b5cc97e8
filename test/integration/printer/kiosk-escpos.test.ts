// The whole kiosk with a real ESC/POS printer on a serial line (a socat pseudo-terminal at
// 19200 8N1, the ESC/POS simulator on its other end): a paid session's receipt is printed
// with every field a receipt must have, decoded back from the bytes; the printer's paper
// and cover reach the screen and the diagnostics; paper out offers the QR code.
import fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../devices/clock.js';
import { EscPosSimulator } from '../../../devices/printer/escpos-simulator.js';
import { closePort, openSerialPort } from '../../../devices/serial/serial-link.js';
import { KioskHarness, payAndPlug } from '../../unit/station/kiosk-harness.js';
import { SOCAT, waitFor } from '../charger/pty-helpers.js';
import { ptyPerTest } from '../charger/pty-fixture.js';

const haveSocat = fs.existsSync(SOCAT);

describe.skipIf(!haveSocat)('the kiosk with an ESC/POS printer on a serial line', () => {
  const pty = ptyPerTest('kiosk-escpos-');

  async function start(): Promise<{ h: KioskHarness; simulator: EscPosSimulator }> {
    const port = await openSerialPort(pty.pair!.b, 19200);
    port.on('error', () => {});
    const simulator = new EscPosSimulator({ clock: systemClock });
    simulator.attach(port);
    pty.cleanups.push(async () => {
      simulator.detach();
      await closePort(port);
    });
    const h = await KioskHarness.start(
      {
        devices: { terminal: { kind: 'simulated', approvalDelayMs: 1000 }, printer: { kind: 'escpos', path: pty.pair!.a, baudRate: 19200 } },
        operator: { name: 'Stadtwerke Beispiel GmbH', address: 'Hauptstraße 5, 10115 Berlin', vatId: 'DE123456789' },
        connectors: [
          { id: 1, label: 'A', evseId: 'DE*SWB*E0042*1' },
          { id: 2, label: 'B', evseId: 'DE*SWB*E0042*2' },
        ],
      },
      undefined,
      mkdtempSync(join(tmpdir(), 'kiosk-escpos-data-')),
    );
    pty.cleanups.push(() => h.close());
    return { h, simulator };
  }

  it('prints a paid session\'s receipt with every field, decoded back from the line', async () => {
    const { h, simulator } = await start();
    await waitFor(() => h.snapshot().devices.printer?.online === true, 'the printer online');
    expect(h.snapshot().devices.printer).toMatchObject({ kind: 'escpos', port: pty.pair!.a, details: { paper: 'ok', coverOpen: false } });
    await payAndPlug(h, 1);
    await h.run(120_000, 1000);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(2000);
    const summary = h.connector(1).lastSummary!;
    expect(await h.command({ type: 'chooseReceipt', connectorId: 1, receipt: 'print' })).toEqual({ ok: true });
    expect(h.connector(1).lastSummary!.receipt).toBe('printing'); // answered at once, the printer works beside
    await waitFor(() => simulator.receipts().length === 1, 'the receipt on paper', 10_000);
    await waitFor(() => h.connector(1).lastSummary?.receipt === 'printed', 'the receipt noted as printed');
    const paper = simulator.receipts()[0]!;
    expect(paper.cutOk).toBe(true);
    const text = paper.lines.join('\n');
    for (const field of ['Stadtwerke Beispiel GmbH', 'Hauptstraße 5, 10115 Berlin', 'DE123456789', 'KIOSK-0001', 'DE*SWB*E0042*1', '**** 0001', 'VAT 19%', '€0.3450/kWh']) {
      expect(text).toContain(field);
    }
    expect(text).toMatch(/Receipt.*\b1\b/);
    expect(text).toMatch(/Time charging/);
    expect(text).toMatch(/Meter/);
    expect(text).toContain(`€${(summary.capturedMinor / 100).toFixed(2)}`);
  });

  it('paper out reaches the screen and the diagnostics; the QR code is offered instead', async () => {
    const { h, simulator } = await start();
    await waitFor(() => h.snapshot().devices.printer?.online === true, 'the printer online');
    simulator.setPaper('out');
    await payAndPlug(h, 1);
    await h.run(30_000, 1000);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(2000);
    expect(await h.command({ type: 'chooseReceipt', connectorId: 1, receipt: 'print' })).toEqual({ ok: true });
    await waitFor(() => h.connector(1).lastSummary?.receipt === 'printFailed', 'the print refused');
    expect(h.connector(1).lastSummary!.receiptQr).toEqual(expect.any(String));
    await waitFor(() => h.snapshot().printer?.available === false, 'the printer offered no more');
    expect(h.snapshot().devices.printer).toMatchObject({ details: { paper: 'out' } });
    expect(simulator.receipts()).toHaveLength(0);
  });
});

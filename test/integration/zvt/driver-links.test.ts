// The ZVT driver against the terminal simulator over the two real links: a socat
// pseudo-terminal at 9600 8N2 (serialport, the DLE/ACK link layer) and loopback TCP
// (bare APDUs), on the real clock. Each prints the time per reservation and per booking.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../devices/clock.js';
import type { TerminalEvent } from '../../../devices/payment/card-terminal-port.js';
import { ZvtSerialChannel } from '../../../devices/payment/zvt/serial-channel.js';
import { listenZvtTcp } from '../../../devices/payment/zvt/tcp-channel.js';
import type { ZvtTcpServer } from '../../../devices/payment/zvt/tcp-channel.js';
import { ZvtCardTerminal } from '../../../devices/payment/zvt/zvt-card-terminal.js';
import { openZvtSerial, openZvtTcp } from '../../../devices/payment/zvt/zvt-link.js';
import type { ZvtLink } from '../../../devices/payment/zvt/zvt-link.js';
import { ZvtTerminalSimulator } from '../../../devices/payment/zvt/zvt-simulator.js';
import type { ApduChannel } from '../../../devices/payment/zvt/channel.js';
import { serialPortOpener } from '../../../devices/serial/serial-link.js';
import { SOCAT, waitFor } from '../charger/pty-helpers.js';
import { ptyPerTest } from '../charger/pty-fixture.js';

const PASSWORD = '010203';
const simulatorOn = (channel: ApduChannel): ZvtTerminalSimulator =>
  new ZvtTerminalSimulator({ channel, clock: systemClock, password: PASSWORD, cardDelayMs: 30, hostDelayMs: 10, pinDelayMs: 10 });

/** One reservation booked for less, one reversed, the booking given back; times measured around each call. */
async function exercise(driver: ZvtCardTerminal, simulator: () => ZvtTerminalSimulator, link: string): Promise<void> {
  const t0 = performance.now();
  const held = await driver.authorize({ reference: `${link}:authorize:1`, amountMinor: 5000, currency: 'EUR' });
  const t1 = performance.now();
  expect(held.outcome).toBe('approved');
  if (held.outcome !== 'approved') return;
  const booked = await driver.capture({ holdId: held.hold.holdId, amountMinor: 1295 });
  expect(booked).toMatchObject({ capturedMinor: 1295, receiptNumber: expect.stringMatching(/^\d+$/) });
  const t2 = performance.now();
  const second = await driver.authorize({ reference: `${link}:authorize:2`, amountMinor: 5000, currency: 'EUR' });
  if (second.outcome !== 'approved') throw new Error('not approved');
  const t3 = performance.now();
  await driver.release(second.hold.holdId);
  const t4 = performance.now();
  expect(await driver.openHolds()).toEqual([]);
  const reservations = simulator().reservations();
  expect(reservations.map((r) => [r.reference, r.state, r.bookedMinor])).toEqual([
    [`${link}:authorize:1`, 'booked', 1295],
    [`${link}:authorize:2`, 'reversed', null],
  ]);
  // Money back: the booking reversed (06 30, no card), then part of it refunded to the card (06 31).
  const reversed = await driver.refund({ reference: `${link}:refund:1`, amountMinor: 1295, currency: 'EUR', receiptNumber: booked.receiptNumber });
  const t5 = performance.now();
  expect(reversed).toMatchObject({ outcome: 'refunded', refund: { kind: 'reversal', refundedMinor: 1295 } });
  const credited = await driver.refund({ reference: `${link}:refund:2`, amountMinor: 100, currency: 'EUR' });
  const t6 = performance.now();
  expect(credited).toMatchObject({ outcome: 'refunded', refund: { kind: 'refund', refundedMinor: 100, maskedPan: '**** **** **** 0001' } });
  expect(simulator().refunds().map((r) => [r.kind, r.amountMinor])).toEqual([
    ['reversal', 1295],
    ['refund', 100],
  ]);
  // The simulator's own waits (card 30 ms, host 10 ms, twice for a reservation) are in these figures.
  console.info(
    `ZVT over ${link}: reservation ${(t1 - t0).toFixed(1)} ms (simulator waits 40 ms), booking ${(t2 - t1).toFixed(1)} ms (10 ms), second reservation ${(t3 - t2).toFixed(1)} ms, reversal ${(t4 - t3).toFixed(1)} ms (10 ms), 06 30 ${(t5 - t4).toFixed(1)} ms (10 ms), 06 31 ${(t6 - t5).toFixed(1)} ms (40 ms)`,
  );
}

describe('ZVT driver over loopback TCP', () => {
  let server: ZvtTcpServer | null = null;
  let link: ZvtLink | null = null;
  let driver: ZvtCardTerminal | null = null;
  afterEach(async () => {
    await driver?.close();
    await link?.close();
    await server?.close();
    server = link = driver = null;
  });

  it('holds, books, reverses, lists and gives money back; reconnects and registers again when the connection drops', async () => {
    let simulator: ZvtTerminalSimulator | null = null;
    let connections = 0;
    server = await listenZvtTcp(0, '127.0.0.1', (channel) => {
      connections++;
      void simulator?.close();
      simulator = simulatorOn(channel);
    });
    driver = new ZvtCardTerminal({ clock: systemClock, password: PASSWORD });
    const events: TerminalEvent[] = [];
    driver.subscribe((event) => events.push(event));
    link = await openZvtTcp({ terminal: driver, clock: systemClock, host: '127.0.0.1', port: server.port, backoff: { initialMs: 50, maxMs: 200 } });
    expect(driver.online).toBe(true);
    expect(link.address).toBe(`127.0.0.1:${server.port}`);
    await exercise(driver, () => simulator!, 'tcp');
    // Ready for the next command as soon as its last message is acknowledged, even in the same TCP segment.
    expect(driver.stats.refusedBusy).toBe(0);

    // The terminal drops the connection (a network blip): offline, then back and registered.
    await server.close();
    await waitFor(() => events.some((e) => e.type === 'offline'), 'offline', 3000);
    expect(driver.online).toBe(false);
    await expect(driver.authorize({ reference: 'tcp:authorize:3', amountMinor: 100, currency: 'EUR' })).rejects.toThrow(/unavailable/);
    const port = server.port;
    server = await listenZvtTcp(port, '127.0.0.1', (channel) => {
      connections++;
      simulator = simulatorOn(channel);
    });
    await waitFor(() => driver!.online, 'back online', 5000);
    expect(connections).toBe(2);
    expect((await driver.authorize({ reference: 'tcp:authorize:4', amountMinor: 100, currency: 'EUR' })).outcome).toBe('approved');
    await simulator!.close();
  });

  it('a terminal that is not there: the kiosk starts with it offline, naming host:port', async () => {
    driver = new ZvtCardTerminal({ clock: systemClock, password: PASSWORD });
    const events: TerminalEvent[] = [];
    driver.subscribe((event) => events.push(event));
    link = await openZvtTcp({ terminal: driver, clock: systemClock, host: '127.0.0.1', port: 1, startupTimeoutMs: 300, backoff: { initialMs: 100, maxMs: 100 } });
    expect(driver.online).toBe(false);
    await expect(driver.authorize({ reference: 'none:authorize:1', amountMinor: 100, currency: 'EUR' })).rejects.toThrow(/127\.0\.0\.1:1/);
  });
});

const haveSocat = fs.existsSync(SOCAT);
describe.skipIf(!haveSocat)('ZVT driver over a pseudo-terminal, 9600 8N2', () => {
  const pty = ptyPerTest('zvt-driver-pty-');

  it('holds, books, reverses, lists and gives money back through the serial link layer', async () => {
    const terminalPort = await serialPortOpener({ stopBits: 2 })(pty.pair!.b, 9600);
    const terminalChannel = new ZvtSerialChannel(terminalPort, { clock: systemClock, device: 'ECR' });
    const simulator = simulatorOn(terminalChannel);
    const driver = new ZvtCardTerminal({ clock: systemClock, password: PASSWORD });
    const link = await openZvtSerial({ terminal: driver, clock: systemClock, path: pty.pair!.a, baudRate: 9600, allowUnstablePath: true });
    pty.cleanups.push(
      () => terminalChannel.close(),
      () => simulator.close(),
      () => link.close(),
      () => driver.close(),
    );
    expect(driver.online).toBe(true);
    await exercise(driver, () => simulator, 'pty 9600 8N2');
  });

  it('refuses an unstable path unless told otherwise', async () => {
    const driver = new ZvtCardTerminal({ clock: systemClock, password: PASSWORD });
    await expect(openZvtSerial({ terminal: driver, clock: systemClock, path: '/dev/ttyUSB0' })).rejects.toThrow(/stable|by-id/);
    await driver.close();
  });
});

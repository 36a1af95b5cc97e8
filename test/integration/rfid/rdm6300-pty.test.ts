// The RDM6300 reader through real serialport at 9600 8N1, on a pseudo-terminal pair made
// by socat, against its simulator writing to the other end in real time. Repeat
// suppression runs on a manual clock that only the test moves, so the pty's timing
// cannot change what is reported (the timing itself is tested in the unit tests).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../../devices/clock.js';
import { openRdm6300Serial, type Rdm6300Reader } from '../../../devices/rfid/rdm6300-reader.js';
import { Rdm6300Simulator, type Rdm6300SimVariant } from '../../../devices/rfid/rdm6300-simulator.js';
import type { RfidEvent } from '../../../devices/rfid/rfid-reader-port.js';
import { closePort, openSerialPort } from '../../../devices/serial/serial-link.js';
import { SOCAT, startPtyPair, waitFor } from '../charger/pty-helpers.js';
import { ptyPerTest } from '../charger/pty-fixture.js';

const haveSocat = fs.existsSync(SOCAT);
if (!haveSocat) console.warn(`RDM6300 pty test skipped: socat not found at ${SOCAT} (install socat, or set SOCAT_PATH)`);

const tags = (events: RfidEvent[]): string[] => events.flatMap((e) => (e.type === 'tag' ? [e.uid] : []));

describe.skipIf(!haveSocat)('RDM6300 reader over a pseudo-terminal, 9600 8N1', () => {
  const pty = ptyPerTest('rdm6300-pty-');

  async function openReader(readerPath: string, suppression: ManualClock): Promise<{ reader: Rdm6300Reader; events: RfidEvent[] }> {
    const reader = await openRdm6300Serial({ path: readerPath, baudRate: 9600, clock: suppression, linkClock: systemClock, backoff: { initialMs: 50, maxMs: 200 } });
    pty.cleanups.push(() => reader.close());
    const events: RfidEvent[] = [];
    reader.subscribe((event) => events.push(event));
    return { reader, events };
  }

  async function simulatorOn(devicePath: string, variant: Rdm6300SimVariant): Promise<Rdm6300Simulator> {
    const port = await openSerialPort(devicePath, 9600);
    port.on('error', () => {});
    const simulator = new Rdm6300Simulator({ clock: systemClock, variant });
    pty.cleanups.push(async () => {
      simulator.detach();
      await closePort(port);
    });
    simulator.attach(port);
    return simulator;
  }

  const variants: [string, Rdm6300SimVariant][] = [
    ['every 250 ms, with noise at power-up', { repeatMs: 250, garbageAtPowerUp: true }],
    ['every 100 ms, lower-case hex, CR LF', { repeatMs: 100, lowerCase: true, crlf: true }],
    ['every 100 ms, one frame in 3 damaged', { repeatMs: 100, badChecksumEvery: 3 }],
    ['one frame per presentation', { repeatMs: null }],
  ];
  for (const [name, variant] of variants) {
    it(`a held tag is one tap, taken away and held again another, another tag at once (${name})`, async () => {
      const suppression = new ManualClock();
      const { reader, events } = await openReader(pty.pair!.a, suppression);
      expect(events).toEqual([{ type: 'online' }]);
      const simulator = await simulatorOn(pty.pair!.b, variant);

      simulator.present('13005D1DA5');
      const repeats = variant.repeatMs === null ? 1 : 4;
      await waitFor(() => reader.framesRead >= repeats, `${repeats} frames`);
      expect(tags(events)).toEqual(['13005D1DA5']);
      if (variant.badChecksumEvery) expect(reader.droppedFrames).toBeGreaterThan(0);

      simulator.remove();
      suppression.advance(1000);
      const before = reader.framesRead;
      simulator.present('13005D1DA5');
      await waitFor(() => reader.framesRead > before, 'the tag again');
      simulator.present('0102030405');
      await waitFor(() => tags(events).length === 3, 'the other tag');
      expect(tags(events)).toEqual(['13005D1DA5', '13005D1DA5', '0102030405']);
    });
  }

  it('absent at start, the reader connects when the port appears; unplugged, it goes offline and comes back', async () => {
    const dir = pty.dir;
    await pty.pair!.kill();
    pty.pair = null;
    const readerPath = path.join(dir, 'reader');
    const devicePath = path.join(dir, 'device');
    const { reader, events } = await openReader(readerPath, new ManualClock());
    expect(events[0]).toMatchObject({ type: 'offline', reason: expect.stringContaining(`serial port ${readerPath}`) });

    pty.pair = await startPtyPair(readerPath, devicePath);
    await waitFor(() => reader.online, 'the reader online');
    let simulator = await simulatorOn(devicePath, { repeatMs: 250 });
    simulator.present('13005D1DA5');
    await waitFor(() => tags(events).length === 1, 'the tag');

    // The cable pulled: both ends of the pty go away.
    simulator.detach();
    await pty.pair.kill();
    pty.pair = null;
    await waitFor(() => !reader.online, 'the reader offline');
    expect(events.at(-1)).toMatchObject({ type: 'offline' });

    pty.pair = await startPtyPair(readerPath, devicePath);
    await waitFor(() => reader.online, 'the reader online again');
    simulator = await simulatorOn(devicePath, { repeatMs: 250, garbageAtPowerUp: true });
    simulator.present('0102030405');
    await waitFor(() => tags(events).length === 2, 'a tag after the replug');
    expect(tags(events)).toEqual(['13005D1DA5', '0102030405']);
  });
});

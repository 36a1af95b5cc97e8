import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { createDuplexPair } from '../../../devices/memory-duplex.js';
import { FakeHidDevice, FakeHidModule } from '../../../devices/rfid/fake-hid.js';
import { encodeRdm6300Frame } from '../../../devices/rfid/rdm6300-codec.js';
import type { KioskConfig } from '../../../electron/config/config-schema.js';
import { createRfidReader } from '../../../electron/rfid-reader.js';
import { record, tagsOf } from './rfid-test-helpers.js';

type RfidConfig = KioskConfig['devices']['rfid'];
const log = pino({ level: 'silent' });
const HID_CONFIG: RfidConfig = { kind: 'hid', vendorId: 0xffff, productId: 0x0035, format: 'auto' };

describe('createRfidReader', () => {
  it("'none': no reader", async () => {
    const setup = await createRfidReader({ config: { kind: 'none' }, clock: new ManualClock(), log });
    expect(setup).toMatchObject({ reader: null, kind: 'none', address: 'none', firmware: null, sim: null });
    await setup.close();
  });

  it("'simulated': the USB driver over the fake reader; sim.tap is a tap", async () => {
    const setup = await createRfidReader({ config: { kind: 'simulated' }, clock: new ManualClock(), log });
    expect(setup).toMatchObject({ kind: 'simulated', address: 'usb ffff:0035 (simulated)', firmware: 'Chargepoint Kiosk simulated USB RFID reader' });
    const events = record(setup.reader!);
    setup.sim!.tap('1C78F2BF');
    expect(events).toEqual([{ type: 'online' }, { type: 'tag', uid: '1C78F2BF' }]);
    expect(() => setup.sim!.tap('1c78f2bf')).toThrow(TypeError);
    await setup.close();
  });

  it("'hid': node-hid failing to load gives an offline reader with the reason, not a failed start", async () => {
    const setup = await createRfidReader({ config: HID_CONFIG, clock: new ManualClock(), log, loadHid: () => Promise.reject(new Error('No native build was found')) });
    expect(setup).toMatchObject({ kind: 'hid', address: 'usb ffff:0035', firmware: null, sim: null });
    expect(record(setup.reader!)).toEqual([{ type: 'offline', reason: expect.stringMatching(/^node-hid cannot be loaded on this platform .*No native build was found/) }]);
    await setup.close();
  });

  it("'hid': the reader found through node-hid, its names as firmware once found", async () => {
    const clock = new ManualClock();
    const device = new FakeHidDevice({ vendorId: 0xffff, productId: 0x0035, path: 'p1', manufacturer: 'Sycreader', product: 'RFID Reader' }, { clock, variant: { typing: 'reversedDecimal' } });
    const hid = new FakeHidModule([]);
    const setup = await createRfidReader({ config: HID_CONFIG, clock: new ManualClock(), linkClock: clock, log, loadHid: async () => hid });
    const events = record(setup.reader!);
    expect(setup.firmware).toBeNull();
    hid.plug(device);
    clock.advance(3000);
    expect(setup.firmware).toBe('Sycreader RFID Reader');
    device.present('1C78F2BF');
    expect(tagsOf(events)).toEqual(['1C78F2BF']);
    await setup.close();
    expect(clock.pendingTimers()).toBe(0);
  });

  it("'hid': the real node-hid loads here and reports the absent reader (or why it cannot look)", async () => {
    const setup = await createRfidReader({ config: { ...HID_CONFIG, vendorId: 0xfffe, productId: 0x0001 }, clock: new ManualClock(), linkClock: new ManualClock(), log });
    expect(record(setup.reader!)).toEqual([{ type: 'offline', reason: expect.stringMatching(/no RFID reader usb fffe:0001 is plugged in|cannot list USB HID devices/) }]);
    await setup.close();
  });

  it("'rdm6300': offline while the port is absent, online when it opens", async () => {
    const clock = new ManualClock();
    let present = false;
    const [readerEnd, deviceEnd] = createDuplexPair();
    const setup = await createRfidReader({
      config: { kind: 'rdm6300', path: '/dev/serial/by-id/usb-rdm6300-if00', baudRate: 9600 },
      clock: new ManualClock(),
      linkClock: clock,
      log,
      openPort: async () => {
        if (!present) throw new Error('ENOENT');
        return readerEnd;
      },
    });
    expect(setup).toMatchObject({ kind: 'rdm6300', address: '/dev/serial/by-id/usb-rdm6300-if00', firmware: null, sim: null });
    const events = record(setup.reader!);
    expect(events).toEqual([{ type: 'offline', reason: 'serial port /dev/serial/by-id/usb-rdm6300-if00: ENOENT' }]);
    present = true;
    clock.advance(250);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.at(-1)).toEqual({ type: 'online' });
    deviceEnd.write(Buffer.from(encodeRdm6300Frame('13005D1DA5')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(tagsOf(events)).toEqual(['13005D1DA5']);
    await setup.close();
  });

  it("'rdm6300': a refused path gives an offline reader with the reason", async () => {
    const setup = await createRfidReader({ config: { kind: 'rdm6300', path: '/dev/ttyUSB0', baudRate: 9600 }, clock: new ManualClock(), log });
    expect(record(setup.reader!)).toEqual([{ type: 'offline', reason: expect.stringMatching(/serial\/by-id/) }]);
    await setup.close();
  });
});

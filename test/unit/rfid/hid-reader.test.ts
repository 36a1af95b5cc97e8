import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { FakeHidDevice, FakeHidModule, type FakeHidVariant } from '../../../devices/rfid/fake-hid.js';
import { HidRfidReader, type HidRfidReaderOptions } from '../../../devices/rfid/hid-reader.js';
import { memoryLog, record, tagsOf } from './rfid-test-helpers.js';

const READER = { vendorId: 0xffff, productId: 0x0035, path: '1-1.2:1.0', manufacturer: 'Sycreader', product: 'USB Reader', serialNumber: 'A1' };

function setup(options: { variant?: FakeHidVariant; plugged?: boolean; reader?: Partial<HidRfidReaderOptions> } = {}) {
  const clock = new ManualClock();
  const device = new FakeHidDevice(READER, { clock, variant: options.variant ?? {} });
  const hid = new FakeHidModule(options.plugged === false ? [] : [device]);
  const log = memoryLog();
  const reader = new HidRfidReader({ hid, vendorId: 0xffff, productId: 0x0035, format: 'auto', clock, log, platform: 'linux', ...options.reader });
  const events = record(reader);
  reader.start();
  return { clock, device, hid, log, reader, events };
}

describe('HidRfidReader', () => {
  it('on Linux selects libusb before any other node-hid call, then opens the reader', () => {
    const { hid, reader, events } = setup();
    expect(hid.calls).toEqual(['setDriverType libusb', 'devices', 'open 1-1.2:1.0']);
    expect(events).toEqual([{ type: 'online' }]);
    expect(reader.address).toBe('usb ffff:0035');
    expect(reader.firmware).toBe('Sycreader USB Reader');
  });

  it('elsewhere leaves node-hid’s driver type alone', () => {
    for (const platform of ['win32', 'darwin'] as const) {
      const { hid } = setup({ reader: { platform } });
      expect(hid.calls).toEqual(['devices', 'open 1-1.2:1.0']);
    }
  });

  const variants: [string, FakeHidVariant][] = [
    ['hex, a release after each key', { typing: 'hex' }],
    ['reversed decimal', { typing: 'reversedDecimal' }],
    ['with a report-id byte', { reportId: true, typing: 'reversedDecimal' }],
    ['keys rolled over', { release: 'rollover', typing: 'hex' }],
    ['shifted upper-case hex', { shift: 'left', typing: 'hex' }],
    ['right shift, rolled over, report id', { shift: 'right', release: 'rollover', reportId: true }],
    ['keypad digits and keypad Enter', { keypad: true, typing: 'reversedDecimal' }],
    ['slow typing (40 ms a report)', { reportDelayMs: 40, typing: 'reversedDecimal', release: 'rollover' }],
  ];
  for (const [name, variant] of variants) {
    it(`reads a tap typed ${name}`, () => {
      const { clock, device, events } = setup({ variant });
      device.present('1C78F2BF');
      device.present('DEADBEEF');
      clock.advance(10_000);
      expect(tagsOf(events)).toEqual(['1C78F2BF', 'DEADBEEF']);
    });
  }

  it('7- and 10-byte UIDs typed in hex', () => {
    const { device, events } = setup({ variant: { shift: 'left' } });
    device.present('04A1B2C3D4E5F6');
    device.present('0123456789ABCDEF0123');
    expect(tagsOf(events)).toEqual(['04A1B2C3D4E5F6', '0123456789ABCDEF0123']);
  });

  it('a reader typing slower than the key timeout gives no tag, and says why in the log', () => {
    const { clock, device, events, log } = setup({ variant: { reportDelayMs: 600 } });
    device.present('1C78F2BF');
    clock.advance(60_000);
    expect(tagsOf(events)).toEqual([]);
    expect(log.lines.some((line) => line.message === 'RFID reader input dropped' && /timeout 500 ms/.test(String(line.object.reason)))).toBe(true);
  });

  it('an EM4100 print typed by a 125 kHz reader is a suffix', () => {
    const { device, events } = setup({ variant: { typing: 'em4100' }, reader: { format: 'em4100' } });
    device.present('13005D1DA5');
    expect(events.at(-1)).toEqual({ type: 'tag', uid: '005D1DA5', suffix: true });
  });

  it('survives an unplug and a replug, and reads again', () => {
    const { clock, device, hid, events, log } = setup();
    device.present('1C78F2BF');
    hid.unplug(device);
    expect(device.isOpen).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'offline', reason: expect.stringMatching(/usb ffff:0035 was unplugged/) });
    clock.advance(3000);
    expect(events.at(-1)).toEqual({ type: 'offline', reason: 'no RFID reader usb ffff:0035 is plugged in' });
    clock.advance(30_000);
    hid.plug(device);
    clock.advance(3000);
    expect(events.at(-1)).toEqual({ type: 'online' });
    device.present('DEADBEEF');
    expect(tagsOf(events)).toEqual(['1C78F2BF', 'DEADBEEF']);
    // Looked for every 3 s while away, but each reason logged once.
    expect(log.lines.filter((line) => line.level === 'warn').map((line) => line.object.reason)).toEqual([expect.stringMatching(/unplugged/), 'no RFID reader usb ffff:0035 is plugged in']);
  });

  it('an unplug in the middle of typing leaves nothing half-typed', () => {
    const { clock, device, hid, events } = setup({ variant: { reportDelayMs: 5 } });
    device.present('1C78F2BF');
    clock.advance(40);
    hid.unplug(device);
    hid.plug(device);
    clock.advance(3000);
    device.present('DEADBEEF');
    clock.advance(1000);
    expect(tagsOf(events)).toEqual(['DEADBEEF']);
  });

  it('absent at start: offline with the reason, online once plugged in', () => {
    const { clock, device, hid, reader, events } = setup({ plugged: false });
    expect(events).toEqual([{ type: 'offline', reason: 'no RFID reader usb ffff:0035 is plugged in' }]);
    expect(reader.firmware).toBeNull();
    clock.advance(9000);
    expect(events).toHaveLength(1);
    hid.plug(device);
    clock.advance(3000);
    expect(events.at(-1)).toEqual({ type: 'online' });
    expect(reader.firmware).toBe('Sycreader USB Reader');
  });

  it('open refused on Linux: offline saying the udev rule is needed, logged once, and online once allowed', () => {
    const clock = new ManualClock();
    const hid = new FakeHidModule([new FakeHidDevice(READER, { clock })]);
    hid.refuseOpen(new Error('cannot open device with path 1-1.2:1.0'));
    const log = memoryLog();
    const reader = new HidRfidReader({ hid, vendorId: 0xffff, productId: 0x0035, format: 'auto', clock, log, platform: 'linux' });
    const events = record(reader);
    reader.start();
    clock.advance(30_000);
    expect(events).toEqual([{ type: 'offline', reason: expect.stringMatching(/^cannot open the RFID reader usb ffff:0035 \(cannot open device with path 1-1\.2:1\.0\): .*udev rule from the README/) }]);
    expect(hid.calls.filter((call) => call.startsWith('open'))).toHaveLength(11); // tried every 3 s
    expect(log.lines.filter((line) => line.level === 'warn')).toHaveLength(1); // said once
    hid.refuseOpen(null);
    clock.advance(3000);
    expect(events.at(-1)).toEqual({ type: 'online' });
  });

  it('on Windows: says node-hid cannot read keyboards there', () => {
    const clock = new ManualClock();
    const hid = new FakeHidModule([new FakeHidDevice(READER, { clock })]);
    hid.refuseOpen(new Error('Access is denied.'));
    const reader = new HidRfidReader({ hid, vendorId: 0xffff, productId: 0x0035, format: 'auto', clock, platform: 'win32' });
    const events = record(reader);
    reader.start();
    expect(events).toEqual([{ type: 'offline', reason: expect.stringMatching(/node-hid cannot read keyboards on Windows/) }]);
  });

  it('node-hid unable to list devices (its native part missing): offline with the reason', () => {
    const clock = new ManualClock();
    const hid = new FakeHidModule([]);
    hid.failListing(new Error('No native build was found for platform=linux arch=riscv64'));
    const reader = new HidRfidReader({ hid, vendorId: 0xffff, productId: 0x0035, format: 'auto', clock, platform: 'linux' });
    const events = record(reader);
    reader.start();
    expect(events).toEqual([{ type: 'offline', reason: expect.stringMatching(/cannot list USB HID devices .*riscv64/) }]);
  });

  it('picks the reader with the configured serial number among two', () => {
    const clock = new ManualClock();
    const first = new FakeHidDevice({ ...READER, path: 'p1', serialNumber: 'A1' }, { clock });
    const second = new FakeHidDevice({ ...READER, path: 'p2', serialNumber: 'B2' }, { clock });
    const hid = new FakeHidModule([first, second]);
    const reader = new HidRfidReader({ hid, vendorId: 0xffff, productId: 0x0035, serialNumber: 'B2', format: 'hex', clock, platform: 'linux' });
    const events = record(reader);
    reader.start();
    expect(reader.address).toBe('usb ffff:0035 serial B2');
    first.present('11111111');
    second.present('22222222');
    expect(tagsOf(events)).toEqual(['22222222']);
  });

  it('a composite reader: opens its keyboard interface, not the one listed first', () => {
    const clock = new ManualClock();
    const consumer = new FakeHidDevice({ ...READER, path: 'if1', interface: 1, usagePage: 0x0c, usage: 1 }, { clock });
    const keyboard = new FakeHidDevice({ ...READER, path: 'if0', interface: 0, usagePage: 1, usage: 6 }, { clock });
    const hid = new FakeHidModule([consumer, keyboard]);
    const reader = new HidRfidReader({ hid, vendorId: 0xffff, productId: 0x0035, format: 'hex', clock, platform: 'linux' });
    reader.start();
    expect(hid.calls.at(-1)).toBe('open if0');
  });

  it('a listener subscribing late is told the state first; close() closes the device and stops looking', async () => {
    const { clock, device, hid, reader } = setup();
    const late = record(reader);
    expect(late).toEqual([{ type: 'online' }]);
    await reader.close();
    expect(device.isOpen).toBe(false);
    hid.unplug(device);
    clock.advance(10_000);
    expect(clock.pendingTimers()).toBe(0);
    expect(late).toEqual([{ type: 'online' }]);
  });
});

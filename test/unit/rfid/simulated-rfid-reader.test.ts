import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { DeviceUnavailableError } from '../../../devices/device-errors.js';
import type { RfidEvent } from '../../../devices/rfid/rfid-reader-port.js';
import { SimulatedRfidReader } from '../../../devices/rfid/simulated-rfid-reader.js';

describe('SimulatedRfidReader', () => {
  it('runs the USB reader driver: online at once, libusb selected first', () => {
    const reader = new SimulatedRfidReader();
    const events: RfidEvent[] = [];
    reader.subscribe((event) => events.push(event));
    expect(events).toEqual([{ type: 'online' }]);
    expect(reader.hid.calls.slice(0, 1)).toEqual(process.platform === 'linux' ? ['setDriverType libusb'] : ['devices']);
    expect(reader.address).toBe('usb ffff:0035 (simulated)');
    expect(reader.firmware).toBe('Chargepoint Kiosk simulated USB RFID reader');
  });

  it('types a presented tag as keyboard reports, decoded into the same UID, to every listener until it unsubscribes', () => {
    const reader = new SimulatedRfidReader();
    const events: RfidEvent[] = [];
    const unsubscribe = reader.subscribe((event) => events.push(event));
    reader.simPresent('04A1B2C3D4E5F6');
    reader.simPresent('DEADBEEF');
    reader.simPresent('13005D1DA5');
    unsubscribe();
    reader.simPresent('0123456789ABCDEF0123');
    expect(events).toEqual([
      { type: 'online' },
      { type: 'tag', uid: '04A1B2C3D4E5F6' },
      { type: 'tag', uid: 'DEADBEEF' },
      { type: 'tag', uid: '13005D1DA5' },
    ]);
  });

  it('a listener that throws does not keep the others from the tag', async () => {
    const reader = new SimulatedRfidReader();
    const events: RfidEvent[] = [];
    reader.subscribe((event) => {
      if (event.type === 'tag') throw new Error('listener bug');
    });
    reader.subscribe((event) => events.push(event));
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      reader.simPresent('DEADBEEF');
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(events.at(-1)).toEqual({ type: 'tag', uid: 'DEADBEEF' });
    expect(uncaught).toHaveLength(1);
  });

  it('can type like another reader (slow, rolled over) and still give the UID', () => {
    const clock = new ManualClock();
    const reader = new SimulatedRfidReader({ clock, variant: { reportDelayMs: 30, release: 'rollover', shift: 'right' } });
    const events: RfidEvent[] = [];
    reader.subscribe((event) => events.push(event));
    reader.simPresent('1C78F2BF');
    expect(events).toEqual([{ type: 'online' }]);
    clock.advance(1000);
    expect(events.at(-1)).toEqual({ type: 'tag', uid: '1C78F2BF' });
  });

  it('refuses what is not a canonical UID, saying what one is', () => {
    const reader = new SimulatedRfidReader();
    for (const uid of ['deadbeef', 'DEADBEE', '04A1B2C3D4E5', '', 'DEADBEEF ', 'GHIJKLMN', '1C:78:F2:BF', 42 as unknown as string]) {
      expect(() => reader.simPresent(uid)).toThrow(TypeError);
    }
    expect(() => reader.simPresent('deadbeef')).toThrow(/4, 5, 7 or 10 bytes as upper-case hex/);
  });

  it('after close() a tag cannot be presented', async () => {
    const reader = new SimulatedRfidReader();
    await reader.close();
    expect(() => reader.simPresent('DEADBEEF')).toThrow(DeviceUnavailableError);
    expect(reader.device.isOpen).toBe(false);
  });
});

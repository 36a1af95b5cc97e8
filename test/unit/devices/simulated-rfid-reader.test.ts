import { describe, expect, it } from 'vitest';
import { DeviceUnavailableError } from '../../../devices/device-errors.js';
import type { RfidEvent } from '../../../devices/rfid/rfid-reader-port.js';
import { SimulatedRfidReader } from '../../../devices/rfid/simulated-rfid-reader.js';

describe('SimulatedRfidReader', () => {
  it('reports a presented tag to every listener until it unsubscribes', () => {
    const reader = new SimulatedRfidReader();
    const events: RfidEvent[] = [];
    const unsubscribe = reader.subscribe((event) => events.push(event));
    reader.simPresent('04A1B2C3D4E5F6');
    reader.simPresent('DEADBEEF');
    unsubscribe();
    reader.simPresent('0123456789ABCDEF0123');
    expect(events).toEqual([
      { type: 'tag', uid: '04A1B2C3D4E5F6' },
      { type: 'tag', uid: 'DEADBEEF' },
    ]);
  });

  it('refuses what is not a card UID', () => {
    const reader = new SimulatedRfidReader();
    for (const uid of ['deadbeef', 'DEADBEE', '04A1B2C3D4E5', '', 'DEADBEEF ', 'GHIJKLMN']) {
      expect(() => reader.simPresent(uid)).toThrow(TypeError);
    }
  });

  it('after close() a tag cannot be presented', async () => {
    const reader = new SimulatedRfidReader();
    await reader.close();
    expect(() => reader.simPresent('DEADBEEF')).toThrow(DeviceUnavailableError);
  });
});

// How a session's meter readings become what the tariff prices (withReading, usageAt):
// charging until it stopped, parking after, nothing after the end, energy never lost.
import { describe, expect, it } from 'vitest';
import { TariffConfig } from '../../../electron/billing/tariff-schema.js';
import { priceUsage, startUsage } from '../../../electron/billing/tariff-engine.js';
import { usageAt, withReading, type ActiveSession } from '../../../electron/station/session-machine.js';

const tariff = TariffConfig.parse({
  currency: 'EUR',
  elements: [{ price_components: [{ type: 'ENERGY', price: 1 }, { type: 'PARKING_TIME', price: 6, step_size: 60 }, { type: 'TIME', price: 0.6, step_size: 60 }] }],
});
const T0 = Date.UTC(2026, 11, 2, 12);

function session(patch: Partial<ActiveSession> = {}): ActiveSession {
  return {
    id: 's', method: 'card', createdAt: T0, stopCode: '1234', tariff, timeZone: 'Europe/Berlin', voltageV: 230, currency: 'EUR', limitMinor: 5000,
    expiresAt: T0 + 3_600_000, lookaheadS: 2.5, attempt: 1, authorization: null, settleFailures: 0, declineReason: null,
    meterStartWh: 0, meterWh: 0, powerW: 0, chargingStartedAt: T0, chargingStoppedAt: null, endedAt: null, usage: startUsage(T0),
    stopReason: null, showStopCode: false, ...patch,
  };
}

/** Feeds readings of [ms after T0, meter Wh, power W] the way recordMeter does. */
function read(s: ActiveSession, readings: [number, number, number][]): ActiveSession {
  for (const [ms, meterWh, powerW] of readings) s = { ...s, usage: withReading(s, T0 + ms, meterWh, powerW), meterWh, powerW };
  return s;
}

describe('a session metered reading by reading', () => {
  it('a car unplugged mid-charge pays no idle fee for the moment since the last reading', () => {
    const s = read(session(), [[500, 1, 7200], [1000, 2, 7200]]);
    const ended = { ...s, chargingStoppedAt: T0 + 1200, endedAt: T0 + 1200 };
    const usage = usageAt(ended, T0 + 5000);
    expect(usage).toMatchObject({ chargingMs: 1200, parkingMs: 0, at: T0 + 1200 });
    expect(priceUsage(tariff, usage).lines.map((l) => l.kind)).toEqual(['energy', 'time']);
  });

  it('after the stop the time is parking, also inside the reading that spans the stop; its energy counts as charged', () => {
    let s = read(session(), [[500, 1, 7200]]);
    s = { ...s, chargingStoppedAt: T0 + 700 };
    s = read(s, [[1000, 2, 0], [61_000, 2, 0]]);
    expect(s.usage).toMatchObject({ energyMwh: 2000, chargingMs: 700, parkingMs: 60_300 });
  });

  it('nothing accrues after the session ended, and a meter that goes back never lowers the energy', () => {
    let s = read(session(), [[500, 5, 7200], [1000, 3, 7200]]);
    expect(s.usage!.energyMwh).toBe(5000);
    s = { ...s, meterWh: 5, chargingStoppedAt: T0 + 1000, endedAt: T0 + 1000 };
    s = read(s, [[9000, 5, 0]]);
    expect(s.usage).toMatchObject({ at: T0 + 1000, parkingMs: 0 });
  });

  it('the car ramping up before its first energy is charging, not parking; a pause after it is parking', () => {
    const s = read(session(), [[500, 0, 0], [1000, 1, 7200], [61_000, 1, 0], [121_000, 1, 0]]);
    expect(s.usage).toMatchObject({ chargingMs: 61_000, parkingMs: 60_000 });
  });
});

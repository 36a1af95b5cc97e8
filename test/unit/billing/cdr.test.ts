// OCPI 2.2.1 CDRs as the engine's usage: the volumes win over the timestamps, power and
// current reach the restrictions, and CDRs priced elsewhere come out at their own totals.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Cdr, cdrIntervals, usageOfCdr } from '../../../electron/billing/cdr.js';
import { LocalTime } from '../../../electron/billing/local-time.js';
import { priceUsage } from '../../../electron/billing/tariff-engine.js';
import { TariffConfig, type TariffInput } from '../../../electron/billing/tariff-schema.js';

const utc = new LocalTime('UTC');
const berlin = new LocalTime('Europe/Berlin');
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/tariffs/${name}`, import.meta.url), 'utf8'));
const tariff = (input: Omit<TariffInput, 'currency'>) => TariffConfig.parse({ currency: 'EUR', ...input });
const T0 = Date.parse('2026-03-02T08:00:00Z');
const H = 3_600_000;
const at = (ms: number) => new Date(T0 + ms).toISOString();

type Dimensions = { type: string; volume: number }[];
/** A CDR from T0 with periods at the given offsets, ending at `end` ms after T0. */
function cdr(periods: [ms: number, dimensions: Dimensions][], end: number, extra: object = {}) {
  return Cdr.parse({ start_date_time: at(0), end_date_time: at(end), charging_periods: periods.map(([ms, dimensions]) => ({ start_date_time: at(ms), dimensions })), ...extra });
}

/** "path: message" of each problem zod finds. */
function problems(input: unknown): string[] {
  const result = Cdr.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('a CDR as intervals', () => {
  it('TIME and PARKING_TIME win over the timestamps: charging, then parking, from the period start; time they leave out is skipped', () => {
    // The first period lasts 2 h by its timestamps, but the CDR says 0.5 h charging and 0.25 h parking.
    const intervals = cdrIntervals(cdr([[0, [{ type: 'ENERGY', volume: 5 }, { type: 'TIME', volume: 0.5 }, { type: 'PARKING_TIME', volume: 0.25 }]], [2 * H, [{ type: 'ENERGY', volume: 1 }]]], 3 * H));
    expect(intervals).toEqual([
      { from: T0, to: T0 + 0.5 * H, energyWh: 5000, charging: true },
      { from: T0 + 0.5 * H, to: T0 + 0.75 * H, energyWh: 0, charging: false },
      { from: T0 + 2 * H, to: T0 + 3 * H, energyWh: 1000, charging: true },
    ]);
  });

  it('volumes longer than their period push the next period on', () => {
    const intervals = cdrIntervals(cdr([[0, [{ type: 'ENERGY', volume: 5 }, { type: 'TIME', volume: 1.5 }]], [H, [{ type: 'PARKING_TIME', volume: 0.5 }]]], 2 * H));
    expect(intervals.map((i) => [i.from - T0, i.to - T0, i.charging])).toEqual([[0, 1.5 * H, true], [1.5 * H, 2 * H, false]]);
  });

  it('a period with neither TIME nor PARKING_TIME charges throughout if it delivered energy, else it is parking', () => {
    const intervals = cdrIntervals(cdr([[0, [{ type: 'ENERGY', volume: 7.5 }]], [H, [{ type: 'ENERGY', volume: 0 }]], [1.5 * H, [{ type: 'STATE_OF_CHARGE', volume: 80 }]]], 2 * H));
    expect(intervals.map((i) => [i.from - T0, i.to - T0, i.energyWh, i.charging])).toEqual([[0, H, 7500, true], [H, 1.5 * H, 0, false], [1.5 * H, 2 * H, 0, false]]);
  });

  it('one of TIME and PARKING_TIME alone means none of the other', () => {
    const intervals = cdrIntervals(cdr([[0, [{ type: 'ENERGY', volume: 2 }, { type: 'TIME', volume: 0.25 }]], [H, [{ type: 'PARKING_TIME', volume: 0.5 }]]], 2 * H));
    expect(intervals.map((i) => [i.from - T0, i.to - T0, i.charging])).toEqual([[0, 0.25 * H, true], [H, 1.5 * H, false]]);
  });

  it('power and current for the restrictions: POWER, else MAX_POWER, else MIN_POWER (kW to W); CURRENT, else MAX_, else MIN_CURRENT', () => {
    const power = (dimensions: Dimensions) => cdrIntervals(cdr([[0, [{ type: 'ENERGY', volume: 1 }, ...dimensions]]], H))[0];
    expect(power([{ type: 'MIN_POWER', volume: 3 }, { type: 'POWER', volume: 7.4 }, { type: 'MAX_POWER', volume: 11 }])).toMatchObject({ powerW: 7400 });
    expect(power([{ type: 'MIN_POWER', volume: 3 }, { type: 'MAX_POWER', volume: 11 }])).toMatchObject({ powerW: 11000 });
    expect(power([{ type: 'MIN_POWER', volume: 3 }])).toMatchObject({ powerW: 3000 });
    expect(power([{ type: 'MIN_CURRENT', volume: 6 }, { type: 'MAX_CURRENT', volume: 16 }, { type: 'CURRENT', volume: 10 }])).toMatchObject({ currentA: 10 });
    expect(power([{ type: 'MIN_CURRENT', volume: 6 }, { type: 'MAX_CURRENT', volume: 16 }])).toMatchObject({ currentA: 16 });
    expect(power([{ type: 'MIN_CURRENT', volume: 6 }])).toMatchObject({ currentA: 6 });
    // Absent: the engine takes the interval's average power.
    expect(power([])).toMatchObject({ powerW: undefined, currentA: undefined });
  });

  it('the power reaches a max_power restriction: 11 kW is priced as fast charging, though 5 kWh in an hour average 5 kW', () => {
    const t = tariff({ elements: [{ price_components: [{ type: 'ENERGY', price: 0.3 }], restrictions: { max_power: 11 } }, { price_components: [{ type: 'ENERGY', price: 0.5 }] }] });
    const session = (dimensions: Dimensions) => priceUsage(t, usageOfCdr(t, cdr([[0, [{ type: 'ENERGY', volume: 5 }, ...dimensions]]], H), utc)).netMinor;
    expect(session([])).toBe(150);
    expect(session([{ type: 'MAX_POWER', volume: 11 }])).toBe(250);
  });

  it('skipped time passes unpriced but counts in durations: a max_duration element ends on time', () => {
    // 0.5 h charging at the first rate, then nothing until the next period at 1 h, which is past max_duration.
    const t = tariff({ elements: [{ price_components: [{ type: 'ENERGY', price: 0.2 }], restrictions: { max_duration: 2700 } }, { price_components: [{ type: 'ENERGY', price: 0.4 }] }] });
    const usage = usageOfCdr(t, cdr([[0, [{ type: 'ENERGY', volume: 5 }, { type: 'TIME', volume: 0.5 }]], [H, [{ type: 'ENERGY', volume: 5 }, { type: 'TIME', volume: 0.5 }]]], 1.5 * H), utc);
    expect(usage).toMatchObject({ chargingMs: H, parkingMs: 0, at: T0 + 1.5 * H, energyMwh: 10_000_000 });
    // 5 kWh × 0.20 + 5 kWh × 0.40 = 3.00
    expect(priceUsage(t, usage).netMinor).toBe(300);
  });
});

describe('validating a CDR', () => {
  const good = { start_date_time: '2015-06-29T21:39:09Z', end_date_time: '2015-06-29T23:37:32Z', charging_periods: [{ start_date_time: '2015-06-29T21:39:09Z', dimensions: [{ type: 'TIME', volume: 1.973 }] }] };

  it('takes a real CDR with all its other fields, and offsets or OCPI\'s bare UTC times', () => {
    expect(problems(fixture('ocpi-cdr-example.json'))).toEqual([]);
    const parsed = Cdr.parse({ ...good, start_date_time: '2015-06-29T23:39:09+02:00', end_date_time: '2015-06-29T23:37:32' });
    expect(parsed.start_date_time).toBe(Date.parse('2015-06-29T21:39:09Z'));
    // OCPI: a time without a zone designator is UTC, whatever the machine's zone.
    expect(parsed.end_date_time).toBe(Date.parse('2015-06-29T23:37:32Z'));
  });

  it('names each problem by its path', () => {
    expect(problems({})).toEqual([
      'start_date_time: missing (expected a date and time as RFC 3339, e.g. 2015-06-29T21:39:09Z)',
      'end_date_time: missing (expected a date and time as RFC 3339, e.g. 2015-06-29T21:39:09Z)',
      expect.stringMatching(/^charging_periods: /),
    ]);
    expect(problems({ ...good, end_date_time: 'yesterday' })).toEqual(['end_date_time: expected a date and time as RFC 3339, e.g. 2015-06-29T21:39:09Z, got "yesterday"']);
    expect(problems({ ...good, charging_periods: [] })).toEqual(['charging_periods: a CDR has at least one charging period']);
    expect(problems({ ...good, end_date_time: '2015-06-29T20:00:00Z' })).toEqual(['end_date_time: is before start_date_time', 'charging_periods.0.start_date_time: starts after the session\'s end_date_time']);
  });

  it('refuses volumes that are negative, too large or given twice', () => {
    const period = (dimensions: Dimensions) => ({ ...good, charging_periods: [{ start_date_time: good.start_date_time, dimensions }] });
    expect(problems(period([{ type: 'ENERGY', volume: -1 }, { type: 'STATE_OF_CHARGE', volume: -5 }]))).toEqual(['charging_periods.0.dimensions.0.volume: must not be negative']);
    expect(problems(period([{ type: 'TIME', volume: 1e9 }]))).toEqual(['charging_periods.0.dimensions.0.volume: at most 8784 hours']);
    expect(problems(period([{ type: 'ENERGY', volume: 1 }, { type: 'ENERGY', volume: 2 }]))).toEqual(['charging_periods.0.dimensions.1.type: ENERGY is given twice in this period']);
    expect(problems(period([]))).toEqual(['charging_periods.0.dimensions: a charging period has at least one dimension (OCPI)']);
  });

  it('wants periods in order, from the session\'s start', () => {
    const periods = (...starts: string[]) => ({ ...good, charging_periods: starts.map((start) => ({ start_date_time: start, dimensions: [{ type: 'TIME', volume: 0.1 }] })) });
    expect(problems(periods('2015-06-29T21:40:00Z'))).toEqual([
      'charging_periods.0.start_date_time: is 2015-06-29T21:40:00.000Z: the first period must start when the session does (start_date_time 2015-06-29T21:39:09.000Z)',
    ]);
    expect(problems(periods('2015-06-29T21:39:09Z', '2015-06-29T22:00:00Z', '2015-06-29T21:50:00Z'))).toEqual(['charging_periods.2.start_date_time: starts before the period before it']);
  });
});

describe('CDRs priced elsewhere come out at their own totals', () => {
  it('the OCPI 2.2.1 CDR example (with its 15.342 kWh as an ENERGY dimension): 4.00 excl. and 4.40 incl. VAT', () => {
    // Tariff 12: 2.00/h charging + 10 % VAT, billed per 300 s. TIME 1.973 h = 7102.8 s,
    // rounded up to 24 steps of 300 s = 7200 s = 2 h; 2 h × 2.00 = 4.00, × 1.10 = 4.40.
    const t = TariffConfig.parse(fixture('ocpi-tariff-12.json'));
    const record = Cdr.parse(fixture('ocpi-cdr-example.json'));
    const priced = priceUsage(t, usageOfCdr(t, record, berlin));
    expect(priced).toMatchObject({ netMinor: 400, totalMinor: 440 });
    expect(priced.lines).toEqual([{ kind: 'time', quantity: 7200, unit: 'hour', unitPrice: '2.20', vatPercent: '10', amountMinor: 440, netMinor: 400, vatMinor: 40 }]);
  });

  it('three periods under OCPI\'s "0.25/kWh + 2.00/h parking + 0.50 start fee": 7.00 and 7.90, as the CDR says', () => {
    // Energy 11.2 + 8.75 = 19.95 kWh, per 100 Wh → 20 kWh × 0.25 = 5.00, × 1.10 = 5.50.
    // Parking 0.6 h = 36 min, per 15 min → 45 min = 0.75 h × 2.00 = 1.50, × 1.20 = 1.80.
    // Start fee 0.50, × 1.20 = 0.60. Net 5.00 + 1.50 + 0.50 = 7.00; gross 5.50 + 1.80 + 0.60 = 7.90.
    const t = TariffConfig.parse({ id: '13', currency: 'EUR', elements: [{ price_components: [
      { type: 'FLAT', price: 0.5, vat: 20 },
      { type: 'ENERGY', price: 0.25, vat: 10, step_size: 100 },
      { type: 'PARKING_TIME', price: 2, vat: 20, step_size: 900 },
    ] }] });
    const priced = priceUsage(t, usageOfCdr(t, Cdr.parse(fixture('cdr-tariff-13-three-periods.json')), berlin));
    expect({ net: priced.netMinor, gross: priced.totalMinor }).toEqual({ net: 700, gross: 790 });
    expect(priced.lines.map((l) => [l.kind, l.quantity, l.netMinor, l.amountMinor])).toEqual([['energy', 20000, 500, 550], ['parking', 2700, 150, 180], ['flat', 1, 50, 60]]);
  });

  it('the complex tariff on a Saturday: 12.50 and 14.13 with the station in UTC; in Berlin the parking after 17:00 local is free', () => {
    // Charging 1.9 h at 43 A (MAX_CURRENT wins over MIN_CURRENT): 1.25/h, per 10 min → 2 h = 2.50, × 1.20 = 3.00.
    // Parking 15:24–16:35 UTC (from the timestamps: the period has no volumes), Saturday 10–17 at 6.00/h per 5 min:
    //   UTC: all 71 min → 75 min = 7.50, × 1.10 = 8.25; Berlin (UTC+1): 16:24–17:00 = 36 min → 40 min = 4.00, × 1.10 = 4.40.
    // Start fee 2.50, × 1.15 = 2.875 → 2.88. UTC: 12.50 / 14.13; Berlin: 9.00 / 10.28.
    const t = TariffConfig.parse(fixture('ocpi-tariff-14-complex.json'));
    const record = Cdr.parse(fixture('cdr-tariff-14-saturday.json'));
    const inUtc = priceUsage(t, usageOfCdr(t, record, utc));
    const inBerlin = priceUsage(t, usageOfCdr(t, record, berlin));
    expect({ net: inUtc.netMinor, gross: inUtc.totalMinor }).toEqual({ net: 1250, gross: 1413 });
    expect({ net: inBerlin.netMinor, gross: inBerlin.totalMinor }).toEqual({ net: 900, gross: 1028 });
  });
});

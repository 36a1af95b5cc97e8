// The money rules as the kiosk uses them: rounding vectors worked out by hand, the
// currencies' minor units, the prices shown before start, the hold check, the
// settlement and the controller's backstop. The OCPI worked examples are in
// tariff-engine.test.ts, the invariants in tariff-engine.property.test.ts.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { KioskConfig, TariffConfig } from '../../../electron/config/config-schema.js';
import type { z } from 'zod';
import { energyCoveredWh, projectedCostExceedsHold, sessionCost, settle, tariffView } from '../../../electron/billing/tariff.js';
import { priceUsage, startUsage, usageOfTotals, type TariffUsage } from '../../../electron/billing/tariff-engine.js';
import { LocalTime } from '../../../electron/billing/local-time.js';
import { perMinuteExact } from '../../../electron/contract/price-units.js';

type ComponentInput = z.input<typeof TariffConfig>['elements'][number]['price_components'][number];

/** A tariff through the real schema, so defaults (step_size 1) apply as in production. */
function tariff(currency: string, ...elements: ComponentInput[][]): TariffConfig {
  return TariffConfig.parse({ currency, elements: elements.map((price_components) => ({ price_components })) });
}

const utc = new LocalTime('UTC');
const berlin = new LocalTime('Europe/Berlin');
const START = Date.UTC(2026, 11, 2, 10);
const usage = (u: { energyWh?: number; chargingS?: number; parkingS?: number }): TariffUsage =>
  usageOfTotals(defaults, { start: START, energyWh: u.energyWh ?? 1, chargingS: u.chargingS ?? 0, parkingS: u.parkingS ?? 0 }, utc);
const price = (t: TariffConfig, u: { energyWh?: number; chargingS?: number; parkingS?: number }) =>
  priceUsage(t, usageOfTotals(t, { start: START, energyWh: u.energyWh ?? 1, chargingS: u.chargingS ?? 0, parkingS: u.parkingS ?? 0 }, utc));

const defaults = KioskConfig.parse({}).tariff;
const energyOnly = tariff('EUR', [{ type: 'ENERGY', price: '0.2899', vat: '19' }]);

describe('pricing: vectors worked out by hand', () => {
  it('energy at 0.2899 €/kWh + 19 % VAT, 10 000 Wh: gross 3.44981 → 3.45, net 2.899 → 2.90', () => {
    expect(price(energyOnly, { energyWh: 10_000 })).toMatchObject({ totalMinor: 345, netMinor: 290, vatMinor: 55 });
  });

  it('the default tariff: each line rounded once, the total their sum (the issue found €0.01 + €0.50 = €0.50)', () => {
    const priced = price(defaults, { energyWh: 15 });
    expect(priced.lines.map((l) => [l.kind, l.amountMinor])).toEqual([['energy', 1], ['flat', 50]]);
    expect(priced.totalMinor).toBe(51);
  });

  it('rounds energy up to the step size, once per session', () => {
    const stepped = tariff('EUR', [{ type: 'ENERGY', price: '0.30', step_size: 1000 }]);
    expect(price(stepped, { energyWh: 1 })).toMatchObject({ totalMinor: 30, lines: [{ quantity: 1000 }] });
    expect(price(stepped, { energyWh: 1000 }).totalMinor).toBe(30);
    expect(price(stepped, { energyWh: 1001 }).totalMinor).toBe(60);
  });

  it('prices charging time per hour with a 60 s step, parking only from parking time', () => {
    const timed = tariff('EUR', [{ type: 'TIME', price: '1.20', vat: '19', step_size: 60 }]);
    expect(price(timed, { chargingS: 61 })).toMatchObject({ totalMinor: 5, netMinor: 4, vatMinor: 1, lines: [{ kind: 'time', quantity: 120, unitPrice: '1.428', amountMinor: 5 }] });
    expect(price(timed, { chargingS: 3600 })).toMatchObject({ totalMinor: 143, netMinor: 120, vatMinor: 23 });
    expect(price(timed, { parkingS: 3600 }).totalMinor).toBe(0);
    const parking = tariff('EUR', [{ type: 'PARKING_TIME', price: '6', step_size: 1 }]);
    expect(price(parking, { parkingS: 30, chargingS: 1000 })).toMatchObject({ totalMinor: 5, lines: [{ kind: 'parking', quantity: 30 }] });
  });

  it('rounds an exact half minor unit up, and just under a half down', () => {
    expect(price(tariff('EUR', [{ type: 'ENERGY', price: '0.005' }]), { energyWh: 1000 }).totalMinor).toBe(1);
    expect(price(tariff('EUR', [{ type: 'ENERGY', price: '0.0049' }]), { energyWh: 1000 }).totalMinor).toBe(0);
    expect(price(tariff('EUR', [{ type: 'FLAT', price: '1.005' }]), {}).totalMinor).toBe(101);
  });

  it('prices in yen, which has no minor unit, and in a three-decimal currency', () => {
    const yen = tariff('JPY', [{ type: 'ENERGY', price: '35', vat: '10' }]);
    expect(price(yen, { energyWh: 12_345 })).toMatchObject({ totalMinor: 475, netMinor: 432, vatMinor: 43 }); // 475.2825, 432.075
    expect(price(tariff('KWD', [{ type: 'ENERGY', price: '0.0125' }]), { energyWh: 1000 }).totalMinor).toBe(13);
  });

  it('takes each dimension from the first element that has it, and lists lines in a fixed order', () => {
    const layered = tariff('EUR', [{ type: 'FLAT', price: '1' }, { type: 'PARKING_TIME', price: '1' }], [{ type: 'ENERGY', price: '0.10' }, { type: 'FLAT', price: '9' }], [{ type: 'TIME', price: '1' }]);
    const priced = price(layered, { energyWh: 2000, chargingS: 1800, parkingS: 60 });
    expect(priced.lines.map((l) => [l.kind, l.amountMinor])).toEqual([['energy', 20], ['time', 50], ['parking', 2], ['flat', 100]]);
  });

  it('prices quoted incl. VAT are charged as quoted: 10 kWh at €0.39 incl. cost €3.90', () => {
    const t = tariff('EUR', [{ type: 'ENERGY', price_incl_vat: '0.39', vat: '19' }]);
    expect(price(t, { energyWh: 10_000 })).toMatchObject({ totalMinor: 390, netMinor: 328, vatMinor: 62 });
  });

  it('nothing delivered, nothing charged', () => {
    const cost = sessionCost(defaults, startUsage(START));
    expect(cost).toMatchObject({ noCharge: true, priced: { totalMinor: 0, lines: [] } });
  });
});

describe('the schema', () => {
  it('accepts a full OCPI Tariff object, bookkeeping fields included', () => {
    const parsed = TariffConfig.parse({
      country_code: 'DE',
      party_id: 'ABC',
      id: 'night-2026',
      currency: 'EUR',
      type: 'AD_HOC_PAYMENT',
      tariff_alt_text: [{ language: 'en', text: 'Cheaper at night' }],
      min_price: { excl_vat: 0.5, incl_vat: 0.6 },
      elements: [{ price_components: [{ type: 'ENERGY', price: 0.25, vat: 19, step_size: 1 }], restrictions: { start_time: '22:00', end_time: '06:00', day_of_week: ['MONDAY'] } }],
      last_updated: '2026-11-30T12:00:00Z',
    });
    expect(parsed.elements[0]!.price_components[0]).toEqual({ type: 'ENERGY', price: '0.25', vat: '19', step_size: 1 });
  });

  it('refuses what it cannot price, with the path', () => {
    const refuse = (input: unknown) => TariffConfig.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(refuse({ currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 1, price_incl_vat: 1.19 }] }] })).toEqual(['elements.0.price_components.0.price: give exactly one of price (excl. VAT) and price_incl_vat']);
    expect(refuse({ currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 1 }], restrictions: { start_time: '24:00' } }] })?.[0]).toMatch(/^elements\.0\.restrictions\.start_time: a time of day/);
    expect(refuse({ currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: -1 }] }] })?.[0]).toMatch(/^elements\.0\.price_components\.0\.price/);
    expect(refuse({ currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 1 }], restrictions: { start_date: '2026-02-30' } }] })?.[0]).toMatch(/not a calendar date/);
  });

  it('a connector overrides the station tariff; the time zone is checked', () => {
    const config = KioskConfig.parse({ connectors: [{ id: 1, label: 'A', tariff: { currency: 'EUR', elements: [{ price_components: [{ type: 'TIME', price: 3 }] }] } }, { id: 2, label: 'B' }] });
    expect(config.connectors[0]!.tariff?.elements[0]!.price_components[0]!.type).toBe('TIME');
    expect(config.connectors[1]!.tariff).toBeUndefined();
    expect(config.station.timeZone).toBe('Europe/Berlin');
    expect(KioskConfig.safeParse({ station: { timeZone: 'Mars/Olympus' } }).error?.issues[0]?.message).toMatch(/unknown time zone "Mars\/Olympus"/);
  });
});

describe('tariffView: the prices before start', () => {
  const view = (t: TariffConfig, now = START, zone = utc) => tariffView(t, { holdMinor: 5000, zone, now, maxPowerW: 11_000, maxCurrentA: 48 });

  it('shows gross unit prices to the precision the operator set; a session fee as it is charged (the issue: "€0.4998 per session")', () => {
    expect(view(defaults)).toMatchObject({
      currency: 'EUR',
      vatPercent: '19',
      holdMinor: 5000,
      lines: [
        { kind: 'energy', price: '0.3450', unit: 'kWh' },
        { kind: 'flat', price: '0.50', unit: 'session' },
      ],
      changes: [],
      minPriceMinor: null,
      maxPriceMinor: null,
    });
  });

  it('orders per kWh, per minute, per session, idle fee; per minute where that is exact, else per hour', () => {
    const t = tariff('EUR', [{ type: 'PARKING_TIME', price: '6', vat: '0' }, { type: 'FLAT', price: '1' }, { type: 'TIME', price: '1' }, { type: 'ENERGY', price: '0.30' }]);
    expect(view(t).lines).toEqual([
      { kind: 'energy', price: '0.30', unit: 'kWh' },
      { kind: 'time', price: '1.00', unit: 'hour' }, // 1/60 per minute is not exact
      { kind: 'flat', price: '1.00', unit: 'session' },
      { kind: 'parking', price: '0.10', unit: 'minute' },
    ]);
  });

  it('keeps yen prices whole unless VAT makes a fraction', () => {
    const yen = tariff('JPY', [{ type: 'ENERGY', price: '35', vat: '10' }, { type: 'FLAT', price: '100', vat: '10' }]);
    expect(view(yen).lines.map((l) => l.price)).toEqual(['38.5', '110']);
  });

  it('says when the price changes during a typical session: "from 22:00 €0.29/kWh", in the station time zone', () => {
    const night = TariffConfig.parse({
      currency: 'EUR',
      elements: [
        { price_components: [{ type: 'ENERGY', price_incl_vat: 0.29, vat: 19 }], restrictions: { start_time: '22:00', end_time: '06:00' } },
        { price_components: [{ type: 'ENERGY', price_incl_vat: 0.39, vat: 19 }, { type: 'PARKING_TIME', price_incl_vat: 6, vat: 19, step_size: 60 }], restrictions: { max_duration: 7200 } },
        { price_components: [{ type: 'ENERGY', price_incl_vat: 0.49, vat: 19 }] },
      ],
    });
    // 20:30 Berlin: the day price, from 22:00 the night price; after two hours the idle fee ends.
    const at2030 = view(night, Date.UTC(2026, 11, 2, 19, 30), berlin);
    expect(at2030.lines).toEqual([{ kind: 'energy', price: '0.39', unit: 'kWh' }, { kind: 'parking', price: '0.10', unit: 'minute' }]);
    expect(at2030.changes.map((c) => [c.kind, c.price, c.fromTime, c.afterMinutes, c.free])).toEqual([
      ['energy', '0.29', '22:00', null, false],
      ['parking', '0.00', null, 120, true],
    ]);
    // At 23:00 the night price applies now, and the day returns only after the typical session.
    expect(view(night, Date.UTC(2026, 11, 2, 22), berlin).lines[0]).toEqual({ kind: 'energy', price: '0.29', unit: 'kWh' });
  });

  it('shows a minimum and a maximum price incl. VAT', () => {
    const bounded = TariffConfig.parse({ currency: 'EUR', min_price: { excl_vat: 1 }, max_price: { excl_vat: 20, incl_vat: 23.8 }, elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, vat: 19 }] }] });
    expect(view(bounded)).toMatchObject({ minPriceMinor: 119, maxPriceMinor: 2380 });
  });
});

describe('projectedCostExceedsHold', () => {
  const half = tariff('EUR', [{ type: 'ENERGY', price: '0.50' }]);
  const at = (energyWh: number) => usageOfTotals(half, { start: START, energyWh, chargingS: 60, parkingS: 0 }, utc);
  // 11 kW for 2.5 s = 7.64 Wh → 8 Wh projected; limit 50.00 €.
  const check = (energyWh: number) => projectedCostExceedsHold({ tariff: half, usage: at(energyWh), powerW: 11_000, lookaheadS: 2.5, limitMinor: 5000, zone: utc });

  it('stops only when the rounded projection passes the limit', () => {
    expect(check(99_000)).toBe(false); // 99 008 Wh → 49.504 → 4950
    expect(check(100_001)).toBe(false); // 100 009 Wh → 50.0045 → 5000, not above
    expect(check(100_002)).toBe(true); // 100 010 Wh → 50.005 → 5001
  });

  it('projects charging time by the lookahead', () => {
    const timed = tariff('EUR', [{ type: 'TIME', price: '36' }]); // 1 cent per second
    const stops = (chargingS: number) =>
      projectedCostExceedsHold({ tariff: timed, usage: usageOfTotals(timed, { start: START, energyWh: 1, chargingS, parkingS: 0 }, utc), powerW: 0, lookaheadS: 2.5, limitMinor: 100, zone: utc });
    expect(stops(97)).toBe(false); // 97 + 2.5 = 99.5 s → 100
    expect(stops(98)).toBe(true); // 100.5 s → 101
  });

  it('rejects a negative or non-finite power or lookahead', () => {
    const args = { tariff: half, usage: usage({}), powerW: 1, lookaheadS: 1, limitMinor: 1, zone: utc };
    expect(() => projectedCostExceedsHold({ ...args, powerW: -1 })).toThrow(TypeError);
    expect(() => projectedCostExceedsHold({ ...args, powerW: Number.NaN })).toThrow(TypeError);
    expect(() => projectedCostExceedsHold({ ...args, lookaheadS: Number.POSITIVE_INFINITY })).toThrow(TypeError);
  });

  it('is monotone in power: if it stops at some power it stops at any higher power', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 0, max: 50_000 }), (energyWh, p1, p2) => {
        const [low, high] = p1 <= p2 ? [p1, p2] : [p2, p1];
        const stops = (powerW: number) => projectedCostExceedsHold({ tariff: defaults, usage: usageOfTotals(defaults, { start: START, energyWh, chargingS: 600, parkingS: 0 }, utc), powerW, lookaheadS: 2.5, limitMinor: 5000, zone: utc });
        if (stops(low)) expect(stops(high)).toBe(true);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('settle', () => {
  it('captures the price within the authorisation, caps above it and writes off the rest', () => {
    expect(settle(1234, 5000)).toEqual({ capturedMinor: 1234, writtenOffMinor: 0 });
    expect(settle(5001, 5000)).toEqual({ capturedMinor: 5000, writtenOffMinor: 1 });
  });

  it('rejects amounts that are not non-negative integers', () => {
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => settle(bad, 1)).toThrow(TypeError);
  });
});

describe('energyCoveredWh (the controller backstop)', () => {
  it('is the energy the limit pays for at the cheapest energy price: charging never stops early on it', () => {
    // 50.00 / 0.344981 per kWh = 144.9358 kWh
    expect(energyCoveredWh(defaults, 5000)).toBe(144_935);
    const night = TariffConfig.parse({
      currency: 'EUR',
      elements: [
        { price_components: [{ type: 'ENERGY', price_incl_vat: 0.25 }], restrictions: { start_time: '22:00', end_time: '06:00' } },
        { price_components: [{ type: 'ENERGY', price_incl_vat: 0.5 }] },
      ],
    });
    expect(energyCoveredWh(night, 5000)).toBe(200_000);
    // A tariff whose energy is free somewhere (an element without an energy price) sets no limit.
    expect(energyCoveredWh(tariff('EUR', [{ type: 'TIME', price: '3' }]), 5000)).toBe(1_000_000);
    // An idle fee in an element of its own does not lift the energy limit (energy prices skip it).
    expect(energyCoveredWh(tariff('EUR', [{ type: 'ENERGY', price_incl_vat: '0.5' }], [{ type: 'PARKING_TIME', price: '6' }]), 5000)).toBe(100_000);
    // Energy priced only at night is free by day: no limit.
    expect(energyCoveredWh(TariffConfig.parse({ currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: 0.3 }], restrictions: { start_time: '22:00', end_time: '06:00' } }] }), 5000)).toBe(1_000_000);
  });
});

describe('perMinuteExact (one rule for the screens, the receipt and the brain)', () => {
  it('gives a price per minute only when it is exact to two digits more than the hourly price', () => {
    expect(perMinuteExact('0.60', 2)).toBe('0.01');
    expect(perMinuteExact('6', 2)).toBe('0.10');
    expect(perMinuteExact('1.00', 2)).toBeNull(); // 0.016666…
    expect(perMinuteExact('1.2', 2)).toBe('0.02');
    expect(perMinuteExact('3', 0)).toBe('0.05');
    expect(perMinuteExact('abc', 2)).toBeNull();
  });
});

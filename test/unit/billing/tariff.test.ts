import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { KioskConfig, TariffConfig } from '../../../electron/config/config-schema.js';
import type { z } from 'zod';
import {
  energyCoveredWh,
  priceSession,
  projectedCostExceedsHold,
  settle,
  tariffView,
  type Usage,
} from '../../../electron/billing/tariff.js';
import { currencyExponent } from '../../../electron/billing/decimal.js';

type ComponentInput = z.input<typeof TariffConfig>['elements'][number]['price_components'][number];

/** A tariff through the real schema, so defaults (step_size 1) apply as in production. */
function tariff(currency: string, ...elements: ComponentInput[][]): TariffConfig {
  return TariffConfig.parse({ currency, elements: elements.map((price_components) => ({ price_components })) });
}

const usage = (u: Partial<Usage>): Usage => ({ energyWh: 0, chargingS: 0, parkingS: 0, ...u });

const energyOnly = tariff('EUR', [{ type: 'ENERGY', price: '0.2899', vat: '19' }]);
const withFlat = tariff('EUR', [
  { type: 'ENERGY', price: '0.2899', vat: '19' },
  { type: 'FLAT', price: '0.42', vat: '19' },
]);

describe('priceSession: vectors worked out by hand', () => {
  it('energy at 0.2899 €/kWh + 19 % VAT, 10 000 Wh', () => {
    // net   = 10 kWh × 0.2899           = 2.899   → 2.90 (290)
    // gross = 2.899 × 1.19              = 3.44981 → 3.45 (345)
    // vat   = 345 − 290                 = 55
    expect(priceSession(energyOnly, usage({ energyWh: 10_000 }))).toEqual({
      currency: 'EUR',
      totalMinor: 345,
      netMinor: 290,
      vatMinor: 55,
      lines: [{ kind: 'energy', quantity: 10_000, amountMinor: 345 }],
    });
  });

  it('adds a flat fee, rounding the sum once', () => {
    // net   = 2.899 + 0.42             = 3.319   → 3.32 (332)
    // gross = 3.44981 + 0.42 × 1.19     = 3.44981 + 0.4998 = 3.94961 → 3.95 (395)
    // vat   = 395 − 332 = 63; lines: energy 3.44981 → 345, flat 0.4998 → 50 (345 + 50 = 395)
    const priced = priceSession(withFlat, usage({ energyWh: 10_000 }));
    expect(priced).toMatchObject({ totalMinor: 395, netMinor: 332, vatMinor: 63 });
    expect(priced.lines).toEqual([
      { kind: 'energy', quantity: 10_000, amountMinor: 345 },
      { kind: 'flat', quantity: 1, amountMinor: 50 },
    ]);
  });

  it('charges only the flat fee for a session with no usage (FLAT applies from the start)', () => {
    // net 0.42 → 42; gross 0.4998 → 50; vat 8; the energy line is there with 0.
    const priced = priceSession(withFlat, usage({}));
    expect(priced).toMatchObject({ totalMinor: 50, netMinor: 42, vatMinor: 8 });
    expect(priced.lines).toEqual([
      { kind: 'energy', quantity: 0, amountMinor: 0 },
      { kind: 'flat', quantity: 1, amountMinor: 50 },
    ]);
  });

  it('rounds energy up to the step size', () => {
    const stepped = tariff('EUR', [{ type: 'ENERGY', price: '0.30', step_size: 1000 }]);
    // 1 Wh → billed 1000 Wh → 1 kWh × 0.30 = 0.30; no vat given → no VAT.
    expect(priceSession(stepped, usage({ energyWh: 1 }))).toMatchObject({ totalMinor: 30, netMinor: 30, vatMinor: 0 });
    expect(priceSession(stepped, usage({ energyWh: 1 })).lines[0]?.quantity).toBe(1000);
    // 1000 Wh stays 1000; 1001 Wh → 2000 Wh → 0.60; 0 Wh → 0.
    expect(priceSession(stepped, usage({ energyWh: 1000 })).totalMinor).toBe(30);
    expect(priceSession(stepped, usage({ energyWh: 1001 })).totalMinor).toBe(60);
    expect(priceSession(stepped, usage({ energyWh: 0 })).totalMinor).toBe(0);
  });

  it('prices charging time per hour with a 60 s step', () => {
    const timed = tariff('EUR', [{ type: 'TIME', price: '1.20', vat: '19', step_size: 60 }]);
    // 61 s → 120 s; net 120/3600 × 1.20 = 0.04 → 4; gross 0.0476 → 5; vat 1.
    expect(priceSession(timed, usage({ chargingS: 61 }))).toMatchObject({ totalMinor: 5, netMinor: 4, vatMinor: 1 });
    expect(priceSession(timed, usage({ chargingS: 61 })).lines).toEqual([{ kind: 'time', quantity: 120, amountMinor: 5 }]);
    // 1 h: net 1.20; gross 1.428 → 1.43; vat 0.23.
    expect(priceSession(timed, usage({ chargingS: 3600 }))).toMatchObject({ totalMinor: 143, netMinor: 120, vatMinor: 23 });
    // Parking time does not count as charging time.
    expect(priceSession(timed, usage({ parkingS: 3600 })).totalMinor).toBe(0);
  });

  it('prices parking time from parking seconds only', () => {
    const parking = tariff('EUR', [{ type: 'PARKING_TIME', price: '6.00' }]);
    // 30 s × 6.00 / 3600 = 0.05 → 5.
    expect(priceSession(parking, usage({ parkingS: 30, chargingS: 1000 }))).toMatchObject({ totalMinor: 5 });
    expect(priceSession(parking, usage({ parkingS: 30 })).lines).toEqual([{ kind: 'parking', quantity: 30, amountMinor: 5 }]);
  });

  it('rounds an exact half minor unit up', () => {
    // 1 kWh × 0.005 = 0.005 € = 0.5 cent exactly → 1 cent.
    expect(priceSession(tariff('EUR', [{ type: 'ENERGY', price: '0.005' }]), usage({ energyWh: 1000 })).totalMinor).toBe(1);
    // 0.0049 € → 0.49 cent → 0.
    expect(priceSession(tariff('EUR', [{ type: 'ENERGY', price: '0.0049' }]), usage({ energyWh: 1000 })).totalMinor).toBe(0);
    // FLAT 1.005: a float computes 1.005 × 100 = 100.4999… and would round down; exactly 100.5 → 101.
    expect(priceSession(tariff('EUR', [{ type: 'FLAT', price: '1.005' }]), usage({})).totalMinor).toBe(101);
    // A half in the gross only: 0.10 + 5 % = 0.105 → 10.5 cent → 11; net 10; vat 1.
    expect(priceSession(tariff('EUR', [{ type: 'FLAT', price: '0.10', vat: '5' }]), usage({}))).toMatchObject({
      totalMinor: 11,
      netMinor: 10,
      vatMinor: 1,
    });
  });

  it('rounds the sums once, not each line: lines may not add up to the total', () => {
    const tiny = tariff('EUR', [
      { type: 'ENERGY', price: '0.003' },
      { type: 'FLAT', price: '0.003' },
    ]);
    // energy 1 kWh × 0.003 = 0.3 cent, flat 0.3 cent: each line rounds to 0,
    // but the session costs 0.6 cent → 1 cent, net 1, VAT 0. The total is authoritative.
    const priced = priceSession(tiny, usage({ energyWh: 1000 }));
    expect(priced).toMatchObject({ totalMinor: 1, netMinor: 1, vatMinor: 0 });
    expect(priced.lines.map((l) => l.amountMinor)).toEqual([0, 0]);
  });

  it('prices in yen, which has no minor unit', () => {
    const yen = tariff('JPY', [
      { type: 'ENERGY', price: '35', vat: '10' },
      { type: 'FLAT', price: '100', vat: '10' },
    ]);
    // energy: net 12.345 × 35 = 432.075; gross 475.2825
    // flat:   net 100;                   gross 110
    // total = round(585.2825) = 585; net = round(532.075) = 532; vat 53; lines 475 and 110.
    const priced = priceSession(yen, usage({ energyWh: 12_345 }));
    expect(priced).toMatchObject({ currency: 'JPY', totalMinor: 585, netMinor: 532, vatMinor: 53 });
    expect(priced.lines.map((l) => l.amountMinor)).toEqual([475, 110]);
  });

  it('prices in a three-decimal currency', () => {
    // 1 kWh × 0.0125 KWD = 0.0125 → 12.5 fils → 13.
    expect(priceSession(tariff('KWD', [{ type: 'ENERGY', price: '0.0125' }]), usage({ energyWh: 1000 })).totalMinor).toBe(13);
  });

  it('takes each component type from the first element that has it', () => {
    const layered = tariff(
      'EUR',
      [{ type: 'ENERGY', price: '0.30' }],
      [
        { type: 'ENERGY', price: '0.90' },
        { type: 'TIME', price: '1.00' },
      ],
    );
    // energy 2 kWh × 0.30 = 0.60 (not 0.90); time 0.5 h × 1.00 = 0.50; total 1.10.
    const priced = priceSession(layered, usage({ energyWh: 2000, chargingS: 1800 }));
    expect(priced.totalMinor).toBe(110);
    expect(priced.lines).toEqual([
      { kind: 'energy', quantity: 2000, amountMinor: 60 },
      { kind: 'time', quantity: 1800, amountMinor: 50 },
    ]);
  });

  it('lists lines in a fixed order whatever the tariff order', () => {
    const reversed = tariff('EUR', [
      { type: 'FLAT', price: '1' },
      { type: 'PARKING_TIME', price: '1' },
      { type: 'TIME', price: '1' },
      { type: 'ENERGY', price: '1' },
    ]);
    expect(priceSession(reversed, usage({})).lines.map((l) => l.kind)).toEqual(['energy', 'time', 'parking', 'flat']);
  });

  it('throws TypeError for usage that is not non-negative integers', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '5' as unknown as number]) {
      expect(() => priceSession(energyOnly, usage({ energyWh: bad })), String(bad)).toThrow(TypeError);
      expect(() => priceSession(energyOnly, usage({ chargingS: bad })), String(bad)).toThrow(TypeError);
      expect(() => priceSession(energyOnly, usage({ parkingS: bad })), String(bad)).toThrow(TypeError);
    }
    expect(() => priceSession(energyOnly, null as unknown as Usage)).toThrow(TypeError);
  });
});

describe('tariffView', () => {
  it('shows prices incl. VAT, exact, with at least the minor digits', () => {
    // 0.2899 × 1.19 = 0.344981; 0.42 × 1.19 = 0.4998.
    expect(tariffView(withFlat, 5000)).toEqual({
      currency: 'EUR',
      vatPercent: '19',
      holdMinor: 5000,
      lines: [
        { kind: 'energy', price: '0.344981', unit: 'kWh' },
        { kind: 'flat', price: '0.4998', unit: 'session' },
      ],
    });
  });

  it('pads to the minor digits and trims the rest', () => {
    const t = tariff('EUR', [
      { type: 'TIME', price: '0.5' },
      { type: 'PARKING_TIME', price: '3', vat: '0' },
      { type: 'FLAT', price: '1.000000' },
    ]);
    expect(tariffView(t, 100).lines).toEqual([
      { kind: 'time', price: '0.50', unit: 'hour' },
      { kind: 'parking', price: '3.00', unit: 'hour' },
      { kind: 'flat', price: '1.00', unit: 'session' },
    ]);
    expect(tariffView(t, 100).vatPercent).toBe('0');
  });

  it('keeps yen prices whole unless VAT makes a fraction', () => {
    const yen = tariff('JPY', [
      { type: 'ENERGY', price: '35', vat: '10' },
      { type: 'FLAT', price: '100', vat: '10' },
    ]);
    // 35 × 1.1 = 38.5; 100 × 1.1 = 110.
    expect(tariffView(yen, 5000).lines.map((l) => l.price)).toEqual(['38.5', '110']);
  });

  it('rounds a price that needs more than 6 decimals half up at the 6th', () => {
    // 0.123457 × 1.19 = 0.14691383 → 0.146914
    const t = tariff('EUR', [{ type: 'ENERGY', price: '0.123457', vat: '19' }]);
    expect(tariffView(t, 100).lines[0]?.price).toBe('0.146914');
  });

  it("shows the energy component's VAT rate when rates differ", () => {
    const mixed = tariff('EUR', [
      { type: 'FLAT', price: '1', vat: '7' },
      { type: 'ENERGY', price: '0.3', vat: '19.0' },
    ]);
    expect(tariffView(mixed, 100).vatPercent).toBe('19');
    expect(tariffView(tariff('EUR', [{ type: 'FLAT', price: '1', vat: '7.5' }]), 100).vatPercent).toBe('7.5');
  });
});

describe('projectedCostExceedsHold: vectors', () => {
  const half = tariff('EUR', [{ type: 'ENERGY', price: '0.50' }]);
  // 11 kW for 2.5 s = 7.64 Wh → 8 Wh projected; limit 50.00 €.
  const check = (energyWh: number) =>
    projectedCostExceedsHold({ tariff: half, usage: usage({ energyWh }), powerW: 11_000, lookaheadS: 2.5, limitMinor: 5000 });

  it('stops only when the rounded projection passes the limit', () => {
    expect(check(99_000)).toBe(false); // 99 008 Wh → 49.504 → 4950
    expect(check(100_001)).toBe(false); // 100 009 Wh → 50.0045 → 5000, not above
    expect(check(100_002)).toBe(true); // 100 010 Wh → 50.005 → 5001
  });

  it('projects charging time by the lookahead, rounded up', () => {
    const timed = tariff('EUR', [{ type: 'TIME', price: '36' }]); // 1 cent per second
    const at = (chargingS: number) =>
      projectedCostExceedsHold({ tariff: timed, usage: usage({ chargingS }), powerW: 0, lookaheadS: 2.5, limitMinor: 100 });
    expect(at(97)).toBe(false); // 97 + 3 = 100 s → 100
    expect(at(98)).toBe(true); // 101 s → 101
  });

  it('rejects a negative or non-finite power or lookahead', () => {
    const args = { tariff: half, usage: usage({}), powerW: 1, lookaheadS: 1, limitMinor: 1 };
    expect(() => projectedCostExceedsHold({ ...args, powerW: -1 })).toThrow(TypeError);
    expect(() => projectedCostExceedsHold({ ...args, powerW: Number.NaN })).toThrow(TypeError);
    expect(() => projectedCostExceedsHold({ ...args, lookaheadS: Number.POSITIVE_INFINITY })).toThrow(TypeError);
  });
});

describe('settle: vectors', () => {
  it('captures the price when it is within the authorisation', () => {
    expect(settle(395, 5000)).toEqual({ capturedMinor: 395, writtenOffMinor: 0 });
    expect(settle(5000, 5000)).toEqual({ capturedMinor: 5000, writtenOffMinor: 0 });
    expect(settle(0, 5000)).toEqual({ capturedMinor: 0, writtenOffMinor: 0 });
  });

  it('caps at the authorisation and writes off the rest', () => {
    expect(settle(5012, 5000)).toEqual({ capturedMinor: 5000, writtenOffMinor: 12 });
  });

  it('rejects amounts that are not non-negative integers', () => {
    expect(() => settle(-1, 5000)).toThrow(TypeError);
    expect(() => settle(1.5, 5000)).toThrow(TypeError);
    expect(() => settle(100, Number.NaN)).toThrow(TypeError);
  });
});

// --- properties -----------------------------------------------------------

const decimalString = (maxWhole: number) =>
  fc
    .tuple(fc.nat(maxWhole), fc.nat(6), fc.nat(999_999))
    .map(([whole, places, frac]) => (places === 0 ? String(whole) : `${whole}.${String(frac % 10 ** places).padStart(places, '0')}`));

const componentArb: fc.Arbitrary<ComponentInput> = fc.record(
  {
    type: fc.constantFrom('ENERGY', 'TIME', 'PARKING_TIME', 'FLAT'),
    price: decimalString(1000),
    vat: decimalString(100),
    step_size: fc.integer({ min: 1, max: 3600 }),
  },
  { requiredKeys: ['type', 'price', 'step_size'] },
);

const tariffArb: fc.Arbitrary<TariffConfig> = fc
  .tuple(
    fc.constantFrom('EUR', 'JPY', 'KWD', 'USD', 'CHF'),
    fc.array(fc.array(componentArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
  )
  .map(([currency, elements]) => tariff(currency, ...elements));

const MAX = 100_000_000; // 100 MWh, three years: far beyond any session
const usageArb: fc.Arbitrary<Usage> = fc.record({ energyWh: fc.nat(MAX), chargingS: fc.nat(MAX), parkingS: fc.nat(MAX) });

describe('priceSession: properties', () => {
  it('never throws for valid usage; total = net + VAT; nothing is negative', () => {
    fc.assert(
      fc.property(tariffArb, usageArb, (t, u) => {
        const p = priceSession(t, u);
        expect(p.totalMinor).toBe(p.netMinor + p.vatMinor);
        expect(p.netMinor).toBeGreaterThanOrEqual(0);
        expect(p.vatMinor).toBeGreaterThanOrEqual(0);
        for (const line of p.lines) expect(line.amountMinor).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('is monotone non-decreasing in energy, charging time and parking time', () => {
    fc.assert(
      fc.property(tariffArb, usageArb, fc.nat(MAX), fc.constantFrom('energyWh', 'chargingS', 'parkingS'), (t, u, more, key) => {
        const before = priceSession(t, u);
        const after = priceSession(t, { ...u, [key]: u[key as keyof Usage] + more });
        expect(after.totalMinor).toBeGreaterThanOrEqual(before.totalMinor);
        expect(after.netMinor).toBeGreaterThanOrEqual(before.netMinor);
      }),
    );
  });

  it('rounds once: the total is within half a minor unit of a float estimate, lines within half a unit each', () => {
    fc.assert(
      fc.property(tariffArb, usageArb, (t, u) => {
        const p = priceSession(t, u);
        const scale = 10 ** currencyExponent(t.currency);
        let gross = 0;
        for (const line of p.lines) {
          const c = t.elements.flatMap((e) => e.price_components).find((x) => kindOf(x.type) === line.kind)!;
          const per = { ENERGY: 1000, TIME: 3600, PARKING_TIME: 3600, FLAT: 1 }[c.type];
          gross += (line.quantity / per) * Number(c.price) * (1 + Number(c.vat ?? '0') / 100) * scale;
        }
        // The float estimate is off by a relative 1e-12 or so; the exact total by at most 0.5.
        expect(Math.abs(p.totalMinor - gross)).toBeLessThanOrEqual(0.5 + gross * 1e-9);
        const linesSum = p.lines.reduce((s, l) => s + l.amountMinor, 0);
        expect(Math.abs(linesSum - p.totalMinor)).toBeLessThanOrEqual(Math.floor((p.lines.length + 1) / 2));
      }),
    );
  });

  it('throws TypeError for negative, NaN, infinite or fractional usage', () => {
    const bad = fc.oneof(
      fc.integer({ max: -1 }),
      fc.constant(Number.NaN),
      fc.constant(Number.POSITIVE_INFINITY),
      fc.double({ min: 0, max: 1e6, noNaN: true }).filter((x) => !Number.isInteger(x)),
    );
    fc.assert(
      fc.property(tariffArb, usageArb, bad, fc.constantFrom('energyWh', 'chargingS', 'parkingS'), (t, u, value, key) => {
        expect(() => priceSession(t, { ...u, [key]: value })).toThrow(TypeError);
      }),
    );
  });
});

function kindOf(type: string): string {
  return { ENERGY: 'energy', TIME: 'time', PARKING_TIME: 'parking', FLAT: 'flat' }[type] ?? '';
}

describe('projectedCostExceedsHold: properties', () => {
  const args = fc.record({
    tariff: tariffArb,
    usage: fc.record({ energyWh: fc.nat(200_000), chargingS: fc.nat(86_400), parkingS: fc.nat(86_400) }),
    lookaheadS: fc.double({ min: 0, max: 40, noNaN: true }),
    limitMinor: fc.nat(1_000_000),
  });
  const power = fc.double({ min: 0, max: 400_000, noNaN: true });

  it('is monotone in power: if it stops at some power it stops at any higher power', () => {
    fc.assert(
      fc.property(args, power, power, (a, p1, p2) => {
        const [low, high] = p1 <= p2 ? [p1, p2] : [p2, p1];
        if (projectedCostExceedsHold({ ...a, powerW: low })) expect(projectedCostExceedsHold({ ...a, powerW: high })).toBe(true);
      }),
    );
  });

  it('stops whenever the cost so far already passes the limit', () => {
    fc.assert(
      fc.property(args, power, (a, p) => {
        if (priceSession(a.tariff, a.usage).totalMinor > a.limitMinor) expect(projectedCostExceedsHold({ ...a, powerW: p })).toBe(true);
      }),
    );
  });
});

describe('settle: properties', () => {
  it('never captures more than authorised, and captured + written off = priced', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.nat(10_000_000), (priced, authorized) => {
        const { capturedMinor, writtenOffMinor } = settle(priced, authorized);
        expect(capturedMinor).toBeLessThanOrEqual(authorized);
        expect(capturedMinor).toBeLessThanOrEqual(priced);
        expect(capturedMinor).toBeGreaterThanOrEqual(0);
        expect(writtenOffMinor).toBeGreaterThanOrEqual(0);
        expect(capturedMinor + writtenOffMinor).toBe(priced);
        expect(writtenOffMinor > 0).toBe(priced > authorized);
      }),
    );
  });
});

describe('energyCoveredWh (the controller backstop)', () => {
  it('is the most energy whose price stays within the limit', () => {
    const tariff = KioskConfig.parse({}).tariff;
    const wh = energyCoveredWh(tariff, 5000);
    // (50.00 − 0.4998 flat) / 0.344981 per kWh ≈ 143.49 kWh
    expect(wh).toBeGreaterThan(143_000);
    expect(wh).toBeLessThan(144_000);
    expect(priceSession(tariff, { energyWh: wh, chargingS: 0, parkingS: 0 }).totalMinor).toBeLessThanOrEqual(5000);
    expect(priceSession(tariff, { energyWh: wh + 1, chargingS: 0, parkingS: 0 }).totalMinor).toBeGreaterThan(5000);
    expect(energyCoveredWh(tariff, 10)).toBe(0); // the flat fee alone is more
  });
});

// What the screens say about prices and costs, from the English catalogue: the price
// list (what applies now, how it changes, the bounds), the summary's cost lines and VAT
// rows, and the number formats under them.
import { describe, it, expect } from 'vitest';
import type { CostLine, PriceChange, PriceLine } from '../../../electron/contract/index.js';
import { makeUnitFormats, type UnitFormats } from '../../../renderer/src/format/format.js';
import { costLineLabel, mainPrice, priceChangeText, priceLineText, samePrices, unitPriceText, vatRateLabel } from '../../../renderer/src/format/price-text.js';
import { initI18n } from '../../../renderer/src/i18n/i18n.js';

const i18n = initI18n();
const t = i18n.t.bind(i18n);

function formats(locale = 'en', currency = 'EUR'): UnitFormats {
  return makeUnitFormats(locale, currency, (key, options) => t(key, options));
}
const f = formats();

const change = (c: Partial<PriceChange>): PriceChange => ({
  kind: 'energy',
  price: '0.29',
  unit: 'kWh',
  fromTime: null,
  afterMinutes: null,
  afterKwh: null,
  free: false,
  ...c,
});

const costLine = (c: Partial<CostLine>): CostLine => ({
  kind: 'energy',
  quantity: 5_500,
  unit: 'kWh',
  unitPrice: '0.29',
  vatPercent: '19',
  amountMinor: 160,
  netMinor: 134,
  vatMinor: 26,
  ...c,
});

describe('formats', () => {
  it('shows a unit price to the precision given, never fewer digits than money', () => {
    expect(f.price('0.3450')).toBe('€0.3450');
    expect(f.price('0.29')).toBe('€0.29');
    expect(f.price('6')).toBe('€6.00');
    expect(f.price('0.123456789')).toBe('€0.123456789');
    expect(formats('de').price('0.3450')).toBe('0,3450\u00a0€');
    expect(formats('en', 'JPY').price('53')).toBe('¥53');
  });

  it('rounds energy once, half up to 0.01 kWh (kwhText), and writes it in the locale', () => {
    expect(f.kwh(15)).toBe('0.02');
    expect(f.kwh(14)).toBe('0.01');
    expect(f.kwh(5_499.6)).toBe('5.50');
    expect(f.kwh(1_234_565)).toBe('1,234.57');
    expect(formats('de').kwh(12_345)).toBe('12,35');
    expect(f.energy(5_500)).toBe('5.50 kWh');
  });

  it('turns a price per hour into one per minute only when that is exact', () => {
    expect(f.perMinute('0.60')).toBe('0.01');
    expect(f.perMinute('6.00')).toBe('0.10');
    expect(f.perMinute('0.3450')).toBe('0.00575');
    expect(f.perMinute('0.70')).toBeNull();
    expect(formats('en', 'JPY').perMinute('60')).toBe('1');
  });
});

describe('the price list', () => {
  it('lists each component with its unit', () => {
    const lines: PriceLine[] = [
      { kind: 'energy', price: '0.3450', unit: 'kWh' },
      { kind: 'time', price: '0.01', unit: 'minute' },
      { kind: 'flat', price: '0.50', unit: 'session' },
      { kind: 'parking', price: '0.10', unit: 'minute' },
      { kind: 'parking', price: '0.70', unit: 'hour' },
    ];
    expect(lines.map((line) => priceLineText(t, f, line))).toEqual([
      '€0.3450 per kWh',
      '€0.01 per minute of charging',
      '€0.50 per session',
      'Idle fee €0.10 per minute after charging',
      'Idle fee €0.70 per hour after charging',
    ]);
  });

  it('says when a price changes, and to what, in one short line', () => {
    expect(priceChangeText(t, f, change({ fromTime: '22:00' }))).toBe('from 22:00 €0.29/kWh');
    expect(priceChangeText(t, f, change({ afterMinutes: 60, price: '0.40' }))).toBe('after 60 min €0.40/kWh');
    expect(priceChangeText(t, f, change({ afterKwh: '1', price: '0.40' }))).toBe('after 1.00 kWh €0.40/kWh');
    expect(priceChangeText(t, f, change({ afterKwh: '20.005', price: '0.40' }))).toBe('after 20.01 kWh €0.40/kWh');
    expect(priceChangeText(t, f, change({ kind: 'time', price: '0.02', unit: 'minute', afterMinutes: 120 }))).toBe('after 120 min €0.02/min of charging');
    expect(priceChangeText(t, f, change({ kind: 'parking', price: '0.20', unit: 'minute', fromTime: '08:00' }))).toBe('from 08:00 idle fee €0.20/min');
    expect(priceChangeText(t, f, change({ kind: 'parking', price: '0', unit: 'minute', fromTime: '20:00', free: true }))).toBe('from 20:00 no idle fee');
    expect(priceChangeText(t, f, change({ fromTime: '00:00', price: '0', free: true }))).toBe('from 00:00 energy free of charge');
  });

  it('tells a connector with prices of its own by its main price', () => {
    const station = { currency: 'EUR', vatPercent: '19', lines: [{ kind: 'energy' as const, price: '0.39', unit: 'kWh' as const }], changes: [], minPriceMinor: null, maxPriceMinor: null, holdMinor: 5000 };
    expect(samePrices(station, { ...station })).toBe(true);
    const own = { ...station, lines: [{ kind: 'flat' as const, price: '1.00', unit: 'session' as const }, { kind: 'energy' as const, price: '0.49', unit: 'kWh' as const }] };
    expect(samePrices(station, own)).toBe(false);
    expect(mainPrice(t, f, own)).toBe('€0.49/kWh');
    expect(mainPrice(t, f, { ...own, lines: [] })).toBeNull();
  });
});

describe('the summary', () => {
  it('gives each cost line its quantity and unit price; the adjustments by name', () => {
    expect(costLineLabel(t, f, costLine({}))).toBe('Energy 5.50 kWh × €0.29/kWh');
    expect(costLineLabel(t, f, costLine({ kind: 'time', quantity: 1_800, unit: 'hour', unitPrice: '0.60' }))).toBe('Charging time 0:30:00 × €0.01/min');
    expect(costLineLabel(t, f, costLine({ kind: 'parking', quantity: 90, unit: 'hour', unitPrice: '0.70' }))).toBe('Idle fee 0:01:30 × €0.70/h');
    expect(costLineLabel(t, f, costLine({ kind: 'flat', quantity: 1, unit: 'session', unitPrice: '0.50' }))).toBe('Session fee');
    expect(costLineLabel(t, f, costLine({ kind: 'minPrice', quantity: 1, unit: 'session', unitPrice: '' }))).toBe('Minimum price');
    expect(costLineLabel(t, f, costLine({ kind: 'maxPrice', quantity: 1, unit: 'session', unitPrice: '' }))).toBe('Price cap');
  });

  it('names each VAT rate, and the lines without VAT', () => {
    expect(vatRateLabel(t, f, { vatPercent: '19', netMinor: 100, vatMinor: 19, grossMinor: 119 })).toBe('VAT 19%');
    expect(vatRateLabel(t, f, { vatPercent: '7.7', netMinor: 100, vatMinor: 8, grossMinor: 108 })).toBe('VAT 7.7%');
    expect(vatRateLabel(t, f, { vatPercent: null, netMinor: 50, vatMinor: 0, grossMinor: 50 })).toBe('No VAT');
  });

  it('writes unit prices per kWh, minute, hour and session', () => {
    expect(unitPriceText(t, f, '0.3450', 'kWh')).toBe('€0.3450/kWh');
    expect(unitPriceText(t, f, '0.01', 'minute')).toBe('€0.01/min');
    expect(unitPriceText(t, f, '0.70', 'hour')).toBe('€0.70/h');
    expect(unitPriceText(t, f, '0.50', 'session')).toBe('€0.50');
  });
});

// The words around prices and cost lines, in one place for every screen: a price as
// the operator set it, with its unit; when it changes; a cost line's quantity × unit
// price. No arithmetic on money here: every figure is one the brain sent.
//
// Each text has a spoken form (`spoken`: true), what a screen reader says: the currency
// and the units in words ("0.29 euros per kilowatt-hour" for "€0.29/kWh").
import type { TFunction } from 'i18next';
import type { CostLine, PriceChange, PriceLine, TariffView, VatRateTotal } from '../../../electron/contract/index.js';
import type { UnitFormats } from './format.js';

type Unit = PriceLine['unit'] | CostLine['unit'];

/** "€0.29/kWh", "€0.01/min", "€0.60/h", "€0.50" (a session fee is its own unit); spoken "0.29 euros per kilowatt-hour". */
export function unitPriceText(t: TFunction, f: UnitFormats, price: string, unit: Unit, spoken = false): string {
  const shown = spoken ? f.priceSpoken(price) : f.price(price);
  switch (unit) {
    case 'kWh':
      return spoken ? t('units.spoken.perKWh', { price: shown }) : t('units.perKWh', { price: shown });
    case 'minute':
      return spoken ? t('units.spoken.perMinute', { price: shown }) : t('units.perMinute', { price: shown });
    case 'hour':
      return spoken ? t('units.spoken.perHour', { price: shown }) : t('units.perHour', { price: shown });
    case 'session':
      return shown;
  }
}

/** A price per hour as the price list shows it: per minute when that is exact (the brain's rule), else per hour. */
function perMinuteWhenExact(f: UnitFormats, price: string, unit: Unit): { price: string; unit: Unit } {
  if (unit !== 'hour') return { price, unit };
  const minute = f.perMinute(price);
  return minute === null ? { price, unit } : { price: minute, unit: 'minute' };
}

/** One line of the price list: "€0.39 per kWh", "Idle fee €0.10 per minute after charging". */
export function priceLineText(t: TFunction, f: UnitFormats, line: PriceLine, spoken = false): string {
  const price = spoken ? f.priceSpoken(line.price) : f.price(line.price);
  switch (line.kind) {
    case 'energy':
      // Spoken: "0.39 euros per kilowatt-hour" (prices.energy writes the unit's symbol).
      return spoken ? t('units.spoken.perKWh', { price }) : t('prices.energy', { price });
    case 'time':
      return line.unit === 'hour' ? t('prices.timeHour', { price }) : t('prices.timeMinute', { price });
    case 'parking':
      return line.unit === 'hour' ? t('prices.parkingHour', { price }) : t('prices.parkingMinute', { price });
    case 'flat':
      return t('prices.flat', { price });
  }
}

/** When a change applies: "from 22:00", "after 60 min", "after 1.00 kWh". */
function whenText(t: TFunction, f: UnitFormats, change: PriceChange, spoken: boolean): string {
  if (change.fromTime !== null) return t('prices.when.fromTime', { time: change.fromTime });
  if (change.afterMinutes !== null) {
    if (spoken) return t('prices.when.afterDuration', { duration: f.durationSpoken(change.afterMinutes * 60) });
    return t('prices.when.afterMinutes', { minutes: change.afterMinutes });
  }
  if (change.afterKwh !== null) {
    // The one energy rounding (kwhText), as the live energy figure shows it.
    const wh = Math.round(Number(change.afterKwh) * 1000);
    if (!Number.isFinite(wh)) return t('prices.when.afterKwh', { energy: t('units.kWh', { value: change.afterKwh }) });
    return t('prices.when.afterKwh', { energy: spoken ? f.energySpoken(wh) : f.energy(wh) });
  }
  return '';
}

/** One short line per change: "from 22:00 €0.29/kWh", "after 60 min €0.02/min of charging", "from 20:00 no idle fee". */
export function priceChangeText(t: TFunction, f: UnitFormats, change: PriceChange, spoken = false): string {
  const when = whenText(t, f, change, spoken);
  if (change.free) {
    switch (change.kind) {
      case 'energy':
        return t('prices.change.energyFree', { when });
      case 'time':
        return t('prices.change.timeFree', { when });
      case 'parking':
        return t('prices.change.parkingFree', { when });
      case 'flat':
        return t('prices.change.flatFree', { when });
    }
  }
  const price = unitPriceText(t, f, change.price, change.unit, spoken);
  switch (change.kind) {
    case 'energy':
      return t('prices.change.energy', { when, price });
    case 'time':
      return t('prices.change.time', { when, price });
    case 'parking':
      return t('prices.change.parking', { when, price });
    case 'flat':
      return t('prices.change.flat', { when, price });
  }
}

/** A change under the price it changes, so it says only when and to what: "from 22:00 €0.29/kWh", "from 20:00 no idle fee". */
export function priceChangeShortText(t: TFunction, f: UnitFormats, change: PriceChange, spoken = false): string {
  const when = whenText(t, f, change, spoken);
  if (change.free) return change.kind === 'parking' ? t('prices.change.parkingFree', { when }) : t('prices.change.shortFree', { when });
  return t('prices.change.short', { when, price: unitPriceText(t, f, change.price, change.unit, spoken) });
}

/**
 * The price list's rows: each line that applies now with its changes in order, and the
 * changes of a kind that does not apply now (a fee that starts later), on their own.
 */
export function priceRows(tariff: TariffView): { rows: { line: PriceLine; changes: PriceChange[] }[]; others: PriceChange[] } {
  const rows = tariff.lines.map((line) => ({ line, changes: [] as PriceChange[] }));
  const others: PriceChange[] = [];
  for (const change of tariff.changes) {
    const row = rows.find((r) => r.line.kind === change.kind);
    if (row) row.changes.push(change);
    else others.push(change);
  }
  return { rows, others };
}

/** The main price in short, for a tile ("€0.49/kWh"): the energy price, else the first; null with no prices. */
export function mainPrice(t: TFunction, f: UnitFormats, tariff: TariffView, spoken = false): string | null {
  const line = tariff.lines.find((l) => l.kind === 'energy') ?? tariff.lines[0];
  return line ? unitPriceText(t, f, line.price, line.unit, spoken) : null;
}

/**
 * Whether two tariffs charge the same now: the same prices and bounds. Their changes are
 * left out: the same tariff changes differently on a slower connector (a typical session
 * there reaches an energy threshold later, or not at all).
 */
export function samePrices(a: TariffView, b: TariffView): boolean {
  const shown = (v: TariffView) => JSON.stringify([v.currency, v.lines, v.minPriceMinor, v.maxPriceMinor]);
  return shown(a) === shown(b);
}

/** A cost line as the summary lists it: its name, and its quantity × unit price ("5.50 kWh × €0.29/kWh") where it has one. */
export function costLineParts(t: TFunction, f: UnitFormats, line: CostLine, spoken = false): { name: string; detail: string | null } {
  switch (line.kind) {
    case 'energy': {
      const energy = spoken ? f.energySpoken(line.quantity) : f.energy(line.quantity);
      return { name: t('summary.line.energy'), detail: detail(t, energy, unitPriceText(t, f, line.unitPrice, line.unit, spoken), line) };
    }
    case 'time':
    case 'parking': {
      // Per minute when that is exact, as the price list shows it.
      const shown = perMinuteWhenExact(f, line.unitPrice, line.unit);
      const name = line.kind === 'time' ? t('summary.line.time') : t('summary.line.parking');
      const duration = spoken ? f.durationSpoken(line.quantity) : f.duration(line.quantity);
      return { name, detail: detail(t, duration, unitPriceText(t, f, shown.price, shown.unit, spoken), line) };
    }
    case 'flat':
      return { name: t('summary.line.flat'), detail: null };
    case 'minPrice':
      return { name: t('summary.line.minPrice'), detail: null };
    case 'maxPrice':
      return { name: t('summary.line.maxPrice'), detail: null };
  }
}

function detail(t: TFunction, quantity: string, price: string, line: CostLine): string | null {
  return line.unitPrice === '' ? null : t('summary.line.detail', { quantity, price });
}

/** The whole label of a cost line: "Energy 5.50 kWh × €0.29/kWh", "Minimum price". */
export function costLineLabel(t: TFunction, f: UnitFormats, line: CostLine, spoken = false): string {
  const { name, detail } = costLineParts(t, f, line, spoken);
  return detail === null ? name : `${name} ${detail}`;
}

/** "VAT 19%", or "No VAT" for the lines no VAT applies to. */
export function vatRateLabel(t: TFunction, f: UnitFormats, rate: VatRateTotal): string {
  return rate.vatPercent === null ? t('summary.noVat') : t('summary.vat', { vat: f.percent(rate.vatPercent) });
}

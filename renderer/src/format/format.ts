// Numbers as the driver reads them, in the station's locale. Money arrives in minor
// units; the currency's exponent comes from Intl. Nothing here rounds money: amounts
// and unit prices are shown as the brain sent them.
import { kwhText } from '../../../electron/contract/energy.js';
import { perMinuteExact } from '../../../electron/contract/price-units.js';

export interface Formats {
  /** Minor units → "€12.34". */
  money(minor: number): string;
  /** Exact decimal string in major units ("0.3450") → "€0.3450": to the precision given, at least the currency's. */
  price(decimal: string): string;
  /**
   * A price per hour as a price per minute ("0.60" → "0.01"), when that is exact to two
   * digits more than given (the brain's rule for the prices it lists); null when it is not.
   */
  perMinute(perHour: string): string | null;
  /** Wh → "12.35" (kWh to 0.01, half up: `kwhText`, the one energy rounding), in the locale. */
  kwh(wh: number): string;
  /** W → "7.4" (kW, 0.1). */
  kw(w: number): string;
  /** Seconds → "1:02:03". */
  duration(s: number): string;
  /** "19" → "19%". */
  percent(value: string): string;
  /** Minor units → "12.34 euros": the amount as a screen reader says it (the currency's name, not its symbol). */
  moneySpoken(minor: number): string;
  /** Like `price`, with the currency's name: "0.3450" → "0.3450 euros". */
  priceSpoken(decimal: string): string;
  /** Wh → "12.3": the kWh of `kwh` without trailing zeros (what a screen reader says, and the count its plural follows). */
  kwhSpoken(wh: number): string;
  /** W → "7": the kW of `kw` without a trailing zero. */
  kwSpoken(w: number): string;
  /** Seconds → "1 hour, 2 minutes, 3 seconds" (the parts that are not 0; "0 seconds" for none), in words of the locale. */
  durationSpoken(s: number): string;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** The formats with the units' words from the catalogue. */
export interface UnitFormats extends Formats {
  /** Wh → "12.35 kWh". */
  energy(wh: number): string;
  /** W → "7.4 kW". */
  power(w: number): string;
  /** Wh → "12.35 kilowatt-hours" (units.spoken.kWh, its plural by the number said). */
  energySpoken(wh: number): string;
  /** W → "7.4 kilowatts" (units.spoken.kW). */
  powerSpoken(w: number): string;
}

/** The catalogue's words a `UnitFormats` needs: `t` for the units' keys. */
type UnitsT = (key: 'units.kWh' | 'units.kW' | 'units.spoken.kWh' | 'units.spoken.kW', options: { value: string; count?: number }) => string;

/** The formats of a locale and currency with the units' words of the catalogue (`t`), as the screens use them. */
export function makeUnitFormats(locale: string, currency: string, t: UnitsT): UnitFormats {
  const f = makeFormats(locale, currency);
  return {
    ...f,
    energy: (wh) => t('units.kWh', { value: f.kwh(wh) }),
    power: (w) => t('units.kW', { value: f.kw(w) }),
    // i18next picks the plural by `count`: the number said, without the trailing zeros of the figure shown.
    energySpoken: (wh) => t('units.spoken.kWh', { count: Number(kwhText(wh)), value: f.kwhSpoken(wh) }),
    powerSpoken: (w) => t('units.spoken.kW', { count: Math.round(Math.max(0, w) / 100) / 10, value: f.kwSpoken(w) }),
  };
}

function safeLocale(locale: string): string {
  try {
    return Intl.NumberFormat.supportedLocalesOf([locale])[0] ?? 'en';
  } catch {
    return 'en';
  }
}

/** Whole seconds as hours, minutes and seconds. */
function hms(s: number): { h: number; m: number; sec: number } {
  const total = Math.max(0, Math.floor(s));
  return { h: Math.floor(total / 3600), m: Math.floor((total % 3600) / 60), sec: total % 60 };
}

export function makeFormats(localeIn: string, currency: string): Formats {
  const locale = safeLocale(localeIn);
  let moneyFormat: Intl.NumberFormat;
  try {
    moneyFormat = new Intl.NumberFormat(locale, { style: 'currency', currency });
  } catch {
    // Not an ISO 4217 code (the config schema prevents it): "¤", never a wrong currency.
    moneyFormat = new Intl.NumberFormat(locale, { style: 'currency', currency: 'XXX', minimumFractionDigits: 2 });
  }
  const exponent = moneyFormat.resolvedOptions().maximumFractionDigits ?? 2;
  const scale = 10 ** exponent;
  const currencyCode = moneyFormat.resolvedOptions().currency;
  // Prices to a given number of digits, shown ("€0.3450") or spoken ("0.3450 euros"), made once each.
  const priceFormats = new Map<string, Intl.NumberFormat>();
  const priceFormat = (digits: number, currencyDisplay: 'symbol' | 'name'): Intl.NumberFormat => {
    const key = `${currencyDisplay}:${digits}`;
    let f = priceFormats.get(key);
    if (!f) {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency: currencyCode, currencyDisplay, minimumFractionDigits: digits, maximumFractionDigits: digits });
      priceFormats.set(key, f);
    }
    return f;
  };
  /** An exact decimal price in major units: to every digit the operator gave (0.3450 stays 0.3450), never fewer than money has. */
  const exactPrice = (decimal: string, currencyDisplay: 'symbol' | 'name'): string => {
    const text = decimal.trim();
    const match = DECIMAL.exec(text);
    if (!match) return decimal;
    const digits = Math.min(Math.max((match[2] ?? '').length, exponent), 100);
    // Intl formats a decimal string exactly, without a float in between.
    return priceFormat(digits, currencyDisplay).format(text as `${number}`);
  };
  const kwhFormat = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const kwFormat = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const percentFormat = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 });
  // Spoken: the currency's name ("euros"), numbers without the zeros a figure pads with, the units of time in words.
  const moneySpokenFormat = priceFormat(exponent, 'name');
  const kwhSpokenFormat = new Intl.NumberFormat(locale, { minimumFractionDigits: 0, maximumFractionDigits: 2 });
  const kwSpokenFormat = new Intl.NumberFormat(locale, { minimumFractionDigits: 0, maximumFractionDigits: 1 });
  const timeUnit = (unit: 'hour' | 'minute' | 'second') => new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' });
  const hours = timeUnit('hour');
  const minutes = timeUnit('minute');
  const seconds = timeUnit('second');
  const timeList = new Intl.ListFormat(locale, { type: 'unit', style: 'long' });

  return {
    money: (minor) => moneyFormat.format(minor / scale),
    price: (decimal) => exactPrice(decimal, 'symbol'),
    perMinute: (perHour) => perMinuteExact(perHour, exponent),
    kwh: (wh) => kwhFormat.format(kwhText(wh) as `${number}`),
    kw: (w) => kwFormat.format(Math.max(0, w) / 1000),
    duration: (s) => {
      const { h, m, sec } = hms(s);
      return `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
    },
    percent: (value) => {
      const n = Number(value);
      return Number.isFinite(n) ? percentFormat.format(n / 100) : `${value}%`;
    },
    moneySpoken: (minor) => moneySpokenFormat.format(minor / scale),
    priceSpoken: (decimal) => exactPrice(decimal, 'name'),
    kwhSpoken: (wh) => kwhSpokenFormat.format(kwhText(wh) as `${number}`),
    kwSpoken: (w) => kwSpokenFormat.format(Math.round(Math.max(0, w) / 100) / 10),
    durationSpoken: (s) => {
      const { h, m, sec } = hms(s);
      const parts = [h > 0 ? hours.format(h) : null, m > 0 ? minutes.format(m) : null, sec > 0 || h + m === 0 ? seconds.format(sec) : null];
      return timeList.format(parts.filter((p): p is string => p !== null));
    },
  };
}

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
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** The formats with the units' words from the catalogue. */
export interface UnitFormats extends Formats {
  /** Wh → "12.35 kWh". */
  energy(wh: number): string;
  /** W → "7.4 kW". */
  power(w: number): string;
}

function safeLocale(locale: string): string {
  try {
    return Intl.NumberFormat.supportedLocalesOf([locale])[0] ?? 'en';
  } catch {
    return 'en';
  }
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
  const priceFormats = new Map<number, Intl.NumberFormat>();
  const priceFormat = (digits: number): Intl.NumberFormat => {
    let f = priceFormats.get(digits);
    if (!f) {
      f = new Intl.NumberFormat(locale, {
        style: 'currency',
        currency: moneyFormat.resolvedOptions().currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
      priceFormats.set(digits, f);
    }
    return f;
  };
  const kwhFormat = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const kwFormat = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const percentFormat = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 });

  return {
    money: (minor) => moneyFormat.format(minor / scale),
    price: (decimal) => {
      const text = decimal.trim();
      const match = DECIMAL.exec(text);
      if (!match) return decimal;
      // Every digit the operator gave (0.3450 stays 0.3450), never fewer than money has.
      const digits = Math.min(Math.max((match[2] ?? '').length, exponent), 100);
      // Intl formats a decimal string exactly, without a float in between.
      return priceFormat(digits).format(text as `${number}`);
    },
    perMinute: (perHour) => perMinuteExact(perHour, exponent),
    kwh: (wh) => kwhFormat.format(kwhText(wh) as `${number}`),
    kw: (w) => kwFormat.format(Math.max(0, w) / 1000),
    duration: (s) => {
      const total = Math.max(0, Math.floor(s));
      const h = Math.floor(total / 3600);
      const m = Math.floor((total % 3600) / 60);
      const sec = total % 60;
      return `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
    },
    percent: (value) => {
      const n = Number(value);
      return Number.isFinite(n) ? percentFormat.format(n / 100) : `${value}%`;
    },
  };
}

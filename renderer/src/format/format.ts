// Numbers as the driver reads them, in the station's locale. Money arrives in minor
// units; the currency's exponent comes from Intl.
export interface Formats {
  /** Minor units → "€12.34". */
  money(minor: number): string;
  /** Exact decimal string in major units ("0.3450") → "€0.345": every significant digit, at least the currency's. */
  price(decimal: string): string;
  /** Wh → "12.34" (kWh, 0.01, never rounded up). */
  kwh(wh: number): string;
  /** W → "7.4" (kW, 0.1). */
  kw(w: number): string;
  /** Seconds → "1:02:03". */
  duration(s: number): string;
  /** "19" → "19%". */
  percent(value: string): string;
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
      const match = /^(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
      if (!match) return decimal;
      const fraction = (match[2] ?? '').replace(/0+$/, '');
      // Unit prices keep up to two digits more than money (0.3450 €/kWh), rounded for display only.
      const digits = Math.min(Math.max(fraction.length, exponent), exponent + 2);
      return priceFormat(digits).format(Number(decimal));
    },
    kwh: (wh) => kwhFormat.format(Math.floor(Math.max(0, wh) / 10) / 100),
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

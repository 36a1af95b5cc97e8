// Times and days as the technician reads them: the station's wall clock (its time zone,
// never the screen's), days as "YYYY-MM-DD", and how long ago something happened by the
// brain's clock. Amounts typed in major units become integer minor units here, exactly.

/** A time zone Intl knows, else UTC (the config schema checks it; a screen must not fail on it). */
function safeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

function safeLocale(locale: string): string {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale])[0] ?? 'en';
  } catch {
    return 'en';
  }
}

export interface StationTime {
  /** "14:03:27" */
  time(ms: number): string;
  /** "2026-05-28 14:03:27" */
  dateTime(ms: number): string;
  /** The station's calendar day of `ms`, "YYYY-MM-DD". */
  day(ms: number): string;
}

export function stationTime(locale: string, timeZone: string): StationTime {
  const zone = safeZone(timeZone);
  const loc = safeLocale(locale);
  const timeFormat = new Intl.DateTimeFormat(loc, { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const day = (ms: number): string => {
    const parts = Object.fromEntries(dayFormat.formatToParts(ms).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
  };
  return {
    time: (ms) => timeFormat.format(ms),
    dateTime: (ms) => `${day(ms)} ${timeFormat.format(ms)}`,
    day,
  };
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The calendar day `n` days after `day` ("2026-03-01", -1 → "2026-02-28"). */
export function addDays(day: string, n: number): string {
  const match = DAY.exec(day);
  if (!match) return day;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + n));
  return date.toISOString().slice(0, 10);
}

export function isDay(text: string): boolean {
  const match = DAY.exec(text);
  if (!match) return false;
  return addDays(text, 0) === text;
}

/** How long ago, in whole units, for "12 s ago", "3 min ago", "2 h ago", "4 d ago". */
export function agoParts(thenMs: number, nowMs: number): { unit: 's' | 'min' | 'h' | 'd'; count: number } {
  const s = Math.max(0, Math.floor((nowMs - thenMs) / 1000));
  if (s < 60) return { unit: 's', count: s };
  if (s < 3600) return { unit: 'min', count: Math.floor(s / 60) };
  if (s < 86_400) return { unit: 'h', count: Math.floor(s / 3600) };
  return { unit: 'd', count: Math.floor(s / 86_400) };
}

/** Digits after the decimal point of the currency's minor unit (EUR 2, JPY 0). */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/**
 * An amount typed in major units ("12", "12.5", "12,50") as integer minor units, without
 * a float in between; null when it is not a positive amount with at most the currency's
 * digits.
 */
export function parseMajor(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const match = /^(\d{1,9})(?:[.,](\d+))?$/.exec(text.trim());
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  const minor = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(minor) && minor > 0 ? minor : null;
}

/** Minor units as the plain major amount a technician would type (1250 EUR → "12.50"). */
export function majorText(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const text = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  return digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

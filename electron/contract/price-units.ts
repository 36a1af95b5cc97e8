// How a time price is shown, the same on every screen and receipt: per minute when that
// is exact to two digits more than the price per hour was given in (0.60/h → 0.01/min),
// else per hour. Pure string and bigint arithmetic, so the screen uses it too.

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * A price per hour ("0.60", exact decimal in major units) as a price per minute ("0.01"),
 * trailing zeros trimmed down to the currency's `minorDigits`; null when it is not exact.
 */
export function perMinuteExact(perHour: string, minorDigits: number): string | null {
  const match = DECIMAL.exec(perHour.trim());
  if (!match) return null;
  const given = match[2] ?? '';
  const digits = Math.max(minorDigits, given.length) + 2;
  // In units of 10^-digits: exact when 60 divides the price so scaled.
  const scaled = BigInt(`${match[1]}${given.padEnd(digits, '0')}`);
  if (scaled % 60n !== 0n) return null;
  const minute = (scaled / 60n).toString().padStart(digits + 1, '0');
  const whole = minute.slice(0, minute.length - digits);
  let fraction = minute.slice(minute.length - digits);
  while (fraction.length > minorDigits && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return fraction ? `${whole}.${fraction}` : whole;
}

// Energy as every screen, receipt and report shows it: kWh to two decimals, half up
// (15 Wh is 0.02 kWh everywhere). Billing uses the exact Wh; this is display only.

/** Wh → kWh as a decimal string with two decimals, half up ("0.02"). */
export function kwhText(wh: number): string {
  const hundredths = Math.floor((Math.max(0, Math.round(wh)) + 5) / 10);
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

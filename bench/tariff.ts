// Benchmark figure 8: what the tariff engine costs per quote and per meter sample. Run by
// bench/run.ts in its own process, or alone (`node --expose-gc --import tsx bench/tariff.ts`).
// A 6-element tariff with times of day (night 22:00–06:00, peaks 07:00–09:00 and
// 17:00–20:00), a session fee, a charging-time fee for the first 4 h (max_duration) and an
// idle fee, in Europe/Berlin; sessions start at 12:00 local, so a day of them crosses every
// boundary. Prints one JSON object on stdout.
//
//   quote:  usageOfTotals + priceUsage of a 24 h session (20 h charging, 4 h parked), as the
//           tariff tool and the prices shown before start do
//   sample: one accumulate of a 500 ms interval + one priceUsage on a session that has run
//           24 h (built sample by sample at 2 Hz), as the kiosk does on each meter reading
//
//   BENCH_TARIFF_RUNS    measured runs of each (5,000)
//   BENCH_TARIFF_WARMUP  runs before measuring (2,000)
import { zoneOf } from '../electron/billing/local-time.js';
import { projectedCostExceedsHold } from '../electron/billing/tariff.js';
import { accumulate, priceUsage, startUsage, usageOfTotals, type TariffUsage, type UsageInterval } from '../electron/billing/tariff-engine.js';
import { TariffConfig } from '../electron/billing/tariff-schema.js';
import { percentile, round } from './stats.js';

const RUNS = Number(process.env.BENCH_TARIFF_RUNS ?? 5000);
const WARMUP = Number(process.env.BENCH_TARIFF_WARMUP ?? 2000);
const SAMPLE_MS = 500; // the configuration's default sample interval
const CONNECTORS = 8;
const TARGET_QUOTE_US = 100;

const gc = (globalThis as { gc?: () => void }).gc;

const tariff = TariffConfig.parse({
  currency: 'EUR',
  elements: [
    { price_components: [{ type: 'FLAT', price_incl_vat: '0.50', vat: '19' }] },
    { price_components: [{ type: 'ENERGY', price_incl_vat: '0.29', vat: '19' }], restrictions: { start_time: '22:00', end_time: '06:00' } },
    { price_components: [{ type: 'ENERGY', price_incl_vat: '0.49', vat: '19' }], restrictions: { start_time: '07:00', end_time: '09:00' } },
    { price_components: [{ type: 'ENERGY', price_incl_vat: '0.49', vat: '19' }], restrictions: { start_time: '17:00', end_time: '20:00' } },
    { price_components: [{ type: 'TIME', price_incl_vat: '1.20', vat: '19', step_size: 60 }], restrictions: { max_duration: 4 * 3600 } },
    { price_components: [{ type: 'ENERGY', price_incl_vat: '0.39', vat: '19' }, { type: 'PARKING_TIME', price_incl_vat: '6.00', vat: '19', step_size: 300 }] },
  ],
});
const zone = zoneOf('Europe/Berlin');
const START = Date.parse('2026-06-10T12:00:00+02:00'); // a Wednesday, CEST
const CHARGING_H = 20;
const PARKED_H = 4;
// 43.2 kWh over the 20 h; 300 mWh in each 500 ms reading (the engine keeps energy to the mWh),
// so the day built reading by reading is exactly the session the quote prices from its totals.
const POWER_W = 2160;

const stats = (us: number[]) => ({ n: us.length, p50Us: round(percentile(us, 50), 2), p95Us: round(percentile(us, 95), 2), minUs: round(Math.min(...us), 2), maxUs: round(Math.max(...us), 1) });

/** Runs `body` WARMUP times, then times each of RUNS runs, µs (hrtime: ns resolution). */
function measure(body: (i: number) => void): number[] {
  for (let i = 0; i < WARMUP; i++) body(i);
  gc?.(); // no collection left over from the warm-up inside the measured runs
  const us: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const began = process.hrtime.bigint();
    body(i);
    us.push(Number(process.hrtime.bigint() - began) / 1000);
  }
  return us;
}

// Keeps the results used, so the optimiser cannot drop the work.
let sink = 0;

// ── quote ───────────────────────────────────────────────────────────────────

const totals = { start: START, energyWh: POWER_W * CHARGING_H, chargingS: CHARGING_H * 3600, parkingS: PARKED_H * 3600, powerW: POWER_W };
const firstBegan = process.hrtime.bigint();
const firstQuote = priceUsage(tariff, usageOfTotals(tariff, totals, zone));
const firstQuoteUs = Number(process.hrtime.bigint() - firstBegan) / 1000; // compiling the tariff and cold code included
const quoteUs = measure(() => {
  sink += priceUsage(tariff, usageOfTotals(tariff, totals, zone)).totalMinor;
});

// ── a day of samples, then the sample at 24 h ───────────────────────────────

const charging = (to: number): UsageInterval => ({ to, energyWh: (POWER_W * SAMPLE_MS) / 3_600_000, charging: true, powerW: POWER_W, currentA: POWER_W / 230 });
const parked = (to: number): UsageInterval => ({ to, energyWh: 0, charging: false, powerW: 0 });
const dayBegan = performance.now();
let day: TariffUsage = startUsage(START);
for (let at = START + SAMPLE_MS; at <= START + (CHARGING_H + PARKED_H) * 3_600_000; at += SAMPLE_MS) {
  day = accumulate(tariff, day, at <= START + CHARGING_H * 3_600_000 ? charging(at) : parked(at), zone);
}
const dayMs = performance.now() - dayBegan;
const daySamples = ((CHARGING_H + PARKED_H) * 3_600_000) / SAMPLE_MS;
const dayPriced = priceUsage(tariff, day);

// After 24 h the car is parked: each reading adds idle time. The kiosk's sample as the
// figure counts it (accumulate + priceUsage), continuing the same session reading by reading.
let session = day;
const sampleUs = measure(() => {
  session = accumulate(tariff, session, parked(session.at + SAMPLE_MS), zone);
  sink += priceUsage(tariff, session).totalMinor;
});
// A car that still draws power at 24 h: energy is split and priced too (each run from the 24 h usage).
const chargingSampleUs = measure(() => {
  sink += priceUsage(tariff, accumulate(tariff, day, charging(day.at + SAMPLE_MS), zone)).totalMinor;
});
// What the station does on a charging reading: the sample, the hold check (another
// accumulate + priceUsage, 0.5 s ahead plus a 1 s stop delay) and the cost it shows.
const kioskSampleUs = measure(() => {
  const next = accumulate(tariff, day, charging(day.at + SAMPLE_MS), zone);
  if (projectedCostExceedsHold({ tariff, usage: next, powerW: POWER_W, lookaheadS: 1.5, limitMinor: 1_000_000, zone })) sink++;
  sink += priceUsage(tariff, next).totalMinor;
});

const perCore = (us: number) => round((CONNECTORS * (1000 / SAMPLE_MS) * us) / 1e6 * 100, 3); // % of one core
const quote = stats(quoteUs);
const sample = stats(sampleUs);
process.stdout.write(
  `${JSON.stringify({
    tariffElements: tariff.elements.length,
    timeZone: zone.timeZone,
    quote: {
      session: `${CHARGING_H} h charging at ${POWER_W / 1000} kW then ${PARKED_H} h parked from ${new Date(START).toISOString()} (12:00 Europe/Berlin)`,
      totalMinor: firstQuote.totalMinor,
      lines: firstQuote.lines.length,
      firstQuoteUs: round(firstQuoteUs),
      ...quote,
    },
    tariffQuoteUs: quote.p50Us,
    tariffQuoteP95Us: quote.p95Us,
    targetUs: TARGET_QUOTE_US,
    day: { samples: daySamples, sampleIntervalMs: SAMPLE_MS, wallMs: round(dayMs), meanAccumulateUs: round((dayMs * 1000) / daySamples, 2), totalMinor: dayPriced.totalMinor, lines: dayPriced.lines.length },
    sample,
    chargingSample: stats(chargingSampleUs),
    kioskChargingSample: stats(kioskSampleUs),
    tariffSampleUs: sample.p50Us,
    tariffSampleP95Us: sample.p95Us,
    connectors: CONNECTORS,
    samplesPerSecond: CONNECTORS * (1000 / SAMPLE_MS),
    cpuPercentOfOneCore: { sample: perCore(sample.p50Us), sampleP95: perCore(sample.p95Us), kioskChargingSample: perCore(stats(kioskSampleUs).p50Us) },
    // The 24 h session built sample by sample prices as the same session from its totals.
    samplingAgrees: dayPriced.totalMinor === firstQuote.totalMinor,
    // the target holds for the median and the p95
    pass: quote.p95Us <= TARGET_QUOTE_US,
  })}\n`,
);
if (sink === 0) throw new Error('nothing was priced'); // and the results are used

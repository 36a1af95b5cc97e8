// OCPI 2.2.1 CDRs (charge detail records) as the engine's usage, for the tariff tool: a
// session a back office recorded is priced by the same engine as the kiosk's own, so the
// operator can compare our figures with the CPO's.
//
// A CDR's charging periods carry volumes (energy, hours charging, hours parking) beside
// their timestamps. The volumes are what the CPO billed, so they win: a period with TIME
// t and PARKING_TIME p (an absent one is 0 h) is t hours of charging (with the period's
// energy) and then p hours of parking, from the period's start. Time the volumes leave
// out is not priced, and volumes longer than their period push the next period on. A
// period with neither is charging throughout if it delivered energy, parking otherwise.
import { z } from 'zod';
import type { LocalTime } from './local-time.js';
import { accumulate, startUsage, type TariffUsage, type UsageInterval } from './tariff-engine.js';
import type { TariffConfig } from './tariff-schema.js';

const MS_PER_HOUR = 3_600_000;
const ZONE_DESIGNATOR = /(?:Z|[+-]\d{2}:\d{2})$/;

const DATE_TIME = 'a date and time as RFC 3339, e.g. 2015-06-29T21:39:09Z';

/** OCPI DateTime, as ms UTC. OCPI reads a time without a zone designator as UTC, not as local time. */
const DateTime = z.iso
  .datetime({
    offset: true,
    local: true,
    error: ({ input }) => (input === undefined ? `missing (expected ${DATE_TIME})` : `expected ${DATE_TIME}, got ${typeof input === 'string' ? JSON.stringify(input) : typeof input}`),
  })
  .transform((text) => Date.parse(ZONE_DESIGNATOR.test(text) ? text : `${text}Z`));

/** The dimensions the engine uses; a CDR's others (STATE_OF_CHARGE, RESERVATION_TIME, …) are ignored. */
const USED = ['ENERGY', 'TIME', 'PARKING_TIME', 'CURRENT', 'MIN_CURRENT', 'MAX_CURRENT', 'POWER', 'MIN_POWER', 'MAX_POWER'] as const;
type Used = (typeof USED)[number];
const isUsed = (type: string): type is Used => (USED as readonly string[]).includes(type);

/** A year: far longer than any session, and short enough that pricing it stays quick and its ms exact. */
const MAX_HOURS = 8784;
const MAX_VOLUME: Partial<Record<Used, [number, string]>> = { ENERGY: [1_000_000, 'kWh'], TIME: [MAX_HOURS, 'hours'], PARKING_TIME: [MAX_HOURS, 'hours'] };

const CdrDimension = z
  .looseObject({ type: z.string().min(1), volume: z.number().finite() })
  .superRefine((d, ctx) => {
    if (!isUsed(d.type)) return;
    const [max, unit] = MAX_VOLUME[d.type] ?? [Infinity, ''];
    if (d.volume < 0) ctx.addIssue({ code: 'custom', message: 'must not be negative', path: ['volume'] });
    else if (d.volume > max) ctx.addIssue({ code: 'custom', message: `at most ${max} ${unit}`, path: ['volume'] });
  });

const ChargingPeriod = z
  .looseObject({
    start_date_time: DateTime,
    dimensions: z.array(CdrDimension).min(1, 'a charging period has at least one dimension (OCPI)'),
    tariff_id: z.string().optional(),
  })
  .superRefine((period, ctx) => {
    const seen = new Set<string>();
    period.dimensions.forEach((d, i) => {
      if (isUsed(d.type) && seen.has(d.type)) ctx.addIssue({ code: 'custom', message: `${d.type} is given twice in this period`, path: ['dimensions', i, 'type'] });
      seen.add(d.type);
    });
  });

/** A CDR: only what pricing uses is required; the many other fields of a real CDR are allowed. */
export const Cdr = z
  .looseObject({
    start_date_time: DateTime,
    end_date_time: DateTime,
    currency: z.string().optional(),
    charging_periods: z.array(ChargingPeriod).min(1, 'a CDR has at least one charging period'),
  })
  .superRefine((cdr, ctx) => {
    if (cdr.end_date_time < cdr.start_date_time) ctx.addIssue({ code: 'custom', message: 'is before start_date_time', path: ['end_date_time'] });
    if (cdr.end_date_time - cdr.start_date_time > MAX_HOURS * MS_PER_HOUR) ctx.addIssue({ code: 'custom', message: `is more than ${MAX_HOURS} hours (a year) after start_date_time`, path: ['end_date_time'] });
    const at = (i: number) => ['charging_periods', i, 'start_date_time'];
    const first = cdr.charging_periods[0];
    if (first && first.start_date_time !== cdr.start_date_time) {
      // Durations count from the session's start: the periods must say what happened from there.
      const iso = (ms: number) => new Date(ms).toISOString();
      ctx.addIssue({ code: 'custom', message: `is ${iso(first.start_date_time)}: the first period must start when the session does (start_date_time ${iso(cdr.start_date_time)})`, path: at(0) });
    }
    cdr.charging_periods.forEach((period, i) => {
      const previous = cdr.charging_periods[i - 1];
      if (previous && period.start_date_time < previous.start_date_time) ctx.addIssue({ code: 'custom', message: 'starts before the period before it', path: at(i) });
      if (period.start_date_time > cdr.end_date_time) ctx.addIssue({ code: 'custom', message: 'starts after the session\'s end_date_time', path: at(i) });
    });
  });
export type Cdr = z.infer<typeof Cdr>;

/** An interval of the engine with its start: where the CDR's volumes leave time out, it starts after the last one ended. */
export interface CdrInterval extends UsageInterval {
  from: number;
}

/** The session as the engine's intervals, in order, by the rules at the top of this file. */
export function cdrIntervals(cdr: Cdr): CdrInterval[] {
  const intervals: CdrInterval[] = [];
  let cursor = cdr.start_date_time;
  cdr.charging_periods.forEach((period, i) => {
    const volume = (type: Used): number | undefined => period.dimensions.find((d) => d.type === type)?.volume;
    const from = Math.max(cursor, period.start_date_time);
    const until = Math.max(from, cdr.charging_periods[i + 1]?.start_date_time ?? cdr.end_date_time);
    // kWh to Wh, kept to the mWh as the engine keeps it.
    const energyWh = Math.round((volume('ENERGY') ?? 0) * 1_000_000) / 1000;
    const kW = volume('POWER') ?? volume('MAX_POWER') ?? volume('MIN_POWER');
    const charging = { energyWh, charging: true, powerW: kW === undefined ? undefined : kW * 1000, currentA: volume('CURRENT') ?? volume('MAX_CURRENT') ?? volume('MIN_CURRENT') };
    const time = volume('TIME');
    const parking = volume('PARKING_TIME');
    if (time === undefined && parking === undefined) {
      if (energyWh > 0) intervals.push({ from, to: until, ...charging });
      else if (until > from) intervals.push({ from, to: until, energyWh: 0, charging: false });
      cursor = until;
      return;
    }
    const chargedUntil = from + Math.round((time ?? 0) * MS_PER_HOUR);
    if (chargedUntil > from || energyWh > 0) intervals.push({ from, to: chargedUntil, ...charging });
    const parkedUntil = chargedUntil + Math.round((parking ?? 0) * MS_PER_HOUR);
    if (parkedUntil > chargedUntil) intervals.push({ from: chargedUntil, to: parkedUntil, energyWh: 0, charging: false });
    cursor = parkedUntil;
  });
  return intervals;
}

/** What the CDR's session used, under `tariff`, restrictions read in `zone`. */
export function usageOfCdr(tariff: TariffConfig, cdr: Cdr, zone: LocalTime): TariffUsage {
  let usage = startUsage(cdr.start_date_time);
  for (const { from, ...interval } of cdrIntervals(cdr)) {
    // Time the CDR gives to neither charging nor parking passes unpriced: durations still count it.
    if (from > usage.at) usage = { ...usage, at: from };
    usage = accumulate(tariff, usage, interval, zone);
  }
  return usage;
}

// The station's wall clock in its IANA time zone, for tariff restrictions (times of day,
// dates, days of the week are local; OCPI). Instants stay UTC milliseconds: a session
// through the night of a clock change is priced by the real elapsed time, and only
// the question "which element applies now" looks at the wall clock.
//
// The UTC offset comes from Intl and is cached per 15 minutes of UTC time: every time
// zone in the tz database changes its offset on a quarter hour.

const GRANULE_MS = 15 * 60_000;
export const DAY_MS = 86_400_000;

export interface LocalParts {
  /** Days since 1970-01-01 in local time. */
  day: number;
  /** Milliseconds since local midnight. */
  msOfDay: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

export class LocalTime {
  private readonly format: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Throws a RangeError naming the zone when Intl does not know it. */
  static check(timeZone: string): void {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone });
    } catch {
      throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)} (an IANA name such as Europe/Berlin)`);
    }
  }

  /** Local minus UTC at instant `t`, ms. */
  offsetMs(t: number): number {
    const granule = Math.floor(t / GRANULE_MS);
    let offset = this.offsets.get(granule);
    if (offset === undefined) {
      offset = this.computeOffset(granule * GRANULE_MS);
      if (this.offsets.size > 10_000) this.offsets.clear();
      this.offsets.set(granule, offset);
    }
    return offset;
  }

  parts(t: number): LocalParts {
    const local = t + this.offsetMs(t);
    const day = Math.floor(local / DAY_MS);
    return { day, msOfDay: local - day * DAY_MS, weekday: (((day + 3) % 7) + 7) % 7 };
  }

  /**
   * The first instant after `t` at which the local time of day reaches one of
   * `boundaries` (ms after midnight, ascending, 0 included), or the offset changes
   * (a clock change: the wall clock jumps, so what applies may change there too).
   */
  nextChange(t: number, boundaries: readonly number[]): number {
    const offset = this.offsetMs(t);
    const { msOfDay } = this.parts(t);
    const next = boundaries.find((b) => b > msOfDay) ?? DAY_MS + (boundaries[0] ?? 0);
    const candidate = t + (next - msOfDay);
    if (this.offsetMs(candidate) === offset) return candidate;
    // A clock change comes first: find the quarter hour at which the offset changes.
    let low = Math.floor(t / GRANULE_MS);
    let high = Math.floor(candidate / GRANULE_MS);
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (this.offsetMs(middle * GRANULE_MS) === offset) low = middle;
      else high = middle;
    }
    return Math.max(t + 1, high * GRANULE_MS);
  }

  /** Local "YYYY-MM-DD HH:MM" of an instant, for people. */
  describe(t: number): { date: string; time: string } {
    const local = new Date(t + this.offsetMs(t)).toISOString();
    return { date: local.slice(0, 10), time: local.slice(11, 16) };
  }

  private computeOffset(t: number): number {
    const fields: Record<string, number> = {};
    for (const part of this.format.formatToParts(new Date(t))) if (part.type !== 'literal') fields[part.type] = Number(part.value);
    const wall = Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!, fields.minute!, fields.second!);
    return wall - t; // t is the start of a quarter hour: whole seconds
  }
}

/** Days since 1970-01-01 of a calendar date "YYYY-MM-DD". */
export function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

/** "HH:MM" → ms after midnight. */
export function msOfDayOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return (h! * 60 + m!) * 60_000;
}

const zones = new Map<string, LocalTime>();

/** The one LocalTime of a zone: its offset cache is shared by everything that prices. */
export function zoneOf(timeZone: string): LocalTime {
  let zone = zones.get(timeZone);
  if (!zone) {
    zone = new LocalTime(timeZone);
    zones.set(timeZone, zone);
  }
  return zone;
}

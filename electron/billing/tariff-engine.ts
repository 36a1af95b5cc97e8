// The OCPI 2.2.1 tariff engine: the one place that decides what a session costs.
//
// A session is metered as a sequence of intervals (a meter sample each, or the
// periods of a CDR). `accumulate` adds one to the session's `TariffUsage`: it cuts
// the interval wherever what applies may change (a local time of day, a date, a clock
// change, a duration or energy threshold), and for each piece asks, per dimension,
// which element applies: the first whose restrictions match (OCPI). The usage holds
// only the quantity each element priced, so it stays small however long the session,
// and pricing does not depend on how often the session was sampled (energy inside an
// interval is taken as delivered evenly).
//
// `priceUsage` turns the usage into money. The rule (README, "How a session is priced"):
//   1. Step sizes apply once per dimension over the whole session: the dimension's
//      total is rounded up to the step of the last element that priced it, and the
//      extra is priced at that element's price (OCPI's step_size examples).
//   2. A line is one dimension at one unit price and VAT rate (listed in the order the
//      session first used them). Each line is rounded once to the currency's minor unit,
//      half up: its gross and its net from the exact amounts; its VAT is gross − net.
//   3. Totals (net, VAT per rate, gross) are the sums of the rounded lines, so what
//      the screen, the capture, the receipt and the QR show always adds up.
//   4. min_price and max_price add an adjustment line, at the tariff's own VAT rate,
//      that brings the net and the gross total to the bound (OCPI: both apply).
//   5. Nothing delivered, nothing charged: a session without energy costs nothing.
import type { CostLine } from '../contract/snapshot.js';
import { ONE, ZERO, add, exact, mul, parseDecimal, roundHalfUp, currencyExponent, toDecimalString, type Exact } from './decimal.js';
import { DAY_MS, dayNumber, msOfDayOf, type LocalTime } from './local-time.js';
import { DAYS_OF_WEEK, type TariffConfig } from './tariff-schema.js';

export type Dimension = 'ENERGY' | 'TIME' | 'PARKING_TIME';
type ComponentType = Dimension | 'FLAT';
const DIMENSIONS: readonly Dimension[] = ['ENERGY', 'TIME', 'PARKING_TIME'];

/** Below this power a connected car is parking, not charging (OCPI PARKING_TIME: time not charging), W. */
export const PARKING_BELOW_W = 100;

/** What a session has used, per element; plain numbers, so it persists as JSON. */
export interface TariffUsage {
  /** When the session started, ms UTC: durations count from here. */
  startedAt: number;
  /** End of the last interval added, ms UTC. */
  at: number;
  /** Energy delivered, mWh. */
  energyMwh: number;
  /** Time charging and time parking, ms. */
  chargingMs: number;
  parkingMs: number;
  /** Quantity each element priced per dimension (mWh, ms), by element index. */
  priced: Record<Dimension, Record<string, number>>;
  /** The last element that priced each dimension: its step size rounds the dimension's total. */
  last: Record<Dimension, number | null>;
  /** "DIMENSION:element" in the order first used, so lines read in the order the session ran (absent in older states). */
  used?: string[];
  /** The element whose FLAT fee applies, once one matched. */
  flat: number | null;
  /** Parking stopped accruing when it would have taken the cost past the session's limit. */
  parkingCapped: boolean;
}

/** A stretch of the session, from the usage's `at` to `to`. */
export interface UsageInterval {
  to: number;
  /** Energy delivered in it, Wh (kept to the mWh). */
  energyWh: number;
  /** Drawing power; otherwise the time counts as parking. */
  charging: boolean;
  /** Power and current (summed over the phases) for the power and current restrictions. */
  powerW?: number;
  currentA?: number;
}

export interface PricedSession {
  currency: string;
  /** Incl. VAT: the amount due. Sums of the rounded lines. */
  totalMinor: number;
  netMinor: number;
  vatMinor: number;
  lines: CostLine[];
  /** Net, VAT and gross per VAT rate (null: no VAT applies). */
  vatRates: { vatPercent: string | null; netMinor: number; vatMinor: number; grossMinor: number }[];
}

// ── the compiled tariff ──────────────────────────────────────────────────────

interface Component {
  type: ComponentType;
  net: Exact;
  gross: Exact;
  vatPercent: string | null;
  /** The step in the usage's units (mWh, ms); 1 for FLAT. */
  step: number;
  /** Gross unit price as shown: FLAT as charged, others to the precision the operator gave. */
  shown: string;
}

interface Restrictions {
  startMs: number | null;
  endMs: number | null;
  startDay: number | null;
  endDay: number | null;
  weekdays: number | null; // bitmask, bit 0 = Monday
  minMwh: number | null;
  maxMwh: number | null;
  minCurrentA: number | null;
  maxCurrentA: number | null;
  minPowerW: number | null;
  maxPowerW: number | null;
  minDurationMs: number | null;
  maxDurationMs: number | null;
  reservation: boolean;
}

interface Element {
  components: Partial<Record<ComponentType, Component>>;
  restrictions: Restrictions | null;
}

export interface CompiledTariff {
  source: TariffConfig;
  currency: string;
  scale: bigint;
  elements: Element[];
  /** Local times of day at which an element may start or stop applying, ms after midnight (0 included). */
  boundaries: number[];
  usesLocalTime: boolean;
  durationThresholdsMs: number[];
  energyThresholdsMwh: number[];
  minPrice: { net: Exact; gross: Exact | null } | null;
  maxPrice: { net: Exact; gross: Exact | null } | null;
  /** The tariff's own VAT rate (its first energy price's, else its first price's): the bounds' rate. */
  headlineVat: { percent: string | null; factor: Exact };
}

const MWH_PER_KWH = 1_000_000n;
const MS_PER_HOUR = 3_600_000n;

const compiled = new WeakMap<TariffConfig, CompiledTariff>();

function decimalsOf(text: string): number {
  return text.split('.')[1]?.length ?? 0;
}

function compileComponent(raw: TariffConfig['elements'][number]['price_components'][number], digits: number): Component {
  const vatFactor = raw.vat === undefined ? ONE : add(ONE, mul(parseDecimal(raw.vat), exact(1n, 100n)));
  const given = raw.price ?? raw.price_incl_vat!;
  const gross = raw.price_incl_vat !== undefined ? parseDecimal(raw.price_incl_vat) : mul(parseDecimal(given), vatFactor);
  const net = raw.price_incl_vat !== undefined ? mul(gross, exact(vatFactor.den, vatFactor.num)) : parseDecimal(given);
  const unit = raw.type === 'ENERGY' ? 1000 : raw.type === 'FLAT' ? 1 : 1000; // Wh → mWh, s → ms
  // FLAT as charged; a unit price to the precision the operator gave, or up to two digits
  // more than money where VAT makes it finer (0.2899 + 19 % → 0.3450, ¥35 + 10 % → ¥38.5).
  const given_digits = Math.max(digits, decimalsOf(given));
  const exactAt = (n: number) => roundHalfUp(mul(gross, exact(10n ** BigInt(n)))) * gross.den === gross.num * 10n ** BigInt(n);
  let shownDigits = raw.type === 'FLAT' ? digits : Math.min(6, given_digits);
  while (raw.type !== 'FLAT' && shownDigits < Math.max(given_digits, digits + 2) && !exactAt(shownDigits)) shownDigits++;
  return {
    type: raw.type,
    net,
    gross,
    vatPercent: raw.vat === undefined ? null : toDecimalString(parseDecimal(raw.vat), 6),
    step: raw.type === 'FLAT' ? 1 : raw.step_size * unit,
    shown: toDecimalString(gross, shownDigits, shownDigits),
  };
}

const mwhOf = (kwh: string | undefined): number | null => (kwh === undefined ? null : Number(roundHalfUp(mul(parseDecimal(kwh), exact(MWH_PER_KWH)))));

function compileRestrictions(raw: NonNullable<TariffConfig['elements'][number]['restrictions']>): Restrictions {
  return {
    startMs: raw.start_time === undefined ? null : msOfDayOf(raw.start_time),
    endMs: raw.end_time === undefined ? null : msOfDayOf(raw.end_time),
    startDay: raw.start_date === undefined ? null : dayNumber(raw.start_date),
    endDay: raw.end_date === undefined ? null : dayNumber(raw.end_date),
    weekdays: raw.day_of_week === undefined ? null : raw.day_of_week.reduce((mask, day) => mask | (1 << DAYS_OF_WEEK.indexOf(day)), 0),
    minMwh: mwhOf(raw.min_kwh),
    maxMwh: mwhOf(raw.max_kwh),
    minCurrentA: raw.min_current ?? null,
    maxCurrentA: raw.max_current ?? null,
    minPowerW: raw.min_power === undefined ? null : raw.min_power * 1000,
    maxPowerW: raw.max_power === undefined ? null : raw.max_power * 1000,
    minDurationMs: raw.min_duration === undefined ? null : raw.min_duration * 1000,
    maxDurationMs: raw.max_duration === undefined ? null : raw.max_duration * 1000,
    reservation: raw.reservation !== undefined,
  };
}

function headlineVatOf(tariff: TariffConfig): CompiledTariff['headlineVat'] {
  const components = tariff.elements.flatMap((e) => e.price_components);
  const vat = (components.find((c) => c.type === 'ENERGY') ?? components[0])?.vat;
  return vat === undefined ? { percent: null, factor: ONE } : { percent: toDecimalString(parseDecimal(vat), 6), factor: add(ONE, mul(parseDecimal(vat), exact(1n, 100n))) };
}

/** The tariff prepared for pricing (cached per tariff object). */
export function compileTariff(tariff: TariffConfig): CompiledTariff {
  const known = compiled.get(tariff);
  if (known) return known;
  const digits = currencyExponent(tariff.currency);
  const elements: Element[] = tariff.elements.map((element) => {
    const components: Element['components'] = {};
    for (const raw of element.price_components) components[raw.type] ??= compileComponent(raw, digits);
    return { components, restrictions: element.restrictions ? compileRestrictions(element.restrictions) : null };
  });
  const boundaries = new Set<number>([0]);
  const durations = new Set<number>();
  const energies = new Set<number>();
  let usesLocalTime = false;
  for (const { restrictions: r } of elements) {
    if (!r) continue;
    if (r.startMs !== null || r.endMs !== null || r.startDay !== null || r.endDay !== null || r.weekdays !== null) usesLocalTime = true;
    for (const ms of [r.startMs, r.endMs]) if (ms !== null) boundaries.add(ms);
    for (const ms of [r.minDurationMs, r.maxDurationMs]) if (ms !== null && ms > 0) durations.add(ms);
    for (const mwh of [r.minMwh, r.maxMwh]) if (mwh !== null && mwh > 0) energies.add(mwh);
  }
  const bound = (price: TariffConfig['min_price']) =>
    price ? { net: parseDecimal(price.excl_vat), gross: price.incl_vat === undefined ? null : parseDecimal(price.incl_vat) } : null;
  const result: CompiledTariff = {
    source: tariff,
    currency: tariff.currency,
    scale: 10n ** BigInt(digits),
    elements,
    boundaries: [...boundaries].sort((a, b) => a - b),
    usesLocalTime,
    durationThresholdsMs: [...durations].sort((a, b) => a - b),
    energyThresholdsMwh: [...energies].sort((a, b) => a - b),
    minPrice: bound(tariff.min_price),
    maxPrice: bound(tariff.max_price),
    headlineVat: headlineVatOf(tariff),
  };
  compiled.set(tariff, result);
  return result;
}

// ── which element applies ───────────────────────────────────────────────────

/** The state of the session at an instant, as restrictions see it. */
export interface Conditions {
  at: number;
  durationMs: number;
  energyMwh: number;
  charging: boolean;
  powerW: number;
  currentA: number;
}

function matches(r: Restrictions | null, c: Conditions, zone: LocalTime): boolean {
  if (!r) return true;
  if (r.reservation) return false;
  if (r.startMs !== null || r.endMs !== null || r.startDay !== null || r.endDay !== null || r.weekdays !== null) {
    const local = zone.parts(c.at);
    if (r.startMs !== null || r.endMs !== null) {
      const start = r.startMs ?? 0;
      const end = r.endMs ?? DAY_MS;
      const inside = start < end ? local.msOfDay >= start && local.msOfDay < end : start === end || local.msOfDay >= start || local.msOfDay < end;
      if (!inside) return false;
    }
    if (r.startDay !== null && local.day < r.startDay) return false;
    if (r.endDay !== null && local.day >= r.endDay) return false;
    if (r.weekdays !== null && (r.weekdays & (1 << local.weekday)) === 0) return false;
  }
  if (r.minMwh !== null && c.energyMwh < r.minMwh) return false;
  if (r.maxMwh !== null && c.energyMwh >= r.maxMwh) return false;
  if (r.minDurationMs !== null && c.durationMs < r.minDurationMs) return false;
  if (r.maxDurationMs !== null && c.durationMs >= r.maxDurationMs) return false;
  if (r.minPowerW !== null && c.powerW < r.minPowerW) return false;
  if (r.maxPowerW !== null && c.powerW >= r.maxPowerW) return false;
  if (r.minCurrentA !== null && c.currentA < r.minCurrentA) return false;
  if (r.maxCurrentA !== null && c.currentA >= r.maxCurrentA) return false;
  return true;
}

/** Index of the first element with a component of `type` whose restrictions match, or -1. */
export function applicableElement(tariff: CompiledTariff, type: ComponentType, c: Conditions, zone: LocalTime): number {
  return tariff.elements.findIndex((element) => element.components[type] !== undefined && matches(element.restrictions, c, zone));
}

/** The component an element index stands for. */
export function componentOf(tariff: CompiledTariff, type: ComponentType, element: number): Component | undefined {
  return tariff.elements[element]?.components[type];
}

// ── metering ────────────────────────────────────────────────────────────────

export function startUsage(at: number): TariffUsage {
  return {
    startedAt: at,
    at,
    energyMwh: 0,
    chargingMs: 0,
    parkingMs: 0,
    priced: { ENERGY: {}, TIME: {}, PARKING_TIME: {} },
    last: { ENERGY: null, TIME: null, PARKING_TIME: null },
    used: [],
    flat: null,
    parkingCapped: false,
  };
}

function checkInterval(usage: TariffUsage, interval: UsageInterval): void {
  if (!Number.isFinite(interval.to) || interval.to < usage.at) throw new RangeError(`an interval must end at or after ${usage.at}, got ${interval.to}`);
  if (!Number.isFinite(interval.energyWh) || interval.energyWh < 0) throw new RangeError(`energyWh must be a non-negative number, got ${interval.energyWh}`);
  for (const [name, value] of [['powerW', interval.powerW], ['currentA', interval.currentA]] as const) {
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) throw new RangeError(`${name} must be a non-negative number, got ${value}`);
  }
}

/** Adds one interval to the usage (a new object; the old one is not changed). */
export function accumulate(tariff: TariffConfig, usage: TariffUsage, interval: UsageInterval, zone: LocalTime): TariffUsage {
  checkInterval(usage, interval);
  const t = compileTariff(tariff);
  const next: TariffUsage = {
    ...usage,
    priced: { ENERGY: { ...usage.priced.ENERGY }, TIME: { ...usage.priced.TIME }, PARKING_TIME: { ...usage.priced.PARKING_TIME } },
    last: { ...usage.last },
    used: [...(usage.used ?? [])],
  };
  const from = usage.at;
  const to = interval.to;
  const span = to - from;
  const energy = Math.round(interval.energyWh * 1000);
  const powerW = interval.powerW ?? (span > 0 ? (interval.energyWh * 3_600_000) / span : 0);
  const currentA = interval.currentA ?? 0;
  // Energy delivered by instant x, evenly over the interval, in whole mWh.
  const energyBy = (x: number): number => (x >= to || span === 0 ? energy : Number((BigInt(energy) * BigInt(x - from)) / BigInt(span)));

  const add = (dimension: Dimension, element: number, quantity: number) => {
    if (element < 0 || quantity <= 0) return;
    if (next.priced[dimension][element] === undefined) next.used!.push(`${dimension}:${element}`);
    next.priced[dimension][element] = (next.priced[dimension][element] ?? 0) + quantity;
    next.last[dimension] = element;
  };

  let at = from;
  let done = 0;
  do {
    const conditions: Conditions = {
      at,
      durationMs: at - usage.startedAt,
      energyMwh: usage.energyMwh + done,
      charging: interval.charging,
      powerW: interval.charging ? powerW : 0,
      currentA: interval.charging ? currentA : 0,
    };
    let end = to;
    if (t.usesLocalTime) end = Math.min(end, zone.nextChange(at, t.boundaries));
    for (const threshold of t.durationThresholdsMs) {
      const when = usage.startedAt + threshold;
      if (when > at && when < end) end = when;
    }
    if (energy > 0 && span > 0) {
      for (const threshold of t.energyThresholdsMwh) {
        const needed = threshold - usage.energyMwh;
        if (needed <= done || needed > energy) continue;
        const when = from + Number((BigInt(needed) * BigInt(span) + BigInt(energy) - 1n) / BigInt(energy));
        if (when > at && when < end) end = when;
      }
    }
    const energyHere = energyBy(end) - done;
    add('ENERGY', energyHere > 0 ? applicableElement(t, 'ENERGY', conditions, zone) : -1, energyHere);
    if (interval.charging) add('TIME', applicableElement(t, 'TIME', conditions, zone), end - at);
    else add('PARKING_TIME', applicableElement(t, 'PARKING_TIME', conditions, zone), end - at);
    if (next.flat === null) {
      const flat = applicableElement(t, 'FLAT', conditions, zone);
      if (flat >= 0) next.flat = flat;
    }
    done += energyHere;
    at = end;
  } while (at < to);

  next.at = to;
  next.energyMwh = usage.energyMwh + energy;
  if (interval.charging) next.chargingMs = usage.chargingMs + span;
  else next.parkingMs = usage.parkingMs + span;
  return next;
}

/**
 * Adds an interval, except that parking stops accruing once it would take the cost past
 * `limitMinor`: a parked car cannot be stopped by the hold check, so the fee itself
 * stops (the time still passes). Energy and charging time are never cut.
 */
export function accumulateWithin(tariff: TariffConfig, usage: TariffUsage, interval: UsageInterval, zone: LocalTime, limitMinor: number): TariffUsage {
  if (interval.charging) return accumulate(tariff, usage, interval, zone);
  const parkingUntil = (ms: number) => accumulate(tariff, usage, { ...interval, to: usage.at + ms, energyWh: 0 }, zone);
  let parkedMs = 0;
  if (!usage.parkingCapped) {
    const full = accumulate(tariff, usage, interval, zone);
    if (priceUsage(tariff, full).totalMinor <= limitMinor) return full;
    // The most parking that stays within the limit, to the millisecond.
    let high = interval.to - usage.at;
    while (high - parkedMs > 1) {
      const middle = Math.floor((parkedMs + high) / 2);
      if (priceUsage(tariff, parkingUntil(middle)).totalMinor <= limitMinor) parkedMs = middle;
      else high = middle;
    }
  }
  let capped = parkedMs > 0 ? parkingUntil(parkedMs) : usage;
  // Energy is never cut: what the interval delivered counts, at the moment parking stopped accruing.
  if (interval.energyWh > 0) capped = accumulate(tariff, capped, { ...interval, to: capped.at }, zone);
  return { ...capped, at: interval.to, parkingMs: capped.parkingMs + (interval.to - capped.at), parkingCapped: true };
}

// ── pricing ─────────────────────────────────────────────────────────────────

const KIND = { ENERGY: 'energy', TIME: 'time', PARKING_TIME: 'parking', FLAT: 'flat' } as const;
/** Usage units per price unit: mWh per kWh, ms per hour. */
const PER_UNIT: Record<Dimension, bigint> = { ENERGY: MWH_PER_KWH, TIME: MS_PER_HOUR, PARKING_TIME: MS_PER_HOUR };

interface ExactLine {
  kind: CostLine['kind'];
  unit: CostLine['unit'];
  shown: string;
  vatPercent: string | null;
  quantity: number;
  net: Exact;
  gross: Exact;
}

function zeroPriced(currency: string): PricedSession {
  return { currency, totalMinor: 0, netMinor: 0, vatMinor: 0, lines: [], vatRates: [] };
}

/** What the usage costs, by the rule at the top of this file. */
export function priceUsage(tariff: TariffConfig, usage: TariffUsage): PricedSession {
  const t = compileTariff(tariff);
  if (usage.energyMwh === 0) return zeroPriced(t.currency);
  const exactLines = new Map<string, ExactLine>();
  const addLine = (component: Component, kind: CostLine['kind'], unit: CostLine['unit'], quantity: number, units: Exact) => {
    const key = `${kind}|${component.shown}|${component.vatPercent}|${component.net.num}/${component.net.den}`;
    const line = exactLines.get(key) ?? { kind, unit, shown: component.shown, vatPercent: component.vatPercent, quantity: 0, net: ZERO, gross: ZERO };
    line.quantity += quantity;
    line.net = add(line.net, mul(units, component.net));
    line.gross = add(line.gross, mul(units, component.gross));
    exactLines.set(key, line);
  };

  for (const dimension of DIMENSIONS) {
    const priced = usage.priced[dimension];
    const last = usage.last[dimension];
    let total = 0;
    for (const quantity of Object.values(priced)) total += quantity;
    if (total === 0 || last === null) continue;
    const step = componentOf(t, dimension, last)!.step;
    const extra = Math.ceil(total / step) * step - total;
    const firstUse = (index: string) => {
      const at = usage.used?.indexOf(`${dimension}:${index}`) ?? -1;
      return at < 0 ? Number.MAX_SAFE_INTEGER : at;
    };
    for (const [index, quantity] of Object.entries(priced).sort(([a], [b]) => firstUse(a) - firstUse(b))) {
      const billed = quantity + (Number(index) === last ? extra : 0);
      if (billed <= 0) continue;
      const component = componentOf(t, dimension, Number(index))!;
      addLine(component, KIND[dimension], dimension === 'ENERGY' ? 'kWh' : 'hour', billed / 1000 /* mWh → Wh, ms → s */, exact(BigInt(billed), PER_UNIT[dimension]));
    }
  }
  if (usage.flat !== null) addLine(componentOf(t, 'FLAT', usage.flat)!, 'flat', 'session', 1, ONE);

  const toMinor = (major: Exact): number => Number(roundHalfUp(mul(major, exact(t.scale))));
  const lines: CostLine[] = [...exactLines.values()]
    .sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind))
    .map((line) => {
      const amountMinor = toMinor(line.gross);
      const netMinor = toMinor(line.net);
      return { kind: line.kind, quantity: round3(line.quantity), unit: line.unit, unitPrice: line.shown, vatPercent: line.vatPercent, amountMinor, netMinor, vatMinor: amountMinor - netMinor };
    });
  boundTotal(t, lines, toMinor);
  return totalsOf(t.currency, lines);
}

const ORDER: readonly CostLine['kind'][] = ['energy', 'time', 'parking', 'flat', 'minPrice', 'maxPrice'];

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * min_price and max_price (OCPI: both their excl. and incl. VAT amounts apply): one
 * adjustment line brings the net total to the bound's excl_vat and the gross total to
 * its incl_vat (else excl_vat at the tariff's own VAT rate). The line is booked at that
 * one rate, fixed by the tariff, so the bound never jumps as the session's mix of lines
 * changes; with one VAT rate its VAT is that rate's, with several it is what brings
 * both totals to the bound.
 */
function boundTotal(t: CompiledTariff, lines: CostLine[], toMinor: (major: Exact) => number): void {
  const net = lines.reduce((sum, l) => sum + l.netMinor, 0);
  const gross = lines.reduce((sum, l) => sum + l.amountMinor, 0);
  const { percent, factor } = t.headlineVat;
  const adjust = (kind: 'minPrice' | 'maxPrice', bound: { net: Exact; gross: Exact | null }, direction: 1 | -1) => {
    const netMinor = direction * Math.max(0, direction * (toMinor(bound.net) - net));
    const grossMinor = direction * Math.max(0, direction * (toMinor(bound.gross ?? mul(bound.net, factor)) - gross));
    if (netMinor === 0 && grossMinor === 0) return;
    lines.push({ kind, quantity: 1, unit: 'session', unitPrice: '', vatPercent: percent, amountMinor: grossMinor, netMinor, vatMinor: grossMinor - netMinor });
  };
  if (t.minPrice) adjust('minPrice', t.minPrice, 1);
  if (t.maxPrice) adjust('maxPrice', t.maxPrice, -1);
}

function totalsOf(currency: string, lines: CostLine[]): PricedSession {
  const rates = new Map<string, PricedSession['vatRates'][number]>();
  for (const line of lines) {
    const key = line.vatPercent ?? '';
    const rate = rates.get(key) ?? { vatPercent: line.vatPercent, netMinor: 0, vatMinor: 0, grossMinor: 0 };
    rate.netMinor += line.netMinor;
    rate.vatMinor += line.vatMinor;
    rate.grossMinor += line.amountMinor;
    rates.set(key, rate);
  }
  const netMinor = lines.reduce((sum, l) => sum + l.netMinor, 0);
  const totalMinor = lines.reduce((sum, l) => sum + l.amountMinor, 0);
  return { currency, totalMinor, netMinor, vatMinor: totalMinor - netMinor, lines, vatRates: [...rates.values()] };
}

// ── sessions described by their totals ──────────────────────────────────────

export interface SessionTotals {
  /** Start of charging, ms UTC. */
  start: number;
  energyWh: number;
  chargingS: number;
  parkingS: number;
  /** Charging power for power restrictions; the average when absent, W. */
  powerW?: number;
  currentA?: number;
}

/** The usage of a session that charged `energyWh` evenly over `chargingS` from `start`, then parked `parkingS`. */
export function usageOfTotals(tariff: TariffConfig, totals: SessionTotals, zone: LocalTime): TariffUsage {
  const chargingMs = Math.round(totals.chargingS * 1000);
  let usage = accumulate(tariff, startUsage(totals.start), { to: totals.start + chargingMs, energyWh: totals.energyWh, charging: true, powerW: totals.powerW, currentA: totals.currentA }, zone);
  if (totals.parkingS > 0) usage = accumulate(tariff, usage, { to: usage.at + Math.round(totals.parkingS * 1000), energyWh: 0, charging: false }, zone);
  return usage;
}

// The money rules as the kiosk uses them. Every figure comes from the one engine
// (tariff-engine.ts): the screen's live cost, the hold check, the capture, the
// receipt, the prices shown before start and the operator's `tariff quote`.
import type { PriceChange, PriceLine, TariffView } from '../contract/snapshot.js';
import { perMinuteExact } from '../contract/price-units.js';
import { currencyExponent, exact, mul, roundHalfUp, toDecimalString, type Exact } from './decimal.js';
import type { LocalTime } from './local-time.js';
import type { TariffConfig } from './tariff-schema.js';
import {
  accumulate,
  applicableElement,
  compileTariff,
  componentOf,
  priceUsage,
  type Conditions,
  type PricedSession,
  type TariffUsage,
} from './tariff-engine.js';

export type { PricedSession, TariffUsage } from './tariff-engine.js';

export interface SessionCost {
  priced: PricedSession;
  /** No energy was delivered: nothing is due, whatever the session fee, parking fee or minimum price. */
  noCharge: boolean;
  /** Parking stopped accruing when it would have taken the cost past the limit. */
  parkingCapped: boolean;
}

/** What a session costs, as the screen shows it and the settlement takes it. */
export function sessionCost(tariff: TariffConfig, usage: TariffUsage): SessionCost {
  return { priced: priceUsage(tariff, usage), noCharge: usage.energyMwh === 0, parkingCapped: usage.parkingCapped };
}

/**
 * Whether charging must stop now to stay within the hold: the cost projected to the
 * next meter sample plus the controller's stop delay (`lookaheadS`), at the present
 * power, would pass `limitMinor`. The lookahead's energy is rounded up, so the check
 * errs on the side of stopping early.
 */
export function projectedCostExceedsHold(args: { tariff: TariffConfig; usage: TariffUsage; powerW: number; lookaheadS: number; limitMinor: number; zone: LocalTime; currentA?: number }): boolean {
  const { tariff, usage, powerW, lookaheadS, limitMinor, zone } = args;
  if (!Number.isFinite(powerW) || powerW < 0) throw new TypeError(`powerW must be a non-negative number, got ${powerW}`);
  if (!Number.isFinite(lookaheadS) || lookaheadS < 0) throw new TypeError(`lookaheadS must be a non-negative number, got ${lookaheadS}`);
  const ahead = accumulate(tariff, usage, { to: usage.at + Math.ceil(lookaheadS * 1000), energyWh: Math.ceil((powerW * lookaheadS) / 3600), charging: true, powerW, currentA: args.currentA }, zone);
  return priceUsage(tariff, ahead).totalMinor > limitMinor;
}

/** What to take from the card: never more than was authorised; any rest is written off. */
export function settle(pricedMinor: number, authorizedMinor: number): { capturedMinor: number; writtenOffMinor: number } {
  for (const [name, value] of [['pricedMinor', pricedMinor], ['authorizedMinor', authorizedMinor]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  const capturedMinor = Math.min(pricedMinor, authorizedMinor);
  return { capturedMinor, writtenOffMinor: pricedMinor - capturedMinor };
}

/**
 * The most energy, Wh, that `limitMinor` pays for at the tariff's cheapest energy
 * price: what a controller may be told to deliver at most, as a backstop. Every other
 * component only makes the real limit lower, so this never stops charging early.
 */
export function energyCoveredWh(tariff: TariffConfig, limitMinor: number, maxWh = 1_000_000): number {
  const t = compileTariff(tariff);
  let cheapest: Exact | null = null;
  for (const element of t.elements) {
    const energy = element.components.ENERGY;
    if (energy && (cheapest === null || energy.gross.num * cheapest.den < cheapest.num * energy.gross.den)) cheapest = energy.gross;
  }
  // Without an unrestricted energy price, energy is free whenever no restricted one matches: no limit then.
  if (cheapest === null || cheapest.num === 0n || !t.elements.some((e) => e.components.ENERGY && e.restrictions === null)) return maxWh;
  const limitMajor = exact(BigInt(limitMinor), t.scale);
  const wh = (limitMajor.num * 1000n * cheapest.den) / (limitMajor.den * cheapest.num);
  return Number(wh > BigInt(maxWh) ? BigInt(maxWh) : wh);
}

// ── the prices the driver sees before committing ─────────────────────────────

/** How far ahead the screens look for price changes: a typical session, ms. */
export const TYPICAL_SESSION_MS = 4 * 3_600_000;

const UNIT = { ENERGY: 'kWh', TIME: 'hour', PARKING_TIME: 'hour', FLAT: 'session' } as const;
const KIND = { ENERGY: 'energy', TIME: 'time', PARKING_TIME: 'parking', FLAT: 'flat' } as const;
/** The order the screens list prices in: per kWh, per minute, per session, idle fee. */
const SHOWN: readonly (keyof typeof KIND)[] = ['ENERGY', 'TIME', 'FLAT', 'PARKING_TIME'];

/** A price per hour as the driver reads it: per minute when that is exact (perMinuteExact), else per hour. */
function shownPrice(type: keyof typeof KIND, shown: string, exponent: number): Pick<PriceLine, 'price' | 'unit'> {
  if (type !== 'TIME' && type !== 'PARKING_TIME') return { price: shown, unit: UNIT[type] };
  const minute = perMinuteExact(shown, exponent);
  return minute === null ? { price: shown, unit: 'hour' } : { price: minute, unit: 'minute' };
}

export interface ViewOptions {
  holdMinor: number;
  zone: LocalTime;
  now: number;
  /** The connector's most power, W, and current summed over its phases, A: a typical session charges at them. */
  maxPowerW: number;
  maxCurrentA: number;
}

/**
 * The prices that apply to a session started now, and how they change during a
 * typical one (TYPICAL_SESSION_MS at the connector's power): "from 22:00 €0.29/kWh".
 */
export function tariffView(tariff: TariffConfig, options: ViewOptions): TariffView {
  const t = compileTariff(tariff);
  const exponent = currencyExponent(tariff.currency);
  const { zone, now } = options;
  const at = (ms: number): Conditions => ({
    at: now + ms,
    durationMs: ms,
    energyMwh: Math.floor((options.maxPowerW * ms) / 3600),
    charging: true,
    powerW: options.maxPowerW,
    currentA: options.maxCurrentA,
  });
  const choice = (type: keyof typeof KIND, c: Conditions) => {
    const element = applicableElement(t, type, type === 'PARKING_TIME' ? { ...c, charging: false, powerW: 0, currentA: 0 } : c, zone);
    return element < 0 ? null : componentOf(t, type, element)!;
  };
  const lineOf = (type: keyof typeof KIND, shown: string): PriceLine => ({ kind: KIND[type], ...shownPrice(type, shown, exponent) });

  const start = at(0);
  const lines = SHOWN.flatMap((type) => {
    const component = choice(type, start);
    return component ? [lineOf(type, component.shown)] : [];
  });

  // Walk the typical session through every point where what applies may change.
  const changes: PriceChange[] = [];
  const current = new Map(SHOWN.map((type) => [type, choice(type, start)?.shown ?? null]));
  const points = new Map<number, 'time' | 'duration' | 'energy'>();
  if (t.usesLocalTime) for (let p = zone.nextChange(now, t.boundaries); p < now + TYPICAL_SESSION_MS; p = zone.nextChange(p, t.boundaries)) points.set(p - now, 'time');
  if (options.maxPowerW > 0) for (const mwh of t.energyThresholdsMwh) points.set(Math.ceil((mwh * 3600) / options.maxPowerW), 'energy');
  for (const ms of t.durationThresholdsMs) points.set(ms, 'duration');
  for (const [ms, why] of [...points].filter(([p]) => p > 0 && p < TYPICAL_SESSION_MS).sort(([a], [b]) => a - b)) {
    const c = at(ms);
    for (const type of SHOWN) {
      if (type === 'FLAT') continue; // a session fee is decided at the start
      const shown = choice(type, c)?.shown ?? null;
      if (shown === current.get(type)) continue;
      current.set(type, shown);
      changes.push({
        ...lineOf(type, shown ?? '0'),
        fromTime: why === 'time' ? zone.describe(now + ms).time : null,
        afterMinutes: why === 'duration' ? Math.round(ms / 60_000) : null,
        afterKwh: why === 'energy' ? toDecimalString(exact(BigInt(c.energyMwh), 1_000_000n), 3) : null,
        free: shown === null,
      });
    }
  }

  // The rate shown beside the prices: the energy price's now, else the tariff's own.
  const vatPercent = choice('ENERGY', start)?.vatPercent ?? t.headlineVat.percent ?? '0';
  const toMinor = (major: Exact) => Number(roundHalfUp(mul(major, exact(t.scale))));
  const bound = (price: { net: Exact; gross: Exact | null } | null) => (price ? toMinor(price.gross ?? mul(price.net, t.headlineVat.factor)) : null);
  return {
    currency: tariff.currency,
    vatPercent,
    lines,
    changes,
    minPriceMinor: bound(t.minPrice),
    maxPriceMinor: bound(t.maxPrice),
    holdMinor: options.holdMinor,
  };
}

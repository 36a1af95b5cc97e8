// The money rules. `priceSession` is the one function that prices a session: the
// screen, the hold-limit auto-stop, the capture and the receipt all call it, so
// they can never disagree about what a session costs.
//
// Rounding rule (the only place money is rounded):
//   1. Per component type the FIRST element of the tariff that has it applies
//      (OCPI 2.2.1: first matching element wins; restrictions are not evaluated yet).
//   2. Its quantity is rounded UP to its step_size: ENERGY in Wh of the session's
//      energy, TIME in s of charging, PARKING_TIME in s of parking. FLAT is 1 per
//      session and applies from the start, so it is always due.
//   3. Net cost = quantity × price exactly (Wh/1000 per kWh, s/3600 per hour);
//      gross = net × (1 + vat/100) exactly, as bigint fractions.
//   4. totalMinor = round-half-up(Σ gross), netMinor = round-half-up(Σ net),
//      vatMinor = totalMinor − netMinor. Rounding once keeps the total within half
//      a minor unit of the exact price, whatever the number of components.
//   5. Each CostLine.amountMinor is that line's gross rounded half-up, for display
//      only: the lines may not add up to the total (each is off by at most half a
//      minor unit); the total is authoritative and is what is charged.

import type { TariffConfig } from '../config/config-schema.js';
import type { CostLine, PriceLine, TariffView } from '../contract/snapshot.js';
import {
  ONE,
  add,
  ceilToStep,
  currencyExponent,
  exact,
  mul,
  parseDecimal,
  roundHalfUp,
  sum,
  toDecimalString,
  type Exact,
} from './decimal.js';

/** What a session has used so far. */
export interface Usage {
  /** Energy delivered in the session, Wh. */
  energyWh: number;
  /** Time spent charging, s. */
  chargingS: number;
  /** Time plugged in but not charging, s. */
  parkingS: number;
}

export interface PricedSession {
  currency: string;
  /** Incl. VAT: the amount due. */
  totalMinor: number;
  netMinor: number;
  vatMinor: number;
  lines: CostLine[];
}

type ComponentType = TariffConfig['elements'][number]['price_components'][number]['type'];
type PriceComponent = TariffConfig['elements'][number]['price_components'][number];

const KIND = {
  ENERGY: 'energy',
  TIME: 'time',
  PARKING_TIME: 'parking',
  FLAT: 'flat',
} as const satisfies Record<ComponentType, CostLine['kind']>;

const UNIT = { ENERGY: 'kWh', TIME: 'hour', PARKING_TIME: 'hour', FLAT: 'session' } as const satisfies Record<
  ComponentType,
  PriceLine['unit']
>;

/** Quantity units per price unit: Wh per kWh, s per hour, 1 per session. */
const PER_PRICE_UNIT = { ENERGY: 1000n, TIME: 3600n, PARKING_TIME: 3600n, FLAT: 1n } as const;

/** Fixed order, so that screen and receipt list components the same way whatever the tariff's order. */
const ORDER: readonly ComponentType[] = ['ENERGY', 'TIME', 'PARKING_TIME', 'FLAT'];

/** The component that applies per type: the first element that has one wins. */
function applicableComponents(tariff: TariffConfig): PriceComponent[] {
  const found = new Map<ComponentType, PriceComponent>();
  for (const element of tariff.elements) {
    for (const component of element.price_components) {
      if (!found.has(component.type)) found.set(component.type, component);
    }
  }
  return ORDER.flatMap((type) => found.get(type) ?? []);
}

/** 1 + vat/100; OCPI: an absent vat means no VAT applies. */
function vatFactor(component: PriceComponent): Exact {
  return component.vat === undefined ? ONE : add(ONE, mul(parseDecimal(component.vat), exact(1n, 100n)));
}

function checkCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

function checkUsage(usage: Usage): Usage {
  if (typeof usage !== 'object' || usage === null) throw new TypeError('usage must be an object');
  return {
    energyWh: checkCount('energyWh', usage.energyWh),
    chargingS: checkCount('chargingS', usage.chargingS),
    parkingS: checkCount('parkingS', usage.parkingS),
  };
}

function billedQuantity(component: PriceComponent, usage: Usage): bigint {
  const step = BigInt(component.step_size);
  switch (component.type) {
    case 'ENERGY':
      return ceilToStep(BigInt(usage.energyWh), step);
    case 'TIME':
      return ceilToStep(BigInt(usage.chargingS), step);
    case 'PARKING_TIME':
      return ceilToStep(BigInt(usage.parkingS), step);
    case 'FLAT':
      return 1n;
  }
}

function toSafeNumber(value: bigint, what: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`${what} is too large: ${value}`);
  return number;
}

/** Prices a session at any instant. Throws TypeError for usage that is not non-negative integers. */
export function priceSession(tariff: TariffConfig, usage: Usage): PricedSession {
  const used = checkUsage(usage);
  const exponent = 10n ** BigInt(currencyExponent(tariff.currency));
  const toMinor = (major: Exact): number => toSafeNumber(roundHalfUp(mul(major, exact(exponent))), 'amount');

  const priced = applicableComponents(tariff).map((component) => {
    const quantity = billedQuantity(component, used);
    const net = mul(exact(quantity, PER_PRICE_UNIT[component.type]), parseDecimal(component.price));
    const gross = mul(net, vatFactor(component));
    const line: CostLine = { kind: KIND[component.type], quantity: toSafeNumber(quantity, 'quantity'), amountMinor: toMinor(gross) };
    return { net, gross, line };
  });

  const totalMinor = toMinor(sum(priced.map((p) => p.gross)));
  const netMinor = toMinor(sum(priced.map((p) => p.net)));
  return { currency: tariff.currency, totalMinor, netMinor, vatMinor: totalMinor - netMinor, lines: priced.map((p) => p.line) };
}

export interface SessionCost {
  priced: PricedSession;
  /** The usage as billed: parking cut where it would pass the limit. */
  billed: Usage;
  /** No energy was delivered: nothing is due, whatever the session fee, parking fee or minimum price. */
  noCharge: boolean;
  /** Parking stopped accruing when it would have taken the cost past the limit. */
  parkingCapped: boolean;
}

/**
 * What a session costs at an instant, as the screen shows it and the settlement takes
 * it (rule 2: every part of the kiosk calls this one function):
 *   - nothing delivered, nothing charged: with no energy the cost is 0;
 *   - parking time stops accruing once it would take the cost past `limitMinor` (a
 *     parked car cannot be stopped by the hold check, so the fee itself stops). Energy
 *     and charging time are never cut: metering past the limit is written off at
 *     settlement, as `settle` records.
 */
export function sessionCost(tariff: TariffConfig, usage: Usage, limitMinor: number): SessionCost {
  const used = checkUsage(usage);
  checkCount('limitMinor', limitMinor);
  if (used.energyWh === 0) {
    return { priced: { currency: tariff.currency, totalMinor: 0, netMinor: 0, vatMinor: 0, lines: [] }, billed: used, noCharge: true, parkingCapped: false };
  }
  const full = priceSession(tariff, used);
  if (full.totalMinor <= limitMinor || used.parkingS === 0) return { priced: full, billed: used, noCharge: false, parkingCapped: false };
  const at = (parkingS: number) => priceSession(tariff, { ...used, parkingS });
  // The cost is monotone in parking time: find the most parking that stays within the limit.
  let low = 0;
  let high = used.parkingS;
  if (at(0).totalMinor > limitMinor) high = 0;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (at(middle).totalMinor <= limitMinor) low = middle;
    else high = middle;
  }
  const billed = { ...used, parkingS: low };
  return { priced: at(low), billed, noCharge: false, parkingCapped: true };
}

/**
 * Most decimals a shown unit price keeps. Price and VAT have at most 6 decimals
 * each, so a product can need 14; such rare prices are rounded half-up here (for
 * display only: billing always uses the exact product).
 */
const VIEW_DECIMALS = 6;

/** The prices the driver sees before committing: incl. VAT, exact, per unit. */
export function tariffView(tariff: TariffConfig, holdMinor: number): TariffView {
  const components = applicableComponents(tariff);
  const minorDigits = currencyExponent(tariff.currency);
  const lines: PriceLine[] = components.map((component) => ({
    kind: KIND[component.type],
    price: toDecimalString(mul(parseDecimal(component.price), vatFactor(component)), VIEW_DECIMALS, minorDigits),
    unit: UNIT[component.type],
  }));
  // One rate is shown; when components differ the energy one is the rate the driver mostly pays.
  const rated = components.find((c) => c.type === 'ENERGY') ?? components[0];
  const vatPercent = toDecimalString(parseDecimal(rated?.vat ?? '0'), VIEW_DECIMALS);
  return { currency: tariff.currency, vatPercent, lines, holdMinor };
}

/**
 * Whether charging must stop now to stay within the hold: the cost projected to
 * the next meter sample plus the controller's stop delay (`lookaheadS`), at the
 * present power, would pass `limitMinor`. Energy and time of the lookahead are
 * rounded up, so the check errs on the side of stopping early.
 */
export function projectedCostExceedsHold(args: {
  tariff: TariffConfig;
  usage: Usage;
  powerW: number;
  lookaheadS: number;
  limitMinor: number;
}): boolean {
  const { tariff, usage, powerW, lookaheadS, limitMinor } = args;
  if (!Number.isFinite(powerW) || powerW < 0) throw new TypeError(`powerW must be a non-negative number, got ${powerW}`);
  if (!Number.isFinite(lookaheadS) || lookaheadS < 0) {
    throw new TypeError(`lookaheadS must be a non-negative number, got ${lookaheadS}`);
  }
  const used = checkUsage(usage);
  const projected = priceSession(tariff, {
    energyWh: used.energyWh + Math.ceil((powerW * lookaheadS) / 3600),
    chargingS: used.chargingS + Math.ceil(lookaheadS),
    parkingS: used.parkingS,
  });
  return projected.totalMinor > limitMinor;
}

/** What to take from the card: never more than was authorised; any rest is written off. */
export function settle(pricedMinor: number, authorizedMinor: number): { capturedMinor: number; writtenOffMinor: number } {
  checkCount('pricedMinor', pricedMinor);
  checkCount('authorizedMinor', authorizedMinor);
  const capturedMinor = Math.min(pricedMinor, authorizedMinor);
  return { capturedMinor, writtenOffMinor: pricedMinor - capturedMinor };
}

/**
 * The most energy, Wh, whose price (energy and flat components, no time) stays within
 * `limitMinor`: what a controller may be told to deliver at most as a backstop. Time
 * components only make the real limit lower, so this never stops charging early.
 */
export function energyCoveredWh(tariff: TariffConfig, limitMinor: number, maxWh = 1_000_000): number {
  const within = (energyWh: number) => priceSession(tariff, { energyWh, chargingS: 0, parkingS: 0 }).totalMinor <= limitMinor;
  if (!within(0)) return 0;
  if (within(maxWh)) return maxWh;
  let low = 0;
  let high = maxWh;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (within(middle)) low = middle;
    else high = middle;
  }
  return low;
}

// A tariff as OCPI 2.2.1 writes it (the Tariff object), so operators reuse what their
// back office holds: a full OCPI Tariff is accepted, its bookkeeping fields included.
// One addition: a price component may give `price_incl_vat` (as operators quote
// prices to drivers) instead of OCPI's `price` excl. VAT; the engine converts exactly.
import { z } from 'zod';

/** A decimal amount as OCPI writes it: a JSON number or a string, kept exact. */
export const Decimal = z
  .union([z.number().finite().nonnegative(), z.string()])
  .transform((value) => (typeof value === 'number' ? String(value) : value.trim()))
  .pipe(z.string().regex(/^\d{1,9}(\.\d{1,6})?$/, 'a non-negative decimal with at most 6 decimals, e.g. 0.2899'));

const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM, 24 h, e.g. 22:00');

const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((text) => {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
  }, 'not a calendar date');

export const DAYS_OF_WEEK = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;

export const PriceComponent = z
  .strictObject({
    type: z.enum(['ENERGY', 'TIME', 'PARKING_TIME', 'FLAT']),
    /** Price excl. VAT, in major units per kWh (ENERGY), per hour (TIME, PARKING_TIME) or per session (FLAT). */
    price: Decimal.optional(),
    /** Or the price incl. VAT, as quoted to drivers; exactly one of `price` and `price_incl_vat`. */
    price_incl_vat: Decimal.optional(),
    /** VAT percentage of this component (OCPI: absent means no VAT applies; 0 is a rate of 0 %). */
    vat: Decimal.optional(),
    /** Billing step: Wh for ENERGY, seconds for TIME and PARKING_TIME; the session's total is rounded up to it. */
    step_size: z.number().int().min(1).max(86_400_000).default(1),
  })
  .refine((c) => (c.price === undefined) !== (c.price_incl_vat === undefined), {
    message: 'give exactly one of price (excl. VAT) and price_incl_vat',
    path: ['price'],
  });
export type PriceComponent = z.infer<typeof PriceComponent>;

const Amount = z.number().finite().nonnegative();

export const TariffRestrictions = z
  .strictObject({
    /** Local time of day from which the element applies (inclusive). */
    start_time: TimeOfDay.optional(),
    /** Local time of day until which it applies (exclusive); before start_time means across midnight. */
    end_time: TimeOfDay.optional(),
    /** Local date from which it applies (inclusive). */
    start_date: CalendarDate.optional(),
    /** Local date until which it applies (exclusive). */
    end_date: CalendarDate.optional(),
    /** Energy used in the session so far, kWh: applies from min_kwh (inclusive) until max_kwh (exclusive). */
    min_kwh: Decimal.optional(),
    max_kwh: Decimal.optional(),
    /** Charging current, A, summed over the phases: applies from min_current (inclusive) until max_current (exclusive). */
    min_current: Amount.optional(),
    max_current: Amount.optional(),
    /** Charging power, kW: applies from min_power (inclusive) until max_power (exclusive). */
    min_power: Amount.optional(),
    max_power: Amount.optional(),
    /** Session duration so far, s: applies from min_duration (inclusive) until max_duration (exclusive). */
    min_duration: z.number().int().nonnegative().optional(),
    max_duration: z.number().int().nonnegative().optional(),
    day_of_week: z.array(z.enum(DAYS_OF_WEEK)).optional(),
    /** Reservation costs (OCPI): such an element never prices a charging session; reservations come with OCPP. */
    reservation: z.enum(['RESERVATION', 'RESERVATION_EXPIRES']).optional(),
  })
  .refine((r) => r.start_date === undefined || r.end_date === undefined || r.start_date < r.end_date, {
    message: 'start_date must be before end_date',
    path: ['end_date'],
  });
export type TariffRestrictions = z.infer<typeof TariffRestrictions>;

export const TariffElement = z.strictObject({
  price_components: z.array(PriceComponent).min(1),
  restrictions: TariffRestrictions.optional(),
});

/** OCPI's Price: excl. VAT, and optionally incl. VAT. */
export const Price = z.strictObject({ excl_vat: Decimal, incl_vat: Decimal.optional() });

const DisplayText = z.strictObject({ language: z.string().min(2).max(2), text: z.string().max(512) });

export const TariffConfig = z
  .strictObject({
    country_code: z.string().length(2).optional(),
    party_id: z.string().length(3).optional(),
    id: z.string().min(1).max(36).default('default'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'),
    type: z.enum(['AD_HOC_PAYMENT', 'PROFILE_CHEAP', 'PROFILE_FAST', 'PROFILE_GREEN', 'REGULAR']).optional(),
    tariff_alt_text: z.array(DisplayText).optional(),
    tariff_alt_url: z.string().url().optional(),
    /** A session costs at least this much (unless nothing was delivered: then it costs nothing). */
    min_price: Price.optional(),
    /** A session costs at most this much. */
    max_price: Price.optional(),
    elements: z.array(TariffElement).min(1),
    start_date_time: z.string().datetime({ offset: true }).optional(),
    end_date_time: z.string().datetime({ offset: true }).optional(),
    energy_mix: z.record(z.string(), z.unknown()).optional(),
    last_updated: z.string().datetime({ offset: true }).optional(),
  })
  .refine((t) => !t.min_price || !t.max_price || Number(t.min_price.excl_vat) <= Number(t.max_price.excl_vat), {
    message: 'min_price is above max_price',
    path: ['min_price'],
  });
export type TariffConfig = z.infer<typeof TariffConfig>;
export type TariffInput = z.input<typeof TariffConfig>;

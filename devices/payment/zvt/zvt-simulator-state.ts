// The ZVT terminal simulator's record, as it keeps it in its state file: the terminal
// outlives kiosk restarts (and the chaos harness reads the file after a kill -9), so
// everything the ECR may have heard about is in the file before the ECR hears it.
// The card is only ever a masked PAN (BIN + last 4, as a terminal masks it).
import { z } from 'zod';

export const BEHAVIOUR_KINDS = ['approve', 'decline', 'insufficientFunds', 'cardExpired', 'pin', 'timeout', 'cardRemoved', 'busy', 'lateApproval'] as const;
export type ZvtSimBehaviourKind = (typeof BEHAVIOUR_KINDS)[number];

/** Stored form of a behaviour: its kind and, for some, a result code or a delay. */
export const StoredBehaviour = z.object({
  kind: z.enum(BEHAVIOUR_KINDS),
  /** decline / cardRemoved: the result code; busy: the 84 xx 00 code. */
  resultCode: z.number().int().min(0).max(0xff).optional(),
  /** lateApproval: how long after the refused 06 B0 the approval comes, ms. */
  delayMs: z.number().nonnegative().optional(),
});
export type StoredBehaviour = z.infer<typeof StoredBehaviour>;

/** Masked as the terminal masks it: BIN, '*' for each hidden digit, last 4. Never anything else. */
const MaskedCard = z.string().regex(/^\d{6}\*{3,9}\d{4}$/);

export const ReservationRecord = z.object({
  receiptNumber: z.number().int().min(1).max(9999),
  traceNumber: z.number().int(),
  amountMinor: z.number().int().nonnegative(),
  currency: z.number().int(),
  state: z.enum(['open', 'booked', 'reversed']),
  /** What 06 23 booked (the rest was released); null while open or when reversed. */
  bookedMinor: z.number().int().nullable(),
  /** The merchant reference (TLV E9/1F63) the 06 22 carried, or null. */
  reference: z.string().nullable(),
  /** The reference the booking or reversal carried, if any. */
  closeReference: z.string().nullable(),
  /** The receipt number the terminal gave the booking / reversal (a new one, as real terminals do). */
  closeReceiptNumber: z.number().int().nullable(),
  at: z.number(),
  closedAt: z.number().nullable(),
  card: MaskedCard,
  cardName: z.string(),
});
export type ReservationRecord = z.infer<typeof ReservationRecord>;

/** Money the terminal gave back: a reversal (06 30) of a booking, or a refund (06 31) to a card. */
export const RefundRecord = z.object({
  kind: z.enum(['reversal', 'refund']),
  /** The receipt number the terminal gave the reversal or refund. */
  receiptNumber: z.number().int().min(1).max(9999),
  traceNumber: z.number().int(),
  /** A reversal: the receipt number of the booking it reversed; null for a refund. */
  originalReceiptNumber: z.number().int().nullable(),
  amountMinor: z.number().int().positive(),
  currency: z.number().int(),
  /** The merchant reference (TLV E9/1F63) the request carried, or null. */
  reference: z.string().nullable(),
  at: z.number(),
  /** The card credited (a refund); null for a reversal, which reads no card. */
  card: MaskedCard.nullable(),
});
export type RefundRecord = z.infer<typeof RefundRecord>;

export const JournalEntry = z.object({
  at: z.number(),
  /** What happened: 'registration', 'reservation', 'declined', 'booking', 'abortAccepted', 'ackTimeout' … */
  event: z.string(),
  resultCode: z.number().int().nullable(),
  receiptNumber: z.number().int().nullable(),
  amountMinor: z.number().int().nullable(),
  reference: z.string().nullable(),
  detail: z.string().nullable(),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

export const ZvtSimState = z.object({
  version: z.literal(1),
  behaviour: StoredBehaviour,
  latencyMs: z.number().nonnegative(),
  cardDelayMs: z.number().nonnegative(),
  cardTimeoutMs: z.number().nonnegative(),
  /** The last successful registration (config byte, currency), or null: a real terminal keeps it. */
  registration: z.object({ configByte: z.number().int().min(0).max(0xff), currency: z.number().int() }).nullable(),
  /** Last trace number used (0: none yet). */
  traceNumber: z.number().int().nonnegative(),
  /** Last receipt number used (0: none yet). */
  receiptNumber: z.number().int().nonnegative(),
  reservations: z.array(ReservationRecord),
  /** Booked / paid since the last end of day, minor units. */
  dayTotalMinor: z.number().int().nonnegative(),
  endOfDayCount: z.number().int().nonnegative(),
  /** When the last end of day ran, or null: only bookings after it can be reversed. (Absent in older files.) */
  lastEndOfDayAt: z.number().nullable().default(null),
  /** Reversals and refunds, oldest first. (Absent in older files.) */
  refunds: z.array(RefundRecord).default([]),
  journal: z.array(JournalEntry),
});
export type ZvtSimState = z.infer<typeof ZvtSimState>;

/** Finished reservations kept besides the open ones (open ones are never forgotten: they are money). */
export const MAX_CLOSED_RESERVATIONS = 500;
export const MAX_JOURNAL = 500;

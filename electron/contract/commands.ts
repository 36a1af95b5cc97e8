// Commands the screen may send to the brain. The renderer is untrusted: every
// message is parsed with these schemas on arrival, and a message that does not
// parse is answered with an error and changes nothing.
import { z } from 'zod';
import { LANGUAGES } from './languages.js';

export const ConnectorId = z.number().int().min(1).max(64);

const connector = { connectorId: ConnectorId };

/** The ways to pay the screen can offer today (the snapshot's `PaymentMethod` names every one the brain knows). */
export const PaymentChoice = z.enum(['card']);
export type PaymentChoice = z.infer<typeof PaymentChoice>;

export const ReceiptChoice = z.enum(['print', 'qr', 'none']);
export type ReceiptChoice = z.infer<typeof ReceiptChoice>;

export const Command = z.discriminatedUnion('type', [
  /** Tap on a connector tile: start a flow on a free connector, or open its session view. */
  z.strictObject({ type: z.literal('selectConnector'), ...connector }),
  /** Leave the connector's screen (the session, if any, goes on). */
  z.strictObject({ type: z.literal('goHome') }),
  z.strictObject({ type: z.literal('choosePayment'), ...connector, method: PaymentChoice }),
  /** Abandon the flow before charging; any hold is released. */
  z.strictObject({ type: z.literal('cancel'), ...connector }),
  /** Answer to the inactivity warning. */
  z.strictObject({ type: z.literal('moreTime'), ...connector }),
  /** From the decline screen: present a card again. */
  z.strictObject({ type: z.literal('retryPayment'), ...connector }),
  /** From the decline screen: back to the choice of payment. */
  z.strictObject({ type: z.literal('otherPayment'), ...connector }),
  /** The driver has noted the stop code; it is hidden from then on. */
  z.strictObject({ type: z.literal('ackStopCode'), ...connector }),
  z.strictObject({ type: z.literal('stop'), ...connector, code: z.string().regex(/^\d{4}$/) }),
  z.strictObject({ type: z.literal('chooseReceipt'), ...connector, receipt: ReceiptChoice }),
  /** Close the summary of the connector's last session. */
  z.strictObject({ type: z.literal('closeSummary'), ...connector }),
  /**
   * Open the summary of the connector's last session from its tile, for a while after it
   * ended (`receipts.showAgainS`): only with that session's stop code (or by holding the
   * card that paid to the reader).
   */
  z.strictObject({ type: z.literal('showSummary'), ...connector, code: z.string().regex(/^\d{4}$/) }),
  /** The driver's language for the screen and the receipt, until the flow ends (one of the snapshot's `screen.languages`). */
  z.strictObject({ type: z.literal('setLanguage'), language: z.enum(LANGUAGES) }),
  /** The high-contrast, large-text mode, on or off, until the flow ends. */
  z.strictObject({ type: z.literal('setHighContrast'), on: z.boolean() }),
]);
export type Command = z.infer<typeof Command>;

/** Controls of the simulated hardware; accepted only when that device is simulated. */
/**
 * What the simulated card terminal does with the next payments (the ZVT simulator's
 * behaviours): approve; decline, insufficientFunds, cardExpired (declined with that
 * reason); pin (asks for the PIN, then approves); timeout (no card comes); cardRemoved
 * (the card is pulled out mid-transaction); busy (refuses the request as busy);
 * lateApproval (refuses the kiosk's abort and approves later). The generic terminal
 * plays only approve, decline, insufficientFunds and timeout.
 */
export const CardOutcome = z.enum(['approve', 'decline', 'insufficientFunds', 'cardExpired', 'pin', 'timeout', 'cardRemoved', 'busy', 'lateApproval']);
export type CardOutcome = z.infer<typeof CardOutcome>;

export const SimCommand = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('plug'), ...connector, plugged: z.boolean() }),
  z.strictObject({ type: z.literal('cardOutcome'), outcome: CardOutcome }),
  z.strictObject({ type: z.literal('fault'), ...connector, fault: z.boolean() }),
  /**
   * A card is held to the simulated card terminal outside a payment (tap to start, stop by
   * the same card): 'first' is the card the simulated terminal pays with by default,
   * 'second' another one. It is also the card the next payments use.
   */
  z.strictObject({ type: z.literal('tapCard'), card: z.enum(['first', 'second']).default('first') }),
  /** A card is held to the simulated RFID reader: its UID in hex (any case, ':' or spaces between bytes). */
  z.strictObject({ type: z.literal('tag'), uid: z.string().min(8).max(40) }),
  /** The simulated printer's paper (ok, running low, out) and its cover. */
  z
    .strictObject({ type: z.literal('printer'), paper: z.enum(['ok', 'low', 'out']).optional(), coverOpen: z.boolean().optional() })
    .refine((c) => c.paper !== undefined || c.coverOpen !== undefined, 'say paper or coverOpen'),
  /** The car stops drawing current, as a full battery does. */
  z.strictObject({ type: z.literal('vehicleFull'), ...connector }),
  /** The charger controller restarts (a power glitch): it comes back enabled. */
  z.strictObject({ type: z.literal('reboot'), ...connector }),
]);
export type SimCommand = z.infer<typeof SimCommand>;

export const ErrorCode = z.enum(['invalid', 'rejected', 'unavailable', 'internal']);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Why the brain refused a command, for the screen to say in the driver's language. */
export const ErrorReason = z.enum([
  'wrongStopCode',
  'stopCodeLocked',
  'notCharging',
  'screenBusy',
  'terminalBusy',
  'paymentUnavailable',
  'connectorUnavailable',
  'noSummary',
  'notPossibleNow',
  'stationOutOfService',
]);
export type ErrorReason = z.infer<typeof ErrorReason>;

export const CommandResult = z.union([
  z.strictObject({ ok: z.literal(true) }),
  z.strictObject({
    ok: z.literal(false),
    /** `message` is for logs and developers; the screen words it from `code` and `reason`. */
    error: z.strictObject({
      code: ErrorCode,
      reason: ErrorReason.optional(),
      message: z.string(),
      /** A wrong stop code: the tries left before the keypad locks. */
      attemptsLeft: z.number().int().min(0).optional(),
    }),
  }),
]);
export type CommandResult = z.infer<typeof CommandResult>;

// The status codes of the intermediate status information (`04 FF`): what the terminal
// shows the cardholder while a command runs. Texts as in the ZVT specification's table
// (the same in ecrterm `common.py` and Portalum.Zvt's English repository); `kind` is our
// grouping, for the screen. Codes 0x41..0x67 are the base code + 0x40: the same text, and
// "please remove card". 0xFF means "no code fits": the text is then in TLV tag 24/07.

export type IntermediateStatusKind =
  /** Waiting for the card: insert, tap or swipe (contactless terminals show "present card"). */
  | 'presentCard'
  /** The cardholder is asked for, or is typing, the PIN. */
  | 'pinEntry'
  /** The terminal is busy (host call, reversal, selection …): wait. */
  | 'processing'
  | 'removeCard'
  | 'approved'
  | 'declined'
  /** The card cannot be used as presented (unreadable, unknown, expired …). */
  | 'cardError'
  /** Anything else shown to the cardholder or merchant. */
  | 'info';

export interface IntermediateStatusInfo {
  code: number;
  text: string;
  kind: IntermediateStatusKind;
}

type Entry = readonly [text: string, kind: IntermediateStatusKind];

const BASE: ReadonlyArray<readonly [number, string, IntermediateStatusKind]> = [
  [0x00, 'terminal is waiting for amount confirmation', 'processing'],
  [0x01, 'please watch the PIN pad', 'pinEntry'],
  [0x02, 'please watch the PIN pad', 'pinEntry'],
  [0x03, 'not accepted', 'declined'],
  [0x04, 'terminal is waiting for response from FEP', 'processing'],
  [0x05, 'terminal is sending auto-reversal', 'processing'],
  [0x06, 'terminal is sending post-bookings', 'processing'],
  [0x07, 'card not admitted', 'cardError'],
  [0x08, 'card unknown / undefined', 'cardError'],
  [0x09, 'expired card', 'cardError'],
  [0x0a, 'insert card', 'presentCard'],
  [0x0b, 'please remove card', 'removeCard'],
  [0x0c, 'card not readable', 'cardError'],
  [0x0d, 'processing error', 'cardError'],
  [0x0e, 'please wait', 'processing'],
  [0x0f, 'terminal is commencing an automatic end-of-day batch', 'processing'],
  [0x10, 'invalid card', 'cardError'],
  [0x11, 'balance display', 'info'],
  [0x12, 'system malfunction', 'cardError'],
  [0x13, 'payment not possible', 'declined'],
  [0x14, 'credit not sufficient', 'declined'],
  [0x15, 'incorrect PIN', 'pinEntry'],
  [0x16, 'limit not sufficient', 'declined'],
  [0x17, 'please wait', 'processing'],
  [0x18, 'PIN try limit exceeded', 'declined'],
  [0x19, 'card data incorrect', 'cardError'],
  [0x1a, 'service mode', 'info'],
  [0x1b, 'approved, please fill up', 'approved'],
  [0x1c, 'approved, please take goods', 'approved'],
  [0x1d, 'declined', 'declined'],
  [0x26, 'terminal is waiting for input of the mobile number', 'info'],
  [0x27, 'terminal is waiting for repeat of the mobile number', 'info'],
];

const TABLE: ReadonlyMap<number, Entry> = new Map<number, Entry>([
  ...BASE.map(([code, text, kind]) => [code, [text, kind]] as const),
  [0x28, ['currency selection, please wait', 'processing']],
  [0x29, ['language selection, please wait', 'processing']],
  [0x2a, ['for loading please insert card', 'presentCard']],
  [0x2b, ['emergency transaction, please wait', 'processing']],
  [0x2c, ['application selection, please wait', 'processing']],
  // base + 0x40: the same message, and the card has to come out.
  ...BASE.filter(([code]) => (code >= 0x01 && code <= 0x1d) || code === 0x26 || code === 0x27).map(
    ([code, text]) => [code + 0x40, [code === 0x0a || code === 0x0b ? 'please remove card' : `${text}, please remove card`, 'removeCard']] as const,
  ),
  [0x5e, ['contactless card access finished', 'processing']],
  [0x68, ['terminal has detected customer card insertion', 'processing']],
  [0x69, ['please select DCC', 'info']],
  [0x6a, ['PIN digit entered', 'pinEntry']],
  [0x6b, ['PIN digit entered, confirmation possible', 'pinEntry']],
  [0x6c, ['correction key entered, last digit deleted', 'pinEntry']],
  [0x6d, ['PIN entered', 'pinEntry']],
  [0xc7, ['terminal is waiting for input of the mileage', 'info']],
  [0xc8, ['terminal is waiting for cashier', 'info']],
  [0xc9, ['terminal is commencing an automatic diagnosis', 'processing']],
  [0xca, ['terminal is commencing an automatic initialisation', 'processing']],
  [0xcb, ['merchant journal full', 'info']],
  [0xcc, ['debit advice not possible, PIN required', 'pinEntry']],
  [0xd2, ['connecting dial-up', 'processing']],
  [0xd3, ['dial-up connection made', 'processing']],
  [0xe0, ['terminal is waiting for application selection', 'info']],
  [0xe1, ['terminal is waiting for language selection', 'info']],
  [0xe2, ['terminal requests to use the cleaning card', 'info']],
  [0xf1, ['offline', 'processing']],
  [0xf2, ['online', 'processing']],
  [0xf3, ['offline transaction', 'processing']],
  [0xff, ['no status code fits (see the text in the TLV)', 'info']],
]);

/** The documented intermediate status codes. */
export const INTERMEDIATE_STATUS_CODES: ReadonlyMap<number, Entry> = TABLE;

/** What an intermediate status code means; unknown codes are 'info' with a neutral text. */
export function describeIntermediateStatus(code: number): IntermediateStatusInfo {
  const entry = TABLE.get(code);
  if (entry) return { code, text: entry[0], kind: entry[1] };
  return { code, text: `status 0x${code.toString(16).toUpperCase().padStart(2, '0')}`, kind: 'info' };
}

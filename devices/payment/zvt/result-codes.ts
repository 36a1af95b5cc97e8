// ZVT result codes (BMP 27 of a status information, the byte after `06 1E`, the `cc` of
// `84 cc 00`) and terminal status codes (the byte after the software version in the
// completion of a status enquiry), with an English meaning and the reason the kiosk acts
// on.
//
// Result codes come from two places:
//   0x00          success;
//   0x01..0x63    the authorisation host's answer, passed through: its decimal response
//                 code written as BCD (0x51 = "51", insufficient funds). Hosts differ;
//                 the common ISO 8583 meanings are the default, and the codes the Lavego
//                 host gives (Feig cVEND terminals in EV charging; listed by EVerest/zvt)
//                 are a profile;
//   0x64..0xFF    the terminal's own codes (ZVT specification, error messages chapter;
//                 the same table in ecrterm, Portalum.Zvt and EVerest/zvt).

export type ZvtDeclineReason = 'declined' | 'insufficientFunds' | 'cardExpired' | 'pinRequired' | 'timeout' | 'aborted' | 'unavailable' | 'error';

export interface ResultCodeInfo {
  code: number;
  meaning: string;
  /** null for success; otherwise why the kiosk did not get its money. */
  reason: ZvtDeclineReason | null;
  origin: 'success' | 'host' | 'terminal' | 'unknown';
}

export type HostProfile = 'iso8583' | 'lavego';

type Entry = readonly [meaning: string, reason: ZvtDeclineReason];

/** The terminal's own result codes. */
export const TERMINAL_RESULT_CODES: ReadonlyMap<number, Entry> = new Map<number, Entry>([
  [0x64, ['card not readable (LRC/parity error)', 'error']],
  [0x65, ['card data not present (neither track data nor chip found)', 'error']],
  [0x66, ['processing error (also problems with the card reader mechanism)', 'error']],
  [0x67, ['function not permitted for ec and Maestro cards', 'declined']],
  [0x68, ['function not permitted for credit and tank cards', 'declined']],
  [0x6a, ['turnover file full', 'unavailable']],
  [0x6b, ['function deactivated (terminal not registered)', 'unavailable']],
  // Both the cardholder's abort key and the terminal's own time-out (no card presented)
  // give 6C, and so does an abort the ECR asked for (06 B0): the driver knows which.
  [0x6c, ['abort via timeout or abort key', 'aborted']],
  [0x6e, ['card in blocked list', 'declined']],
  [0x6f, ['wrong currency', 'error']],
  [0x71, ['credit not sufficient (chip card)', 'insufficientFunds']],
  [0x72, ['chip error', 'error']],
  [0x73, ['card data incorrect (e.g. country key check, checksum error)', 'error']],
  [0x74, ['DUKPT engine exhausted', 'unavailable']],
  [0x75, ['text not authentic', 'error']],
  [0x76, ['PAN not in white list', 'declined']],
  [0x77, ['end-of-day batch not possible', 'error']],
  [0x78, ['card expired', 'cardExpired']],
  [0x79, ['card not yet valid', 'declined']],
  [0x7a, ['card unknown', 'declined']],
  [0x7b, ['fallback to magnetic stripe for girocard not possible', 'declined']],
  [0x7c, ['fallback to magnetic stripe not possible (non-girocard cards)', 'declined']],
  [0x7d, ['communication error (communication module does not answer or is not present)', 'unavailable']],
  [0x7e, ['fallback to magnetic stripe not possible, debit advice possible (girocard only)', 'declined']],
  [0x83, ['function not possible', 'error']],
  [0x85, ['key missing', 'unavailable']],
  [0x89, ['PIN pad defective', 'unavailable']],
  [0x9a, ['ZVT protocol error (e.g. parsing error, mandatory message element missing)', 'error']],
  [0x9b, ['error from dial-up / communication fault', 'unavailable']],
  [0x9c, ['please wait (terminal busy, repeat later)', 'unavailable']],
  [0xa0, ['receiver not ready', 'unavailable']],
  [0xa1, ['remote station does not respond', 'timeout']],
  [0xa3, ['no connection', 'unavailable']],
  [0xa4, ['submission of Geldkarte not possible', 'error']],
  [0xa5, ['function not allowed due to PCI-DSS/P2PE rules', 'error']],
  [0xb1, ['memory full', 'unavailable']],
  [0xb2, ['merchant journal full', 'unavailable']],
  [0xb4, ['already reversed', 'error']],
  [0xb5, ['reversal not possible', 'error']],
  [0xb7, ['pre-authorisation incorrect (amount too high) or amount wrong', 'error']],
  // Also the answer to "which reservations are open" (06 23 with receipt FF FF): the
  // abort then carries the receipt numbers (messages.ts reads them).
  [0xb8, ['error pre-authorisation', 'error']],
  [0xbf, ['voltage supply too low (external power supply)', 'unavailable']],
  [0xc0, ['card locking mechanism defective', 'unavailable']],
  [0xc1, ['merchant card locked', 'unavailable']],
  [0xc2, ['diagnosis required', 'unavailable']],
  [0xc3, ['maximum amount exceeded', 'declined']],
  [0xc4, ['card profile invalid, new card profiles must be loaded', 'unavailable']],
  [0xc5, ['payment method not supported', 'declined']],
  [0xc6, ['currency not applicable', 'error']],
  [0xc8, ['amount too small', 'error']],
  [0xc9, ['maximum transaction amount too small', 'error']],
  [0xcb, ['function only allowed in EURO', 'error']],
  [0xcc, ['printer not ready', 'unavailable']],
  [0xcd, ['cashback not possible', 'error']],
  [0xd2, ['function not permitted for service cards / bank customer cards', 'declined']],
  [0xdc, ['card inserted', 'error']],
  [0xdd, ['error during card eject (motor insertion reader)', 'unavailable']],
  [0xde, ['error during card insertion (motor insertion reader)', 'unavailable']],
  [0xe0, ['remote maintenance activated', 'unavailable']],
  [0xe2, ['card reader does not answer / card reader defective', 'unavailable']],
  [0xe3, ['shutter closed', 'unavailable']],
  [0xe4, ['terminal activation required', 'unavailable']],
  [0xe7, ['at least one goods group not found', 'declined']],
  [0xe8, ['no goods groups table loaded', 'unavailable']],
  [0xe9, ['restriction code not permitted', 'declined']],
  [0xea, ['card code not permitted (e.g. card not activated via diagnosis)', 'declined']],
  [0xeb, ['function not executable (PIN algorithm unknown)', 'error']],
  [0xec, ['PIN processing not possible', 'error']],
  [0xed, ['PIN pad defective', 'unavailable']],
  [0xf0, ['open end-of-day batch present', 'unavailable']],
  [0xf1, ['ec-cash/Maestro offline error', 'error']],
  [0xf5, ['OPT error', 'unavailable']],
  [0xf6, ['OPT data not available (OPT personalisation required)', 'unavailable']],
  [0xfa, ['error transmitting offline transactions (clearing error)', 'unavailable']],
  [0xfb, ['turnover data set defective', 'unavailable']],
  [0xfc, ['necessary device not present or defective', 'unavailable']],
  [0xfd, ['baud rate not supported', 'error']],
  [0xfe, ['register unknown', 'error']],
  [0xff, ['system error (other or unknown error; see TLV tags 1F16 and 1F17)', 'error']],
]);

/** Host answers by their ISO 8583 response codes (the byte's two BCD digits). */
export const ISO8583_HOST_CODES: ReadonlyMap<number, Entry> = new Map<number, Entry>([
  [0x01, ['refer to card issuer', 'declined']],
  [0x02, ['refer to card issuer, special condition', 'declined']],
  [0x03, ['invalid merchant', 'error']],
  [0x04, ['pick up card', 'declined']],
  [0x05, ['do not honour (declined)', 'declined']],
  [0x12, ['invalid transaction', 'declined']],
  [0x13, ['invalid amount', 'error']],
  [0x14, ['invalid card number', 'declined']],
  [0x30, ['format error', 'error']],
  [0x33, ['expired card, pick up', 'cardExpired']],
  [0x41, ['lost card, pick up', 'declined']],
  [0x43, ['stolen card, pick up', 'declined']],
  [0x51, ['insufficient funds', 'insufficientFunds']],
  [0x54, ['expired card', 'cardExpired']],
  // The PIN was wrong: the driver has to enter it again, so the kiosk treats it as "PIN needed".
  [0x55, ['incorrect PIN', 'pinRequired']],
  [0x56, ['no card record', 'declined']],
  [0x57, ['transaction not permitted to cardholder', 'declined']],
  [0x58, ['transaction not permitted to terminal', 'declined']],
  [0x59, ['suspected fraud', 'declined']],
  [0x61, ['exceeds withdrawal amount limit', 'insufficientFunds']],
  [0x62, ['restricted card', 'declined']],
  [0x63, ['security violation', 'declined']],
]);

/** Where the Lavego host differs from ISO 8583 (EVerest/zvt `constants.rs`, feature with_lavego_error_codes). */
export const LAVEGO_HOST_CODES: ReadonlyMap<number, Entry> = new Map<number, Entry>([
  [0x02, ['declined, referred voice authorisation possible', 'declined']],
  [0x05, ['declined', 'declined']],
  // Contactless limits reached: the card must be inserted and the PIN entered.
  [0x13, ['contactless transaction count exceeded', 'pinRequired']],
  [0x21, ['card expired', 'cardExpired']],
  [0x33, ['PIN entry required', 'pinRequired']],
  [0x3a, ['terminal id not activated', 'unavailable']],
  [0x3d, ['PIN entry required', 'pinRequired']],
  [0x41, ['PIN entry required', 'pinRequired']],
]);

/** What a result code means. Unknown host codes read as declined, unknown terminal codes as errors. */
export function describeResultCode(code: number, options: { host?: HostProfile } = {}): ResultCodeInfo {
  if (code === 0x00) return { code, meaning: 'success', reason: null, origin: 'success' };
  if (code >= 0x01 && code <= 0x63) {
    const entry = (options.host === 'lavego' ? LAVEGO_HOST_CODES.get(code) : undefined) ?? ISO8583_HOST_CODES.get(code);
    const digits = code.toString(16).padStart(2, '0');
    if (entry) return { code, meaning: `${entry[0]} (host code ${digits})`, reason: entry[1], origin: 'host' };
    return { code, meaning: `declined by the authorisation host (code ${digits})`, reason: 'declined', origin: 'host' };
  }
  const entry = TERMINAL_RESULT_CODES.get(code);
  if (entry) return { code, meaning: entry[0], reason: entry[1], origin: 'terminal' };
  return { code, meaning: `unknown result code 0x${code.toString(16).toUpperCase().padStart(2, '0')}`, reason: 'error', origin: 'unknown' };
}

/**
 * Terminal status codes: the byte after the software version in the completion of a status
 * enquiry (05 01). 0x00 is ready; anything else means the terminal cannot take a payment now.
 */
export const TERMINAL_STATUS_CODES: ReadonlyMap<number, string> = new Map([
  [0x00, 'terminal ready'],
  [0x51, 'initialisation required'],
  [0x62, 'date/time incorrect'],
  [0x9c, 'please wait (e.g. software update still running)'],
  [0x9d, 'partial issue of goods'],
  [0xb1, 'memory full'],
  [0xb2, 'merchant journal full'],
  [0xbf, 'voltage supply too low (external power supply)'],
  [0xc0, 'card locking mechanism defective'],
  [0xc1, 'merchant card locked'],
  [0xc2, 'diagnosis required'],
  [0xc4, 'card profile invalid, new card profiles must be loaded'],
  [0xcc, 'printer not ready'],
  [0xdc, 'card inserted'],
  [0xdf, 'out of order'],
  [0xe0, 'remote maintenance activated'],
  [0xe1, 'card not completely removed'],
  [0xe2, 'card reader does not answer / card reader defective'],
  [0xe3, 'shutter closed'],
  [0xe4, 'terminal activation required'],
  [0xf0, 'reconciliation required'],
  [0xf6, 'OPT data not available (OPT personalisation required)'],
]);

export function describeTerminalStatus(code: number): { code: number; meaning: string; ready: boolean } {
  const meaning = TERMINAL_STATUS_CODES.get(code) ?? `unknown terminal status 0x${code.toString(16).toUpperCase().padStart(2, '0')}`;
  return { code, meaning, ready: code === 0x00 };
}

// The receipt's content, once, in two renderings: lines for a printer of a given
// width, and a compact plain text for a QR code that a phone shows offline (or, with
// an e-receipt address, the QR code holds that address). The
// words come from a message catalogue (`ReceiptTexts`); amounts are formatted
// exactly from minor units. No I/O: the caller prints or shows the result.
//
// Every figure is the summary's: its rounded lines (quantity × unit price = amount),
// its net, its VAT per rate and its total, which are the sums of the lines. Nothing
// is rounded here, so paper, QR code and screen add up the same way.

import type { CostLine, SessionSummary, VatRateTotal } from '../contract/snapshot.js';
import { kwhText } from '../contract/energy.js';
import { perMinuteExact } from '../contract/price-units.js';
import type { ReceiptDocument } from '../../devices/printer/receipt-printer-port.js';
import { currencyExponent, formatMinor } from './decimal.js';

/** The words on a receipt: the `receipt` section of the driver's language's catalogue (electron/messages.ts `receiptTexts`). */
export interface ReceiptTexts {
  title: string;
  /** Under the title of a receipt printed again (a technician's reprint). */
  copy: string;
  /** Followed by the operator's VAT id. */
  vatId: string;
  /** Followed by the receipt's number. */
  receiptNumber: string;
  station: string;
  /** Followed by the connector's EVSE id. */
  evse: string;
  start: string;
  end: string;
  session: string;
  connector: string;
  /** The charger's meter reading at the start and at the end, kWh. */
  meterStart: string;
  meterStop: string;
  energy: string;
  duration: string;
  /** Of the duration: the time charging, and the time plugged in but not charging. */
  chargingTime: string;
  parkingTime: string;
  /** Unit symbols of a price per minute and per hour of time ("€0.10/min"). */
  unitMinute: string;
  unitHour: string;
  lineEnergy: string;
  lineTime: string;
  lineParking: string;
  lineFlat: string;
  /** The adjustment lines that bring a session's cost up to the minimum price, down to the maximum. */
  lineMinPrice: string;
  lineMaxPrice: string;
  net: string;
  /** Followed by the rate: "VAT 19%". */
  vat: string;
  /** The VAT row of lines no VAT applies to. */
  noVat: string;
  total: string;
  paidByCard: string;
  /** The card terminal's approval code. */
  authCode: string;
  /** Followed by the account's name: a prepaid station card. */
  paidByStationCard: string;
  /** Followed by the account's name: an on-account card, billed later. */
  paidOnAccount: string;
  /** A prepaid card's balance after the session. */
  newBalance: string;
  pricedCost: string;
  taken: string;
  writtenOff: string;
  /** Stated in place of the cost lines when nothing was delivered and nothing was taken. */
  noCharge: string;
  help: string;
}

/** Who runs the station, as a receipt must name them (`config.operator`). */
export interface ReceiptOperator {
  name: string;
  address: string;
  vatId: string;
}

export interface ReceiptInput {
  /** Fields an older kiosk's summary lacks (receipt number, meter readings, …) are left off the receipt. */
  summary: SessionSummary;
  station: { id: string; name: string; helpLine: string };
  /** Absent or null: the receipt names no operator (the kiosk warns at start-up). */
  operator?: ReceiptOperator | null;
  /** The receipt's e-receipt address: the QR code holds it rather than the text, and it is printed as a QR code. */
  url?: string | null;
  connectorLabel: string;
  currency: string;
  locale: string;
  /** Printer width in characters; no line is longer. */
  columns: number;
  texts: ReceiptTexts;
  /** IANA time zone for the dates; the process's (the station's) own by default. */
  timeZone?: string;
  /** A reprint: marked as a copy under the title, so two papers never pass for two payments. */
  copy?: boolean;
}

/** Longest QR text: beyond this a QR code gets dense enough that phone cameras struggle at kiosk distance. */
export const QR_MAX_CHARS = 600;

/**
 * What the QR text leaves out when it would be too long, in turn: the `spare: 0.5`
 * entries (the card terminal's lines), the `spare: 1` entries, the pairs' `detail`
 * (a cost line's quantity × unit price), the `spare: 2` entries. The amounts always stay.
 */
type Spare = 0.5 | 1 | 2;
type Entry =
  | { kind: 'heading'; text: string; spare?: Spare }
  | { kind: 'text'; text: string; spare?: Spare }
  /** A line printed as given (spaces kept), cut at the paper's width: the card terminal's own. */
  | { kind: 'raw'; text: string; spare?: Spare }
  | { kind: 'pair'; label: string; detail?: string; value: string; spare?: Spare }
  | { kind: 'rule' };

export interface BuiltReceipt {
  /** For the printer; its QR code is the e-receipt address, when there is one. */
  document: ReceiptDocument;
  /** The receipt's essential lines as plain text, short enough for a QR code. */
  qrText: string;
  /** What the QR code on the screen holds: the e-receipt address, or else `qrText`. */
  qr: string;
}

export function buildReceipt(input: ReceiptInput): BuiltReceipt {
  const { columns } = input;
  if (!Number.isSafeInteger(columns) || columns < 1) throw new RangeError(`columns must be a positive integer, got ${columns}`);
  const entries = receiptEntries(input);
  // The cost lines' quantity × unit price go beside their labels, or all under them when one does not fit.
  const detailsBelow = entries.some((e) => e.kind === 'pair' && e.detail !== undefined && width(`${e.label} ${e.detail}`) + 1 + width(e.value) > columns);
  const lines = entries.flatMap((entry) => printLines(entry, columns, detailsBelow));
  const text = qrText(entries);
  const url = input.url ?? null;
  return { document: url === null ? { lines } : { lines, qr: url }, qrText: text, qr: url ?? text };
}

function qrText(entries: Entry[]): string {
  // Long station names, catalogue words or many lines: drop what the driver can do
  // without, a step at a time, and as a last resort cut.
  const spareAt = (e: Entry) => ('spare' in e ? (e.spare ?? 0) : 0);
  const without = (list: Entry[], spare: Spare) => list.filter((e) => spareAt(e) !== spare);
  const noTerminal = without(entries, 0.5);
  const needed = without(noTerminal, 1);
  const amountsOnly = needed.map((e): Entry => {
    if (e.kind !== 'pair') return e;
    const { detail: _detail, ...pair } = e;
    return pair;
  });
  let text = '';
  const steps = [entries, noTerminal, needed, amountsOnly, without(amountsOnly, 2)];
  for (const step of steps) {
    text = step.flatMap(qrLine).join('\n');
    if (text.length <= QR_MAX_CHARS) return text;
  }
  return `${text.slice(0, QR_MAX_CHARS - 1)}…`;
}

function receiptEntries(input: ReceiptInput): Entry[] {
  const { summary, station, texts, currency, locale } = input;
  const money = (minor: number) => formatMinor(minor, currency, locale);
  const when = (ms: number) => formatDateTime(ms, input.timeZone);
  const pan = maskPan(summary.maskedPan);
  // Summaries saved by older kiosks lack these: what is missing is left off.
  const receiptNumber = summary.receiptNumber ?? null;
  const evseId = summary.evseId ?? null;
  const meterStartWh = summary.meterStartWh ?? null;
  const meterStopWh = summary.meterStopWh ?? null;
  const operator = input.operator ?? null;
  const optional = (present: boolean, entry: Entry): Entry[] => (present ? [entry] : []);
  const entries: Entry[] = [
    { kind: 'heading', text: texts.title, spare: 1 },
    ...optional(input.copy === true, { kind: 'heading', text: texts.copy }),
    { kind: 'heading', text: station.name, spare: 1 },
    ...(operator
      ? ([
          { kind: 'heading', text: operator.name, spare: 2 },
          { kind: 'heading', text: operator.address, spare: 1 },
          { kind: 'pair', label: texts.vatId, value: operator.vatId, spare: 2 },
        ] satisfies Entry[])
      : []),
    ...optional(receiptNumber !== null, { kind: 'pair', label: texts.receiptNumber, value: String(receiptNumber) }),
    { kind: 'pair', label: texts.station, value: station.id },
    ...optional(evseId !== null, { kind: 'pair', label: texts.evse, value: evseId ?? '', spare: 2 }),
    { kind: 'pair', label: texts.start, value: when(summary.startedAt), spare: 1 },
    { kind: 'pair', label: texts.end, value: when(summary.endedAt) },
    { kind: 'pair', label: texts.session, value: summary.sessionId },
    { kind: 'pair', label: texts.connector, value: input.connectorLabel, spare: 1 },
    ...optional(meterStartWh !== null, { kind: 'pair', label: texts.meterStart, value: formatMeter(meterStartWh ?? 0, locale), spare: 1 }),
    ...optional(meterStopWh !== null, { kind: 'pair', label: texts.meterStop, value: formatMeter(meterStopWh ?? 0, locale), spare: 1 }),
    { kind: 'pair', label: texts.energy, value: formatKWh(summary.energyWh, locale), spare: 2 },
    { kind: 'pair', label: texts.duration, value: formatDuration(summary.durationS), spare: 1 },
    { kind: 'pair', label: texts.chargingTime, value: formatDuration(summary.chargingS), spare: 1 },
    { kind: 'pair', label: texts.parkingTime, value: formatDuration(parkingSOf(summary)), spare: 1 },
    { kind: 'rule' },
    ...costEntries(input, money),
    { kind: 'rule' },
    ...paymentEntries(summary, texts, pan),
  ];
  // A session that outran its hold is charged only the hold; the receipt says so plainly.
  if (summary.writtenOffMinor > 0) entries.push({ kind: 'pair', label: texts.pricedCost, value: money(summary.costMinor) });
  entries.push({ kind: 'pair', label: texts.taken, value: money(summary.capturedMinor) });
  if (summary.writtenOffMinor > 0) entries.push({ kind: 'pair', label: texts.writtenOff, value: money(summary.writtenOffMinor) });
  if (summary.account?.balanceMinor != null) entries.push({ kind: 'pair', label: texts.newBalance, value: money(summary.account.balanceMinor) });
  // The card terminal's own receipt, as it worded it: on paper in full, in the QR text if room is left.
  const terminalLines = (summary.terminalReceipt ?? []).map(scrubPans);
  if (terminalLines.length > 0) entries.push({ kind: 'rule' }, ...terminalLines.map((text): Entry => ({ kind: 'raw', text, spare: 0.5 })));
  entries.push({ kind: 'rule' }, { kind: 'pair', label: texts.help, value: station.helpLine, spare: 2 });
  return entries;
}

/** The parking time of a summary: its own, or for one saved before it was kept, its duration less the time charging. */
export function parkingSOf(summary: Pick<SessionSummary, 'parkingS' | 'durationS' | 'chargingS'>): number {
  return summary.parkingS ?? Math.max(0, summary.durationS - summary.chargingS);
}

/**
 * Card numbers a terminal printed unmasked, cut to their last four digits as `maskPan`
 * does: a run of 13 to 19 digits, single spaces or dashes between them allowed. A
 * masked number ("411111******1234", BIN and last four) is left as it is.
 */
export function scrubPans(line: string): string {
  return line.replace(/\d(?:[ -]?\d){12,18}/g, (run) => maskPan(run) ?? '');
}

/** How it was paid: the bank card (masked) with the terminal's approval code, or the station card's account by its name. */
function paymentEntries(summary: ReceiptInput['summary'], texts: ReceiptTexts, pan: string | null): Entry[] {
  const account = summary.account;
  if (account) return [{ kind: 'pair', label: account.type === 'prepaid' ? texts.paidByStationCard : texts.paidOnAccount, value: account.name }];
  const card: Entry = pan === null ? { kind: 'text', text: texts.paidByCard } : { kind: 'pair', label: texts.paidByCard, value: pan };
  const authCode = summary.authCode ?? null;
  return authCode === null ? [card] : [card, { kind: 'pair', label: texts.authCode, value: authCode, spare: 2 }];
}

/**
 * The cost lines and totals, all as the summary has them: each line with its quantity,
 * unit price and amount; the net, the VAT per rate and the total, which are their sums.
 * A session that delivered nothing states so, with no lines and its zero total.
 */
function costEntries(input: ReceiptInput, money: (minor: number) => string): Entry[] {
  const { summary, texts } = input;
  const total: Entry = { kind: 'pair', label: texts.total, value: money(summary.costMinor) };
  if (summary.noCharge) return [{ kind: 'text', text: texts.noCharge }, { kind: 'rule' }, total];
  return [
    ...summary.lines.map((line): Entry => {
      const detail = costDetail(line, input);
      return { kind: 'pair', label: costLabel(line, texts), ...(detail === null ? {} : { detail }), value: money(line.amountMinor) };
    }),
    { kind: 'rule' },
    { kind: 'pair', label: texts.net, value: money(summary.netMinor) },
    ...summary.vatRates.map((rate): Entry => ({ kind: 'pair', label: vatLabel(rate, input), value: money(rate.vatMinor) })),
    total,
  ];
}

function costLabel(line: CostLine, texts: ReceiptTexts): string {
  switch (line.kind) {
    case 'energy':
      return texts.lineEnergy;
    case 'time':
      return texts.lineTime;
    case 'parking':
      return texts.lineParking;
    case 'flat':
      return texts.lineFlat;
    case 'minPrice':
      return texts.lineMinPrice;
    case 'maxPrice':
      return texts.lineMaxPrice;
  }
}

/** "10.00 kWh × €0.2899/kWh", "1:00:00 × €0.01/min"; null for a line whose amount says it all (a session fee, the bounds). */
function costDetail(line: CostLine, input: ReceiptInput): string | null {
  const { texts, currency, locale } = input;
  if (line.unitPrice === '') return null;
  switch (line.kind) {
    case 'energy':
      return `${formatKWh(line.quantity, locale)} × ${formatPrice(line.unitPrice, currency, locale)}/kWh`;
    case 'time':
    case 'parking': {
      // As the screens list it: per minute when that is exact, else per hour.
      const minute = line.unit === 'hour' ? perMinuteExact(line.unitPrice, currencyExponent(currency)) : null;
      const price = minute === null ? `${formatPrice(line.unitPrice, currency, locale)}/${texts.unitHour}` : `${formatPrice(minute, currency, locale)}/${texts.unitMinute}`;
      return `${formatDuration(line.quantity)} × ${price}`;
    }
    case 'flat':
    case 'minPrice':
    case 'maxPrice':
      return null;
  }
}

function vatLabel(rate: VatRateTotal, input: ReceiptInput): string {
  return rate.vatPercent === null ? input.texts.noVat : `${input.texts.vat} ${formatPercent(rate.vatPercent, input.locale)}`;
}

/**
 * Only the last four digits ever reach paper, whatever the terminal sent: a
 * terminal that masks as "411111******1111", or wrongly not at all, still yields "**** 1111".
 */
export function maskPan(maskedPan: string | null): string | null {
  if (maskedPan === null) return null;
  const digits = maskedPan.replace(/\D/g, '');
  return `**** ${digits.slice(-4)}`.trimEnd();
}

/** Energy in kWh with two decimals, half up from Wh: `kwhText`, the one energy rounding of every screen. */
function formatKWh(energyWh: number, locale: string): string {
  const format = numberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${format.format(kwhText(energyWh) as `${number}`)} kWh`;
}

/** A meter reading in kWh to the Wh, as the charger counts: "12,345.678 kWh". */
function formatMeter(meterWh: number, locale: string): string {
  const wh = Math.max(0, Math.round(meterWh));
  const kwh = `${Math.floor(wh / 1000)}.${String(wh % 1000).padStart(3, '0')}`;
  return `${numberFormat(locale, { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(kwh as `${number}`)} kWh`;
}

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { ...options, numberingSystem: 'latn' });
    numberFormats.set(key, format);
  }
  return format;
}

const DECIMAL = /^\d+(?:\.\d+)?$/;

/** A unit price, exact decimal in major units, to the precision given ("0.3450" → "€0.3450"), never fewer digits than money. */
function formatPrice(decimal: string, currency: string, locale: string): string {
  if (!DECIMAL.test(decimal)) return decimal;
  const digits = Math.min(Math.max(decimal.split('.')[1]?.length ?? 0, currencyExponent(currency)), 100);
  return numberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(decimal as `${number}`);
}

/** "19%", "7.7%", "19 %" as the locale writes it. */
function formatPercent(percent: string, locale: string): string {
  const value = Number(percent);
  if (!Number.isFinite(value)) return `${percent}%`;
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: 4 }).format(value / 100);
}

/** h:mm:ss, the same in every language. */
function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(total / 3600)}:${two(Math.floor(total / 60) % 60)}:${two(total % 60)}`;
}

/** "2025-03-14 09:26", in the station's local time: ISO-like so it reads the same in every language. */
function formatDateTime(ms: number, timeZone: string | undefined): string {
  const parts = new Intl.DateTimeFormat('en', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    numberingSystem: 'latn',
    timeZone,
  }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

// --- layout ---------------------------------------------------------------

/** Width in characters as a printer counts them: code points, not UTF-16 units. */
const width = (text: string) => [...text].length;

function printLines(entry: Entry, columns: number, detailsBelow: boolean): string[] {
  switch (entry.kind) {
    case 'rule':
      return ['-'.repeat(columns)];
    case 'heading':
      return wrap(entry.text, columns).map((line) => ' '.repeat(Math.floor((columns - width(line)) / 2)) + line);
    case 'text':
      return wrap(entry.text, columns);
    case 'raw':
      return entry.text.trimEnd() === '' ? [''] : chunks(entry.text.trimEnd(), columns);
    case 'pair': {
      if (entry.detail !== undefined) {
        if (!detailsBelow) return printPair(`${entry.label} ${entry.detail}`, entry.value, columns);
        // Indented under the label, the amount on the label's line.
        const indent = columns > 8 ? '  ' : '';
        return [...printPair(entry.label, entry.value, columns), ...wrap(entry.detail, columns - indent.length).map((line) => indent + line)];
      }
      return printPair(entry.label, entry.value, columns);
    }
  }
}

function printPair(label: string, value: string, columns: number): string[] {
  const gap = columns - width(label) - width(value);
  if (gap >= 1) return [label + ' '.repeat(gap) + value];
  // Too long for one line: the label wraps, the value follows right-aligned.
  return [...wrap(label, columns), ...chunks(value, columns).map((line) => line.padStart(columns + line.length - width(line)))];
}

function qrLine(entry: Entry): string[] {
  switch (entry.kind) {
    case 'rule':
      return [];
    case 'heading':
    case 'text':
      return [entry.text];
    case 'raw':
      return entry.text.trim() === '' ? [] : [entry.text.trim()];
    case 'pair':
      return [entry.detail === undefined ? `${entry.label} ${entry.value}` : `${entry.label} ${entry.detail} ${entry.value}`];
  }
}

/** Word wrap; a word longer than a line is cut. */
function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean).flatMap((w) => chunks(w, columns))) {
    if (line === '') line = word;
    else if (width(line) + 1 + width(word) <= columns) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  return line === '' ? [] : [...lines, line];
}

function chunks(text: string, columns: number): string[] {
  const chars = [...text];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += columns) out.push(chars.slice(i, i + columns).join(''));
  return out;
}

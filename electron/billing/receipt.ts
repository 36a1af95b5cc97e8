// The receipt's content, once, in two renderings: lines for a printer of a given
// width, and a compact plain text for a QR code that a phone shows offline. The
// words come from a message catalogue (`ReceiptTexts`); amounts are formatted
// exactly from minor units. No I/O: the caller prints or shows the result.

import type { CostLine, SessionSummary } from '../contract/snapshot.js';
import type { ReceiptDocument } from '../../devices/printer/receipt-printer-port.js';
import { exact, formatMinor, toDecimalString } from './decimal.js';

/** The words on a receipt, supplied by the message catalogue of the station's language. */
export interface ReceiptTexts {
  title: string;
  station: string;
  start: string;
  end: string;
  session: string;
  connector: string;
  energy: string;
  duration: string;
  lineEnergy: string;
  lineTime: string;
  lineParking: string;
  lineFlat: string;
  net: string;
  vat: string;
  total: string;
  paidByCard: string;
  pricedCost: string;
  taken: string;
  writtenOff: string;
  /** Stated in place of the cost lines when nothing was delivered and nothing was taken. */
  noCharge: string;
  help: string;
}

export const englishReceiptTexts: ReceiptTexts = {
  title: 'Charging receipt',
  station: 'Station',
  start: 'Start',
  end: 'End',
  session: 'Session',
  connector: 'Connector',
  energy: 'Energy',
  duration: 'Duration',
  lineEnergy: 'Energy',
  lineTime: 'Charging time',
  lineParking: 'Parking time',
  lineFlat: 'Session fee',
  net: 'Net',
  vat: 'VAT',
  total: 'Total',
  paidByCard: 'Paid by card',
  pricedCost: 'Cost of charging',
  taken: 'Amount taken',
  writtenOff: 'Written off',
  noCharge: 'No charge',
  help: 'Help',
};

export interface ReceiptInput {
  summary: SessionSummary;
  station: { id: string; name: string; helpLine: string };
  connectorLabel: string;
  currency: string;
  locale: string;
  /** Printer width in characters; no line is longer. */
  columns: number;
  texts: ReceiptTexts;
  /** IANA time zone for the dates; the process's (the station's) own by default. */
  timeZone?: string;
}

/** Longest QR text: beyond this a QR code gets dense enough that phone cameras struggle at kiosk distance. */
export const QR_MAX_CHARS = 600;

/** `spare` entries are the first the QR text leaves out when it would be too long. */
type Entry =
  | { kind: 'heading'; text: string; spare?: boolean }
  | { kind: 'text'; text: string }
  | { kind: 'pair'; label: string; value: string; spare?: boolean }
  | { kind: 'rule' };

export function buildReceipt(input: ReceiptInput): { document: ReceiptDocument; qrText: string } {
  const { columns } = input;
  if (!Number.isSafeInteger(columns) || columns < 1) throw new RangeError(`columns must be a positive integer, got ${columns}`);
  const entries = receiptEntries(input);
  return {
    document: { lines: entries.flatMap((entry) => printLines(entry, columns)) },
    qrText: qrText(entries),
  };
}

function qrText(entries: Entry[]): string {
  const full = entries.flatMap(qrLine).join('\n');
  if (full.length <= QR_MAX_CHARS) return full;
  // Long station names or catalogue words: drop what the driver can do without, and as a last resort cut.
  const short = entries.filter((e) => !('spare' in e && e.spare)).flatMap(qrLine).join('\n');
  return short.length <= QR_MAX_CHARS ? short : `${short.slice(0, QR_MAX_CHARS - 1)}…`;
}

function receiptEntries(input: ReceiptInput): Entry[] {
  const { summary, station, texts, currency, locale } = input;
  const money = (minor: number) => formatMinor(minor, currency, locale);
  const when = (ms: number) => formatDateTime(ms, input.timeZone);
  const pan = maskPan(summary.maskedPan);
  const entries: Entry[] = [
    { kind: 'heading', text: texts.title, spare: true },
    { kind: 'heading', text: station.name, spare: true },
    { kind: 'pair', label: texts.station, value: station.id },
    { kind: 'pair', label: texts.start, value: when(summary.startedAt), spare: true },
    { kind: 'pair', label: texts.end, value: when(summary.endedAt) },
    { kind: 'pair', label: texts.session, value: summary.sessionId },
    { kind: 'pair', label: texts.connector, value: input.connectorLabel, spare: true },
    { kind: 'pair', label: texts.energy, value: formatKWh(summary.energyWh, locale) },
    { kind: 'pair', label: texts.duration, value: formatDuration(summary.durationS), spare: true },
    { kind: 'rule' },
    ...costEntries(input, money),
    { kind: 'rule' },
    pan === null ? { kind: 'text', text: texts.paidByCard } : { kind: 'pair', label: texts.paidByCard, value: pan },
  ];
  // A session that outran its hold is charged only the hold; the receipt says so plainly.
  if (summary.writtenOffMinor > 0) entries.push({ kind: 'pair', label: texts.pricedCost, value: money(summary.costMinor) });
  entries.push({ kind: 'pair', label: texts.taken, value: money(summary.capturedMinor) });
  if (summary.writtenOffMinor > 0) entries.push({ kind: 'pair', label: texts.writtenOff, value: money(summary.writtenOffMinor) });
  entries.push({ kind: 'rule' }, { kind: 'pair', label: texts.help, value: station.helpLine });
  return entries;
}

/** The cost lines and totals; a session that delivered nothing states so, with no lines and its zero total. */
function costEntries(input: ReceiptInput, money: (minor: number) => string): Entry[] {
  const { summary, texts, locale } = input;
  const total: Entry = { kind: 'pair', label: texts.total, value: money(summary.costMinor) };
  if (summary.noCharge) return [{ kind: 'text', text: texts.noCharge }, { kind: 'rule' }, total];
  return [
    ...summary.lines.map((line): Entry => ({ kind: 'pair', label: costLabel(line, texts, locale), value: money(line.amountMinor) })),
    { kind: 'rule' },
    { kind: 'pair', label: texts.net, value: money(summary.costMinor - summary.vatMinor) },
    { kind: 'pair', label: texts.vat, value: money(summary.vatMinor) },
    total,
  ];
}

function costLabel(line: CostLine, texts: ReceiptTexts, locale: string): string {
  switch (line.kind) {
    case 'energy':
      return `${texts.lineEnergy} ${formatKWh(line.quantity, locale)}`;
    case 'time':
      return `${texts.lineTime} ${formatDuration(line.quantity)}`;
    case 'parking':
      return `${texts.lineParking} ${formatDuration(line.quantity)}`;
    case 'flat':
      return texts.lineFlat;
  }
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

/** Energy in kWh with two decimals, rounded half-up exactly from Wh. */
function formatKWh(energyWh: number, locale: string): string {
  const kWh = toDecimalString(exact(energyWh, 1000), 2, 2) as `${number}`;
  const format = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2, numberingSystem: 'latn' });
  return `${format.format(kWh)} kWh`;
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

function printLines(entry: Entry, columns: number): string[] {
  switch (entry.kind) {
    case 'rule':
      return ['-'.repeat(columns)];
    case 'heading':
      return wrap(entry.text, columns).map((line) => ' '.repeat(Math.floor((columns - width(line)) / 2)) + line);
    case 'text':
      return wrap(entry.text, columns);
    case 'pair': {
      const gap = columns - width(entry.label) - width(entry.value);
      if (gap >= 1) return [entry.label + ' '.repeat(gap) + entry.value];
      // Too long for one line: the label wraps, the value follows right-aligned.
      return [...wrap(entry.label, columns), ...chunks(entry.value, columns).map((line) => line.padStart(columns + line.length - width(line)))];
    }
  }
}

function qrLine(entry: Entry): string[] {
  switch (entry.kind) {
    case 'rule':
      return [];
    case 'heading':
    case 'text':
      return [entry.text];
    case 'pair':
      return [`${entry.label} ${entry.value}`];
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

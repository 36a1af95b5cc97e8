// ESC/POS for our receipts: the bytes of a ReceiptDocument (made by the maintained
// encoder, @point-of-sale/receipt-printer-encoder), the status requests and the
// reading of their answers. Shared by the driver (escpos-printer.ts); the simulator
// (escpos-simulator.ts) decodes on its own, so it cannot share a mistake made here.
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import type { PrinterStatus, ReceiptDocument } from './receipt-printer-port.js';

/** Epson's number for code page 858 (cp850 with the euro sign at 0xD5). */
export const CODE_PAGE_CP858 = 0x13;

/** The paper widths the encoder lays text out for; a narrower printer uses the next one up (our lines never wrap). */
const ENCODER_WIDTHS = [32, 35, 42, 44, 48] as const;
export const MAX_COLUMNS = 48;

/** Model 2, error level M, 8-bit data: the most a QR code holds (version 40). */
export const MAX_QR_BYTES = 2331;

/** Lines fed by `1D 56 42 n` past the cutter position, so the next receipt starts clean. */
export const FEED_LINES_BEFORE_CUT = 3;

/** DLE EOT 4: the paper roll sensor; DLE EOT 2: the offline causes (cover open). */
export const PAPER_STATUS_REQUEST = Uint8Array.of(0x10, 0x04, 0x04);
export const OFFLINE_STATUS_REQUEST = Uint8Array.of(0x10, 0x04, 0x02);

// C0 and C1 controls: the encoder passes some through (NUL), and any of them would
// start a command on the printer instead of printing.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

// The encoder maps these to their cp437 glyph bytes below 0x20 (0x15, 0x14), which a
// printer takes for control codes and does not print; cp858 has them up here too.
const HIGH_GLYPHS = new Map<string, number>([
  ['§', 0xf5],
  ['¶', 0xf4],
]);

export function encoderWidthFor(columns: number): number {
  const width = ENCODER_WIDTHS.find((w) => w >= columns);
  if (!Number.isInteger(columns) || columns < 8 || width === undefined) {
    throw new RangeError(`an ESC/POS printer here has 8 to ${MAX_COLUMNS} columns, not ${columns}`);
  }
  return width;
}

/** Throws (TypeError, RangeError) for a document this printer cannot print as given. */
export function checkDocument(document: ReceiptDocument, columns: number): void {
  if (!Array.isArray(document?.lines)) throw new TypeError('print: the document has no lines');
  for (const [index, line] of document.lines.entries()) {
    if (typeof line !== 'string') throw new TypeError(`print: line ${index + 1} is not text`);
    // A line break inside a line would print a line the width check never saw.
    if (/[\r\n]/.test(line)) throw new RangeError(`print: line ${index + 1} contains a line break`);
    if (CONTROL.test(line)) throw new RangeError(`print: line ${index + 1} contains a control character`);
    // Counted in code points: '€' is one character on the paper.
    const width = [...line].length;
    if (width > columns) throw new RangeError(`print: line ${index + 1} is ${width} characters, the printer has ${columns} columns`);
  }
  const qr = document.qr;
  if (qr !== undefined) {
    if (typeof qr !== 'string' || qr === '') throw new TypeError('print: the QR code payload is empty');
    // The encoder sends the payload as ISO 8859-1: anything beyond it would be changed.
    if ([...qr].some((c) => c.codePointAt(0)! > 0xff)) throw new RangeError('print: the QR code payload has characters outside ISO 8859-1 (percent-encode them)');
    if (qr.length > MAX_QR_BYTES) throw new RangeError(`print: the QR code payload is ${qr.length} bytes, at most ${MAX_QR_BYTES} fit`);
  }
}

/**
 * The bytes of one receipt: init, code page 858 (text encoded in it: €, umlauts,
 * accents), the lines, a centred QR code (model 2, error level M) when `qr` is set,
 * then feed and partial cut in one command (never a bare cut, which leaves the last
 * lines inside the printer). Characters outside cp858 print as '?'.
 */
export function encodeReceipt(document: ReceiptDocument, columns: number): Uint8Array {
  checkDocument(document, columns);
  const encoder = new ReceiptPrinterEncoder({
    language: 'esc-pos',
    columns: encoderWidthFor(columns),
    codepageMapping: 'epson',
    // Our cut feeds itself; plain LF (a printer with auto line feed prints LF CR as two lines).
    feedBeforeCut: 0,
    newline: '\n',
  });
  // The encoder selects the code page lazily, before the text that needs it; selected
  // here too, so the raw bytes of § and ¶ below are read in cp858 as well.
  encoder.initialize().codepage('cp858').raw([0x1b, 0x74, CODE_PAGE_CP858]);
  for (const line of document.lines) {
    for (const run of line.split(/([§¶])/u)) {
      const byte = HIGH_GLYPHS.get(run);
      if (byte !== undefined) encoder.raw([byte]);
      else if (run !== '') encoder.text(run);
    }
    encoder.newline();
  }
  if (document.qr !== undefined) {
    encoder.align('center').qrcode(document.qr, { model: 2, size: 6, errorlevel: 'm' }).align('left');
  }
  encoder.raw([0x1d, 0x56, 0x42, FEED_LINES_BEFORE_CUT]);
  return encoder.encode();
}

/** Every DLE EOT answer has bits 1 and 4 set and bits 0 and 7 clear. */
export function isStatusByte(byte: number): boolean {
  return (byte & 0x93) === 0x12;
}

/** The answer to `10 04 04`: 0x0C near end (either bit: printers set one or both), 0x60 out. Null if it is no status byte. */
export function parsePaperStatus(byte: number): PrinterStatus['paper'] | null {
  if (!isStatusByte(byte)) return null;
  if (byte & 0x60) return 'out';
  if (byte & 0x0c) return 'low';
  return 'ok';
}

export interface OfflineCauses {
  coverOpen: boolean;
  /** Printing stopped because the paper ran out. */
  paperStop: boolean;
  /** An error (cutter jam, head too hot). */
  error: boolean;
}

/** The answer to `10 04 02`. Null if it is no status byte. */
export function parseOfflineStatus(byte: number): OfflineCauses | null {
  if (!isStatusByte(byte)) return null;
  return { coverOpen: (byte & 0x04) !== 0, paperStop: (byte & 0x20) !== 0, error: (byte & 0x40) !== 0 };
}

/** Paper and cover from the two answers; null if either is no status byte. */
export function statusFromAnswers(paperByte: number, offlineByte: number): { paper: PrinterStatus['paper']; coverOpen: boolean; error: boolean } | null {
  const paper = parsePaperStatus(paperByte);
  const offline = parseOfflineStatus(offlineByte);
  if (paper === null || offline === null) return null;
  return { paper: offline.paperStop ? 'out' : paper, coverOpen: offline.coverOpen, error: offline.error };
}

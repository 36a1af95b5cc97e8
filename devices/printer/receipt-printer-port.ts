// The port for a receipt printer. Implementations: ESC/POS (escpos-printer.ts) on a
// serial port, a USB printer-class device or any byte stream; simulated
// (simulated-printer.ts): the ESC/POS driver into the ESC/POS simulator.

export interface ReceiptDocument {
  /** Lines of text, at most `columns` characters each; the driver encodes them for its printer. */
  lines: string[];
  /** Printed as a QR code under the text, when present. */
  qr?: string;
}

export interface PrinterStatus {
  online: boolean;
  paper: 'ok' | 'low' | 'out';
  coverOpen: boolean;
  /**
   * Set when paper and cover could not be read, and why (the printer did not answer
   * the status request, or it is offline): `paper` and `coverOpen` are then
   * assumptions ('ok', false), not readings. Absent when they were read.
   */
  unknown?: string;
}

export interface ReceiptPrinter {
  readonly columns: number;
  status(): Promise<PrinterStatus>;
  print(document: ReceiptDocument): Promise<void>;
  close(): Promise<void>;
  /** What the driver knows of how the printer answers, for a technician (the ESC/POS driver's counters). */
  diagnostics?(): object;
}

// The port for a receipt printer. Implementations: simulated now; ESC/POS over serial later.

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
}

export interface ReceiptPrinter {
  readonly columns: number;
  status(): Promise<PrinterStatus>;
  print(document: ReceiptDocument): Promise<void>;
  close(): Promise<void>;
}

// A simulated receipt printer. Its "paper roll" is a text file the receipts are
// appended to, with a cut line between them, so a developer can read what a driver
// would have been handed. Printing takes time on the clock and jobs queue one after
// another, as on a real printer.
import fs from 'node:fs';
import { dirname } from 'node:path';
import type { Clock, TimerHandle } from '../clock.js';
import { DeviceUnavailableError } from '../device-errors.js';
import type { PrinterStatus, ReceiptDocument, ReceiptPrinter } from './receipt-printer-port.js';

export interface SimulatedPrinterOptions {
  clock: Clock;
  columns: number;
  /** The paper roll: a text file receipts are appended to; null or absent: memory only. */
  outputFile?: string | null;
  /** Receipts kept in memory for the sim panel and tests. */
  keepLast?: number;
}

/** Print time: per started block of 10 lines, and for a QR code. */
const MS_PER_10_LINES = 50;
const MS_PER_QR = 100;

export class SimulatedPrinter implements ReceiptPrinter {
  readonly columns: number;
  private readonly clock: Clock;
  private readonly outputFile: string | null;
  private readonly keepLast: number;
  private readonly cutLine: string;
  private paper: PrinterStatus['paper'] = 'ok';
  private coverOpen = false;
  private closed = false;
  private printed = 0;
  private readonly receipts: string[] = [];
  /** Clock time the job last queued will be done; jobs start in the order they came. */
  private busyUntil = Number.NEGATIVE_INFINITY;
  private readonly jobs = new Set<{ timer: TimerHandle | null; reject: (error: unknown) => void }>();
  private dirReady = false;

  constructor(options: SimulatedPrinterOptions) {
    if (!Number.isInteger(options.columns) || options.columns < 8) throw new RangeError('columns must be a whole number >= 8');
    this.clock = options.clock;
    this.columns = options.columns;
    this.outputFile = options.outputFile ?? null;
    this.keepLast = options.keepLast ?? 20;
    const mark = ' 8< ';
    const left = Math.floor((this.columns - mark.length) / 2);
    this.cutLine = '-'.repeat(left) + mark + '-'.repeat(this.columns - mark.length - left);
  }

  async status(): Promise<PrinterStatus> {
    this.assertOpen();
    return { online: true, paper: this.paper, coverOpen: this.coverOpen };
  }

  async print(document: ReceiptDocument): Promise<void> {
    this.assertOpen();
    for (const [index, line] of document.lines.entries()) {
      if (typeof line !== 'string') throw new TypeError(`print: line ${index + 1} is not text`);
      // A line break inside a line would print a line the width check never saw.
      if (/[\r\n]/.test(line)) throw new RangeError(`print: line ${index + 1} contains a line break`);
      // Counted in code points: '€' is one character on the paper.
      const width = [...line].length;
      if (width > this.columns) {
        throw new RangeError(`print: line ${index + 1} is ${width} characters, the printer has ${this.columns} columns`);
      }
    }
    this.assertCanPrint();

    const text = [...document.lines, ...(document.qr === undefined ? [] : [`[QR] ${document.qr}`])].join('\n');
    const duration = Math.max(1, Math.ceil(document.lines.length / 10)) * MS_PER_10_LINES + (document.qr === undefined ? 0 : MS_PER_QR);
    // Timed now, not when the previous job ends, so a test clock that is advanced
    // right after print() finds the timer already there.
    const now = this.clock.now();
    const doneAt = Math.max(now, this.busyUntil) + duration;
    this.busyUntil = doneAt;
    await new Promise<void>((resolve, reject) => {
      const job: { timer: TimerHandle | null; reject: (error: unknown) => void } = { timer: null, reject };
      job.timer = this.clock.setTimeout(() => {
        this.jobs.delete(job);
        try {
          // The paper may have run out while the job waited its turn.
          this.assertCanPrint();
          this.output(text);
          resolve();
        } catch (error) {
          reject(error);
        }
      }, doneAt - now);
      this.jobs.add(job);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.jobs) {
      if (job.timer !== null) this.clock.clearTimeout(job.timer);
      job.reject(new DeviceUnavailableError('simulated printer closed'));
    }
    this.jobs.clear();
  }

  // ---- Simulation controls ----

  simSetPaper(paper: PrinterStatus['paper']): void {
    if (paper !== 'ok' && paper !== 'low' && paper !== 'out') throw new TypeError(`unknown paper state ${String(paper)}`);
    this.paper = paper;
  }

  simSetCoverOpen(open: boolean): void {
    this.coverOpen = open;
  }

  /** For the sim panel (paper and cover are in status()). */
  simState(): { printed: number; lastReceipt: string | null } {
    return { printed: this.printed, lastReceipt: this.receipts.at(-1) ?? null };
  }

  /** The last receipts printed, oldest first. */
  simReceipts(): string[] {
    return [...this.receipts];
  }

  // ---- Internals ----

  private assertOpen(): void {
    if (this.closed) throw new DeviceUnavailableError('simulated printer is closed');
  }

  private assertCanPrint(): void {
    if (this.paper === 'out') throw new Error('printer: out of paper');
    if (this.coverOpen) throw new Error('printer: cover open');
  }

  private output(text: string): void {
    if (this.outputFile !== null) {
      if (!this.dirReady) {
        fs.mkdirSync(dirname(this.outputFile), { recursive: true });
        this.dirReady = true;
      }
      fs.appendFileSync(this.outputFile, `${text}\n${this.cutLine}\n`);
    }
    this.printed++;
    this.receipts.push(text);
    if (this.receipts.length > this.keepLast) this.receipts.shift();
  }
}

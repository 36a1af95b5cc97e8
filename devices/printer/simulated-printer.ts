// A simulated receipt printer: the real ESC/POS driver (EscPosPrinter) over a memory
// link into the ESC/POS simulator, which decodes the bytes back into text, QR payload
// and cut. Its "paper roll" is a text file the decoded receipts are appended to, with a
// cut line between them, so a developer reads what the printer would have printed.
// Printing takes time on the clock and jobs queue one after another, as on a real
// printer; paper and cover are the simulator's, read by the driver's status requests.
import fs from 'node:fs';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '../clock.js';
import { DeviceUnavailableError } from '../device-errors.js';
import { checkDocument } from './escpos-encoding.js';
import { EscPosPrinter, PrinterError } from './escpos-printer.js';
import { EscPosSimulator, type EscPosSimVariant, type SimReceipt } from './escpos-simulator.js';
import { memoryLink } from './memory-link.js';
import type { PrinterStatus, ReceiptDocument, ReceiptPrinter } from './receipt-printer-port.js';

export interface SimulatedPrinterOptions {
  clock: Clock;
  columns: number;
  /** The paper roll: a text file receipts are appended to; null or absent: memory only. */
  outputFile?: string | null;
  /** Receipts kept in memory for the sim panel and tests. */
  keepLast?: number;
  /** How the simulated printer answers status (late, never, only when idle); default at once. */
  variant?: EscPosSimVariant;
  /** The driver's status timeout, ms on `clock` (default the driver's). */
  statusTimeoutMs?: number;
}

export interface SimulatedPrinterState {
  printed: number;
  lastReceipt: string | null;
  /** The last receipt's QR code payload; absent when it had none. */
  lastQr?: string;
}

/** Print time: per started block of 10 lines, and for a QR code. */
const MS_PER_10_LINES = 50;
const MS_PER_QR = 100;

interface Job {
  timer: TimerHandle | null;
  reject: (error: unknown) => void;
}

export class SimulatedPrinter implements ReceiptPrinter {
  readonly columns: number;
  /** The printer at the other end of the link: for tests and the sim panel. */
  readonly device: EscPosSimulator;
  private readonly driver: EscPosPrinter;
  private readonly link: [Duplex, Duplex];
  private readonly clock: Clock;
  private readonly outputFile: string | null;
  private readonly keepLast: number;
  private readonly cutLine: string;
  private closed = false;
  private printed = 0;
  private readonly receipts: { text: string; qr: string | null }[] = [];
  /** Clock time the job last queued will be done; jobs start in the order they came. */
  private busyUntil = Number.NEGATIVE_INFINITY;
  private readonly jobs = new Set<Job>();
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
    this.link = memoryLink();
    this.device = new EscPosSimulator({ clock: options.clock, variant: options.variant });
    this.device.attach(this.link[1]);
    this.driver = new EscPosPrinter({ columns: options.columns, clock: options.clock, address: 'simulated', statusTimeoutMs: options.statusTimeoutMs });
    this.driver.attach(this.link[0]);
  }

  async status(): Promise<PrinterStatus> {
    this.assertOpen();
    return this.driver.status();
  }

  async print(document: ReceiptDocument): Promise<void> {
    this.assertOpen();
    checkDocument(document, this.columns);
    const lines = document.lines.length;
    const duration = Math.max(1, Math.ceil(lines / 10)) * MS_PER_10_LINES + (document.qr === undefined ? 0 : MS_PER_QR);
    // Timed now, not when the previous job ends, so a test clock that is advanced
    // right after print() finds the timer already there.
    const now = this.clock.now();
    const before = this.busyUntil;
    const doneAt = Math.max(now, before) + duration;
    this.busyUntil = doneAt;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const job: Job = { timer: null, reject: (error) => fail(error) };
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        if (job.timer !== null) this.clock.clearTimeout(job.timer);
        this.jobs.delete(job);
        reject(error);
      };
      // The driver's status check now, so a printer that cannot print refuses at once.
      this.driver.status().then((status) => {
        const refusal = refusalOf(status);
        if (!refusal) return;
        // Refused before it printed: its print time is free again, if no job came after it.
        if (!settled && this.busyUntil === doneAt) this.busyUntil = before;
        fail(refusal);
      }, fail);
      job.timer = this.clock.setTimeout(() => {
        job.timer = null;
        if (settled) return;
        // The paper may have run out, or the cover opened, while the job waited its turn.
        const refusal = refusalOf({ online: true, paper: this.device.paper, coverOpen: this.device.coverOpen });
        if (refusal) return fail(refusal);
        this.printThrough(document).then(
          (receipt) => {
            if (settled) return;
            settled = true;
            this.jobs.delete(job);
            this.output(receipt);
            resolve();
          },
          fail,
        );
      }, doneAt - now);
      this.jobs.add(job);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of [...this.jobs]) job.reject(new DeviceUnavailableError('simulated printer closed'));
    this.jobs.clear();
    await this.driver.close();
    this.device.detach();
    this.link[0].destroy();
  }

  // ---- Simulation controls ----

  simPaper(paper: PrinterStatus['paper']): void {
    this.device.setPaper(paper);
  }

  simCover(open: boolean): void {
    this.device.setCover(open);
  }

  /** The same as simPaper (its first name). */
  simSetPaper(paper: PrinterStatus['paper']): void {
    this.simPaper(paper);
  }

  /** The same as simCover (its first name). */
  simSetCoverOpen(open: boolean): void {
    this.simCover(open);
  }

  /** For the sim panel (paper and cover are in status()). */
  simState(): SimulatedPrinterState {
    const last = this.receipts.at(-1);
    const state: SimulatedPrinterState = { printed: this.printed, lastReceipt: last?.text ?? null };
    if (last?.qr != null) state.lastQr = last.qr;
    return state;
  }

  /** The last receipts printed, oldest first, as on the paper roll. */
  simReceipts(): string[] {
    return this.receipts.map((receipt) => receipt.text);
  }

  // ---- Internals ----

  private assertOpen(): void {
    if (this.closed) throw new DeviceUnavailableError('simulated printer is closed');
  }

  /** Sends the document through the driver; resolves with what the simulator decoded at the cut. */
  private async printThrough(document: ReceiptDocument): Promise<SimReceipt> {
    let off: () => void = () => {};
    const cut = new Promise<SimReceipt>((resolve, reject) => {
      off = this.device.onReceipt((receipt, onRoll) => (onRoll ? resolve(receipt) : reject(new PrinterError('paperOut', 'printer: the receipt did not come out (paper out or cover open)'))));
    });
    try {
      await this.driver.print(document);
      return await cut;
    } finally {
      off();
    }
  }

  private output(receipt: SimReceipt): void {
    const lines = [...receipt.lines];
    if (receipt.qr) lines.push(`[QR] ${receipt.qr.payload}`);
    if (!receipt.cutOk) lines.push('[cut without feed: the last lines stayed inside the printer]');
    const text = lines.join('\n');
    if (this.outputFile !== null) {
      if (!this.dirReady) {
        fs.mkdirSync(dirname(this.outputFile), { recursive: true });
        this.dirReady = true;
      }
      fs.appendFileSync(this.outputFile, `${text}\n${this.cutLine}\n`);
    }
    this.printed++;
    this.receipts.push({ text, qr: receipt.qr?.payload ?? null });
    if (this.receipts.length > this.keepLast) this.receipts.shift();
  }
}

function refusalOf(status: PrinterStatus): PrinterError | null {
  if (!status.online) return new PrinterError('offline', 'printer: offline');
  if (status.paper === 'out') return new PrinterError('paperOut', 'printer: out of paper');
  if (status.coverOpen) return new PrinterError('coverOpen', 'printer: cover open');
  return null;
}

// An ESC/POS receipt printer at the other end of a byte stream (a memory link, or a
// pseudo-terminal in tests): it decodes what it is sent into text lines, in the code
// page selected (its own tables, not the encoder's, so a wrong code page shows), the QR
// code's payload and the cut (with or without feed before it), and keeps each cut
// receipt on its "paper roll". It answers the status requests `10 04 04` (paper) and
// `10 04 02` (cover) from its paper and cover, as configured, in one of the ways real
// printers do: at once, late, only when not busy printing, or never (an old or
// non-Epson model).
import type { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '../clock.js';

export type SimPaper = 'ok' | 'low' | 'out';

/** How the printer answers DLE EOT status requests. */
export type SimStatusAnswers = 'immediate' | 'late' | 'never' | 'whenIdle';

export interface EscPosSimVariant {
  /** Default 'immediate'. */
  status?: SimStatusAnswers;
  /** For 'late': how much later, ms (default 1500). */
  lateMs?: number;
  /** Print time of one line, ms (a QR code counts 8): the printer is busy that long (default 0). */
  lineMs?: number;
  /** CR prints and feeds like LF (the auto line feed DIP switch); default: CR is ignored. */
  autoLineFeed?: boolean;
  /** Lines between the print head and the cutter (default 3): a bare cut with less feed before it cuts through the last lines. */
  cutterLines?: number;
}

export interface SimQr {
  payload: string;
  /** 1, 2 or 3 (micro); null if never set (the printer's default, model 2 on Epson). */
  model: number | null;
  errorLevel: 'L' | 'M' | 'Q' | 'H' | null;
  moduleSize: number | null;
}

export interface SimReceipt {
  /** The text lines, decoded in the code page selected; blank lines at the end are feed, not text. */
  lines: string[];
  qr: SimQr | null;
  /** 'feedAndCut': GS V 65/66 n; 'bare': GS V 0/1/48/49, ESC i, ESC m. */
  cut: 'feedAndCut' | 'bare';
  /** Blank lines fed after the last text and before the cut (GS V B n adds its n). */
  feedLines: number;
  /** The whole receipt came out of the printer: fed past the cutter before it was cut. */
  cutOk: boolean;
  /** The code pages selected while it was sent (ESC t n). */
  codePages: number[];
  /** Commands this printer would not know, as hex ("1b 99"). */
  unknownCommands: string[];
}

export interface EscPosSimulatorOptions {
  /** Late answers and print time. */
  clock: Clock;
  variant?: EscPosSimVariant;
}

// CP858: CP850 with € at 0xD5 (CP850 has ı there). Written out from the IBM tables.
const CP858_HIGH =
  'ÇüéâäàåçêëèïîìÄÅ' + 'ÉæÆôöòûùÿÖÜø£Ø×ƒ' + 'áíóúñÑªº¿®¬½¼¡«»' + '░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐' +
  '└┴┬├─┼ãÃ╚╔╩╦╠═╬¤' + 'ðÐÊËÈ€ÍÎÏ┘┌█▄¦Ì▀' + 'ÓßÔÒõÕµþÞÚÛÙýÝ¯´' + '\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0';
const CP850_HIGH = CP858_HIGH.slice(0, 0x55) + 'ı' + CP858_HIGH.slice(0x56);
const HIGH_HALVES = new Map<number, string>([
  [0x02, CP850_HIGH],
  [0x13, CP858_HIGH],
]);

/** One byte as the printer prints it in code page `page`; U+FFFD for a page this simulator has no table for (cp437's upper half among them). */
export function decodeByte(byte: number, page: number): string {
  if (byte < 0x80) return String.fromCharCode(byte);
  return HIGH_HALVES.get(page)?.[byte - 0x80] ?? '\ufffd';
}

// Parameter bytes after ESC x, GS x and FS x for the commands with a fixed length.
const ESC_PARAMS = new Map<number, number>([
  [0x40, 0], [0x61, 1], [0x45, 1], [0x4d, 1], [0x74, 1], [0x64, 1], [0x4a, 1], [0x21, 1], [0x2d, 1], [0x47, 1],
  [0x7b, 1], [0x32, 0], [0x33, 1], [0x20, 1], [0x56, 1], [0x70, 3], [0x52, 1], [0x69, 0], [0x6d, 0], [0x63, 2],
]);
const GS_PARAMS = new Map<number, number>([
  [0x21, 1], [0x42, 1], [0x68, 1], [0x77, 1], [0x48, 1], [0x66, 1], [0x4c, 2], [0x57, 2], [0x62, 1], [0x61, 1],
]);
const FS_PARAMS = new Map<number, number>([[0x2e, 0], [0x26, 0], [0x43, 1]]);

const hex = (bytes: Iterable<number>): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

export class EscPosSimulator {
  private readonly clock: Clock;
  private readonly variant: Required<EscPosSimVariant>;
  private stream: Duplex | null = null;
  private detachStream: (() => void) | null = null;
  private pending: number[] = [];
  private paperState: SimPaper = 'ok';
  private cover = false;
  private busyUntil = Number.NEGATIVE_INFINITY;
  private readonly timers = new Set<TimerHandle>();
  private readonly listeners = new Set<(receipt: SimReceipt, onRoll: boolean) => void>();
  private readonly roll: SimReceipt[] = [];
  // The receipt being printed.
  private lines: string[] = [];
  private line = '';
  private lineStarted = false;
  private blankRun = 0;
  private codePage = 0;
  private codePages: number[] = [];
  private unknown: string[] = [];
  private qrStore: { model: number | null; errorLevel: SimQr['errorLevel']; moduleSize: number | null; data: string | null } = { model: null, errorLevel: null, moduleSize: null, data: null };
  private qr: SimQr | null = null;
  /** Status requests received, answered or not. */
  statusRequests = 0;
  /** Receipts cut while the paper was out or the cover open: they never came out. */
  lostReceipts = 0;

  constructor(options: EscPosSimulatorOptions) {
    this.clock = options.clock;
    const v = options.variant ?? {};
    this.variant = { status: v.status ?? 'immediate', lateMs: v.lateMs ?? 1500, lineMs: v.lineMs ?? 0, autoLineFeed: v.autoLineFeed ?? false, cutterLines: v.cutterLines ?? 3 };
  }

  /** Reads commands from `stream` and answers on it. */
  attach(stream: Duplex): void {
    this.detach();
    const onData = (chunk: Buffer | string): void => this.receive(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    stream.on('data', onData);
    this.stream = stream;
    this.detachStream = () => stream.off('data', onData);
  }

  /** Stops reading; answers not sent yet are dropped (the printer was switched off). */
  detach(): void {
    this.detachStream?.();
    this.detachStream = null;
    this.stream = null;
    for (const timer of this.timers) this.clock.clearTimeout(timer);
    this.timers.clear();
  }

  // ---- Controls ----

  setPaper(paper: SimPaper): void {
    if (paper !== 'ok' && paper !== 'low' && paper !== 'out') throw new TypeError(`unknown paper state ${String(paper)}`);
    this.paperState = paper;
  }

  setCover(open: boolean): void {
    this.cover = open;
  }

  get paper(): SimPaper {
    return this.paperState;
  }

  get coverOpen(): boolean {
    return this.cover;
  }

  /** Busy printing (lineMs per line sent). */
  get busy(): boolean {
    return this.clock.now() < this.busyUntil;
  }

  /** The paper roll: every receipt cut, oldest first. */
  receipts(): SimReceipt[] {
    return [...this.roll];
  }

  /** Called at each cut; `onRoll` false: the paper was out or the cover open, the receipt never came out. */
  onReceipt(listener: (receipt: SimReceipt, onRoll: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The answer to DLE EOT n as this printer's state is now. */
  statusByte(n: number): number {
    const out = this.paperState === 'out';
    if (n === 4) return 0x12 | (this.paperState === 'low' || out ? 0x0c : 0) | (out ? 0x60 : 0);
    if (n === 2) return 0x12 | (this.cover ? 0x04 : 0) | (out ? 0x20 : 0);
    if (n === 1) return 0x12 | (this.cover || out ? 0x08 : 0);
    return 0x12;
  }

  // ---- Decoding ----

  /** Bytes from the driver; a command split over chunks waits for its end. */
  receive(bytes: Uint8Array): void {
    for (const byte of bytes) this.pending.push(byte);
    let at = 0;
    for (;;) {
      const used = this.step(this.pending, at);
      if (used === 0) break;
      at += used;
    }
    this.pending = this.pending.slice(at);
  }

  /** Executes the command at `at`; returns the bytes it took, 0 if it is not complete yet. */
  private step(buf: number[], at: number): number {
    if (at >= buf.length) return 0;
    const byte = buf[at]!;
    const has = (n: number): boolean => at + n <= buf.length;
    if (byte === 0x0a) return this.lineFeed(), 1;
    if (byte === 0x0d) {
      if (this.variant.autoLineFeed) this.lineFeed();
      return 1;
    }
    if (byte === 0x10) {
      if (!has(2)) return 0;
      if (buf[at + 1] === 0x04 || buf[at + 1] === 0x05) {
        if (!has(3)) return 0;
        if (buf[at + 1] === 0x04) this.statusRequest(buf[at + 2]!);
        return 3;
      }
      this.unknown.push(hex(buf.slice(at, at + 2)));
      return 2;
    }
    if (byte === 0x1b || byte === 0x1d || byte === 0x1c) {
      if (!has(2)) return 0;
      const code = buf[at + 1]!;
      if (byte === 0x1d && code === 0x28) {
        // GS ( x pL pH data: a function with a length.
        if (!has(5)) return 0;
        const length = buf[at + 3]! + buf[at + 4]! * 256;
        if (!has(5 + length)) return 0;
        if (buf[at + 2] === 0x6b) this.symbol(buf.slice(at + 5, at + 5 + length));
        else this.unknown.push(hex(buf.slice(at, at + 3)));
        return 5 + length;
      }
      if (byte === 0x1d && code === 0x56) {
        if (!has(3)) return 0;
        const m = buf[at + 2]!;
        if (m === 0x41 || m === 0x42) {
          if (!has(4)) return 0;
          this.cut('feedAndCut', buf[at + 3]!);
          return 4;
        }
        this.cut('bare', 0);
        return 3;
      }
      const table = byte === 0x1b ? ESC_PARAMS : byte === 0x1d ? GS_PARAMS : FS_PARAMS;
      const params = table.get(code);
      if (params === undefined) {
        this.unknown.push(hex(buf.slice(at, at + 2)));
        return 2;
      }
      if (!has(2 + params)) return 0;
      if (byte === 0x1b) this.escape(code, buf.slice(at + 2, at + 2 + params));
      return 2 + params;
    }
    // Text (and the few other controls, printed as nothing).
    if (byte >= 0x20) {
      this.line += decodeByte(byte, this.codePage);
      this.lineStarted = true;
    }
    return 1;
  }

  private escape(code: number, params: number[]): void {
    switch (code) {
      case 0x40: // ESC @: init drops the line buffer and the code page
        this.line = '';
        this.lineStarted = false;
        this.codePage = 0;
        break;
      case 0x74: // ESC t n
        this.codePage = params[0]!;
        this.codePages.push(this.codePage);
        break;
      case 0x64: // ESC d n: print and feed n lines
        this.lineFeed();
        for (let i = 1; i < params[0]!; i++) this.lineFeed();
        break;
      case 0x69: // ESC i, ESC m: cut (old models), no feed
      case 0x6d:
        this.cut('bare', 0);
        break;
    }
  }

  private lineFeed(): void {
    if (this.lineStarted) {
      this.lines.push(this.line);
      this.blankRun = this.line === '' ? this.blankRun + 1 : 0;
    } else {
      this.lines.push('');
      this.blankRun++;
    }
    this.line = '';
    this.lineStarted = false;
    this.printTime(1);
  }

  /** GS ( k: the QR code functions (cn 0x31). */
  private symbol(data: number[]): void {
    const [cn, fn, ...rest] = data;
    if (cn !== 0x31) return void this.unknown.push(hex([0x1d, 0x28, 0x6b, cn ?? 0]));
    if (fn === 0x41) this.qrStore.model = rest[0] === 0x31 ? 1 : rest[0] === 0x32 ? 2 : rest[0] === 0x33 ? 3 : null;
    else if (fn === 0x43) this.qrStore.moduleSize = rest[0] ?? null;
    else if (fn === 0x45) this.qrStore.errorLevel = (['L', 'M', 'Q', 'H'] as const)[(rest[0] ?? 0) - 0x30] ?? null;
    // Store: m = 0x30, then the payload, sent as ISO 8859-1 bytes.
    else if (fn === 0x50) this.qrStore.data = Buffer.from(rest.slice(1)).toString('latin1');
    else if (fn === 0x51 && this.qrStore.data !== null) {
      this.qr = { payload: this.qrStore.data, model: this.qrStore.model, errorLevel: this.qrStore.errorLevel, moduleSize: this.qrStore.moduleSize };
      this.blankRun = 0;
      this.printTime(8);
    }
  }

  private cut(kind: SimReceipt['cut'], feed: number): void {
    if (this.lineStarted) this.lineFeed(); // the printer prints what it holds before cutting
    const lines = this.lines.slice(0, this.lines.length - this.blankRun);
    const feedLines = this.blankRun + feed;
    const receipt: SimReceipt = {
      lines,
      qr: this.qr,
      cut: kind,
      feedLines,
      // GS V 65/66 feeds to the cutter itself; a bare cut needs the feed sent before it.
      cutOk: kind === 'feedAndCut' || feedLines >= this.variant.cutterLines,
      codePages: this.codePages,
      unknownCommands: this.unknown,
    };
    this.lines = [];
    this.blankRun = 0;
    this.qr = null;
    this.qrStore.data = null;
    this.codePages = [];
    this.unknown = [];
    const onRoll = this.paperState !== 'out' && !this.cover;
    if (onRoll) this.roll.push(receipt);
    else this.lostReceipts++;
    for (const listener of [...this.listeners]) listener(receipt, onRoll);
  }

  private printTime(lines: number): void {
    if (this.variant.lineMs <= 0) return;
    this.busyUntil = Math.max(this.clock.now(), this.busyUntil) + lines * this.variant.lineMs;
  }

  // ---- Status ----

  private statusRequest(n: number): void {
    this.statusRequests++;
    const mode = this.variant.status;
    if (mode === 'never') return;
    if (mode === 'immediate' || (mode === 'whenIdle' && !this.busy)) return this.send(this.statusByte(n));
    const wait = mode === 'late' ? this.variant.lateMs : this.busyUntil - this.clock.now();
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      this.send(this.statusByte(n)); // as the printer is when it gets round to it
    }, wait);
    this.timers.add(timer);
  }

  private send(byte: number): void {
    const stream = this.stream;
    if (stream && !stream.destroyed && stream.writable) stream.write(Buffer.of(byte));
  }
}

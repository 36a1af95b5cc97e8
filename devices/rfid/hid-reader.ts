// A USB keyboard-wedge RFID reader, read through node-hid (or anything shaped like it:
// hid-module.ts). On Linux it opens the reader through libusb, which detaches the
// kernel's keyboard driver: the reader is ours alone and no UID is typed into the
// screen. It looks for the reader by vendor and product id (and serial number), and
// while it is absent, cannot be opened or has been unplugged, it is offline with the
// reason and looked for again every few seconds. Each reason is logged once, not once
// per look.
import type { Clock, TimerHandle } from '../clock.js';
import { KeyboardReportDecoder, type KeyboardUidFormat } from './hid-keyboard.js';
import type { HidDevice, HidDeviceInfo, HidModule } from './hid-module.js';
import { RfidListeners, type RfidLog } from './listeners.js';
import type { RfidEvent, RfidReader } from './rfid-reader-port.js';

export interface HidRfidReaderOptions {
  hid: HidModule;
  vendorId: number;
  productId: number;
  /** Which of several readers with the same ids (its USB serial number). */
  serialNumber?: string | undefined;
  format: KeyboardUidFormat;
  /** Key timeouts and the looks for the reader: real time even under an accelerated kiosk clock. */
  clock: Clock;
  log?: RfidLog | undefined;
  /** Default process.platform (for the reasons, and libusb on Linux). */
  platform?: NodeJS.Platform;
  /** Between two looks for an absent or unreadable reader, ms (default 3000). */
  retryMs?: number;
  /** Longest pause between two keys of one UID, ms (default 500). */
  keyTimeoutMs?: number;
}

const hex4 = (id: number): string => id.toString(16).padStart(4, '0');
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The keyboard interface of a composite reader if it names one, else its first interface. */
function pickInterface(candidates: HidDeviceInfo[]): HidDeviceInfo | undefined {
  return candidates.find((info) => info.usagePage === 1 && info.usage === 6) ?? [...candidates].sort((a, b) => (a.interface ?? 0) - (b.interface ?? 0))[0];
}

export class HidRfidReader implements RfidReader {
  /** Where the reader is, for the diagnostics: "usb ffff:0035". */
  readonly address: string;
  private readonly listeners = new RfidListeners();
  private readonly decoder: KeyboardReportDecoder;
  private readonly platform: NodeJS.Platform;
  private device: HidDevice | null = null;
  private info: HidDeviceInfo | null = null;
  private timer: TimerHandle | null = null;
  private lastLogged: string | null = null;
  private started = false;
  private closed = false;

  constructor(private readonly options: HidRfidReaderOptions) {
    this.platform = options.platform ?? process.platform;
    this.address = `usb ${hex4(options.vendorId)}:${hex4(options.productId)}${options.serialNumber ? ` serial ${options.serialNumber}` : ''}`;
    this.decoder = new KeyboardReportDecoder({ format: options.format, clock: options.clock, keyTimeoutMs: options.keyTimeoutMs });
  }

  /** The reader's manufacturer and product strings, once it has been found; null where it names neither. */
  get firmware(): string | null {
    const text = [this.info?.manufacturer, this.info?.product].filter((part) => part && part.trim()).join(' ').trim();
    return text === '' ? null : text;
  }

  get online(): boolean {
    return this.listeners.online;
  }

  get offlineReason(): string | null {
    return this.listeners.offlineReason;
  }

  /** Looks for the reader now (synchronously), and again later while it cannot be read. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    if (this.platform === 'linux') {
      // Must come before any other call: node-hid picks its backend when it first loads it.
      try {
        this.options.hid.setDriverType('libusb');
      } catch (error) {
        this.fail(`cannot select node-hid's libusb backend: ${messageOf(error)}`);
        return;
      }
    }
    this.look();
  }

  subscribe(listener: (event: RfidEvent) => void): () => void {
    return this.listeners.subscribe(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    this.closeDevice();
    this.listeners.close();
  }

  private look(): void {
    this.timer = null;
    if (this.closed) return;
    const { hid, vendorId, productId, serialNumber } = this.options;
    let list: HidDeviceInfo[];
    try {
      list = hid.devices();
    } catch (error) {
      this.fail(`cannot list USB HID devices (node-hid's native part may not load on this platform): ${messageOf(error)}`);
      return;
    }
    const info = pickInterface(list.filter((d) => d.vendorId === vendorId && d.productId === productId && (serialNumber === undefined || d.serialNumber === serialNumber)));
    if (!info) {
      this.fail(`no RFID reader ${this.address} is plugged in`);
      return;
    }
    if (!info.path) {
      this.fail(this.openProblem('the system gives no path to open it by'));
      return;
    }
    let device: HidDevice;
    try {
      device = new hid.HID(info.path);
    } catch (error) {
      this.fail(this.openProblem(messageOf(error)));
      return;
    }
    this.device = device;
    this.info = info;
    device.on('data', (data) => {
      if (this.device === device) this.onReport(data);
    });
    device.on('error', (error) => {
      if (this.device !== device) return;
      this.closeDevice();
      this.fail(`the RFID reader ${this.address} was unplugged or stopped answering: ${messageOf(error)}`);
    });
    this.lastLogged = null;
    this.options.log?.info({ device: 'rfid reader', address: this.address, firmware: this.firmware }, 'RFID reader open');
    this.listeners.setOnline();
  }

  private openProblem(detail: string): string {
    const base = `cannot open the RFID reader ${this.address} (${detail})`;
    if (this.platform === 'win32') return `${base}: node-hid cannot read keyboards on Windows, which keeps them for itself; use a serial reader (rdm6300)`;
    if (this.platform === 'linux') return `${base}: the kiosk user needs access to the reader's USB device; install the udev rule from the README (RFID readers) and plug the reader in again`;
    if (this.platform === 'darwin') return `${base}: macOS lets an app read a keyboard only with Input Monitoring allowed for it`;
    return base;
  }

  private onReport(data: Uint8Array): void {
    for (const result of this.decoder.feed(data)) {
      if (result.kind === 'tag') this.listeners.tag(result.uid, result.suffix);
      else this.options.log?.info({ device: 'rfid reader', address: this.address, reason: result.reason, typed: result.text }, 'RFID reader input dropped');
    }
  }

  private fail(reason: string): void {
    if (this.closed) return;
    if (reason !== this.lastLogged) {
      this.lastLogged = reason;
      this.options.log?.warn({ device: 'rfid reader', address: this.address, reason }, 'RFID reader cannot be read; looking for it again every few seconds');
    }
    this.listeners.setOffline(reason);
    if (this.timer === null) this.timer = this.options.clock.setTimeout(() => this.look(), this.options.retryMs ?? 3000);
  }

  private closeDevice(): void {
    const device = this.device;
    this.device = null;
    this.decoder.reset();
    try {
      device?.close();
    } catch {
      // An unplugged device may fail to close; it is gone either way.
    }
  }
}

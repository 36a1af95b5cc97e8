// A USB keyboard-wedge reader and the node-hid module in front of it, for tests and the
// simulated reader. It types UIDs as boot keyboard reports, in the ways real readers
// differ: with or without a report-id byte, hex or (like most cheap readers) the first
// four bytes as a little-endian decimal, a release after every key or keys rolled over,
// upper-case hex with shift held, digits and Enter from the keypad, slow typing. It can
// be unplugged (the open device reports an error, the listing loses it) and plugged back.
import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import { KEY_ENTER, KEY_KEYPAD_ENTER, keyCode, MOD_LEFT_SHIFT, MOD_RIGHT_SHIFT } from './hid-keyboard.js';
import type { HidDevice, HidDeviceInfo, HidModule } from './hid-module.js';
import { uidForms, type UidForm } from './uid.js';

export interface FakeHidVariant {
  /** Reports start with a report-id byte 0 (9 bytes), as hidapi gives them on Windows. */
  reportId?: boolean;
  /** How the UID is typed (default 'hex'). */
  typing?: UidForm;
  /** 'everyKey': an all-zero report after each key (default); 'rollover': the next key is pressed before the last is let go. */
  release?: 'everyKey' | 'rollover';
  /** Hex letters typed upper case with (left or right) shift held; default lower case, no shift. */
  shift?: 'left' | 'right' | false;
  /** Digits and Enter from the numeric keypad. */
  keypad?: boolean;
  /** Between two reports, ms (default 0: all at once). */
  reportDelayMs?: number;
}

/** The reports a reader with `variant` sends to type `text` and Enter. */
export function keyboardReports(text: string, variant: FakeHidVariant = {}): Uint8Array[] {
  const keys = [...text].map((char) => {
    const code = keyCode(char, variant.keypad);
    const letter = /[a-z]/i.test(char);
    const modifiers = letter && variant.shift ? (variant.shift === 'right' ? MOD_RIGHT_SHIFT : MOD_LEFT_SHIFT) : 0;
    return { code, modifiers };
  });
  keys.push({ code: variant.keypad ? KEY_KEYPAD_ENTER : KEY_ENTER, modifiers: 0 });

  const report = (modifiers: number, ...codes: number[]): Uint8Array => {
    const body = [modifiers, 0, ...codes, 0, 0, 0, 0, 0, 0].slice(0, 8);
    return Uint8Array.from(variant.reportId ? [0, ...body] : body);
  };
  const reports: Uint8Array[] = [];
  let held: number | null = null;
  for (const key of keys) {
    if (variant.release === 'rollover' && held !== null && held !== key.code) {
      reports.push(report(key.modifiers, held, key.code), report(key.modifiers, key.code));
    } else {
      if (held !== null) reports.push(report(0)); // the same key twice must be let go in between
      reports.push(report(key.modifiers, key.code));
      if (variant.release !== 'rollover') {
        reports.push(report(0));
        held = null;
        continue;
      }
    }
    held = key.code;
  }
  if (held !== null) reports.push(report(0));
  return reports;
}

/** The text a reader with `variant` types for a canonical UID. */
export function typedText(uid: string, variant: FakeHidVariant = {}): string {
  const form = variant.typing ?? 'hex';
  const text = uidForms(uid)[form];
  if (text === undefined) throw new TypeError(`a ${uid.length / 2}-byte UID has no ${form} form`);
  return variant.shift ? text.toUpperCase() : text.toLowerCase();
}

class FakeHidHandle extends EventEmitter implements HidDevice {
  closed = false;

  constructor(readonly device: FakeHidDevice) {
    super();
  }

  close(): void {
    // Like node-hid: closing drops the listeners.
    this.closed = true;
    this.removeAllListeners();
    this.device.handles.delete(this);
  }
}

export interface FakeHidDeviceInfo {
  vendorId: number;
  productId: number;
  path: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  /** A composite reader lists one entry per interface (default: interface 0, the keyboard usage 1/6). */
  interface?: number;
  usagePage?: number;
  usage?: number;
}

/** One reader on the USB bus. */
export class FakeHidDevice {
  /** @internal The open handles (one, normally). */
  readonly handles = new Set<FakeHidHandle>();
  private typingUntil = 0;

  constructor(
    readonly info: FakeHidDeviceInfo,
    private readonly options: { clock: Clock; variant?: FakeHidVariant },
  ) {}

  get variant(): FakeHidVariant {
    return this.options.variant ?? {};
  }

  /** Whether a driver has it open. */
  get isOpen(): boolean {
    return this.handles.size > 0;
  }

  /** A card is held to the reader: it types its UID (in the variant's way) and Enter. */
  present(uid: string): void {
    this.sendReports(keyboardReports(typedText(uid, this.variant), this.variant));
  }

  /** Sends reports as they are, one `reportDelayMs` after the other (after any still being typed). */
  sendReports(reports: readonly Uint8Array[]): void {
    const delayMs = this.variant.reportDelayMs ?? 0;
    if (delayMs === 0) {
      for (const report of reports) this.emitReport(report);
      return;
    }
    const { clock } = this.options;
    let at = Math.max(clock.now(), this.typingUntil);
    for (const report of reports) {
      at += delayMs;
      clock.setTimeout(() => this.emitReport(report), at - clock.now());
    }
    this.typingUntil = at;
  }

  private emitReport(report: Uint8Array): void {
    for (const handle of [...this.handles]) handle.emit('data', Buffer.from(report));
  }
}

/** node-hid as the driver sees it, with fake readers plugged in. */
export class FakeHidModule implements HidModule {
  /** Every call in order ("setDriverType libusb", "devices", "open <path>"): the driver type must come first. */
  readonly calls: string[] = [];
  driverType: 'hidraw' | 'libusb' | null = null;
  private readonly plugged = new Set<FakeHidDevice>();
  private openError: Error | null = null;
  private listingError: Error | null = null;
  readonly HID: new (path: string) => HidDevice;

  constructor(devices: FakeHidDevice[] = []) {
    for (const device of devices) this.plugged.add(device);
    const open = (path: string): HidDevice => this.open(path);
    this.HID = class {
      constructor(path: string) {
        return open(path);
      }
    } as unknown as new (path: string) => HidDevice;
  }

  setDriverType(type: 'hidraw' | 'libusb'): void {
    this.calls.push(`setDriverType ${type}`);
    this.driverType = type;
  }

  devices(): HidDeviceInfo[] {
    this.calls.push('devices');
    if (this.listingError) throw this.listingError;
    return [...this.plugged].map((device) => ({ interface: 0, usagePage: 1, usage: 6, ...device.info }));
  }

  /** Plugs a reader in (again). */
  plug(device: FakeHidDevice): void {
    this.plugged.add(device);
  }

  /** Pulls a reader out: a driver reading it gets an error, the listing no longer has it. */
  unplug(device: FakeHidDevice): void {
    this.plugged.delete(device);
    for (const handle of [...device.handles]) handle.emit('error', new Error('could not read from HID device'));
  }

  /** Makes opening fail with `error` (as without permission to the device), or succeed again with null. */
  refuseOpen(error: Error | null): void {
    this.openError = error;
  }

  /** Makes listing fail (node-hid's native part cannot load), or work again with null. */
  failListing(error: Error | null): void {
    this.listingError = error;
  }

  private open(path: string): HidDevice {
    this.calls.push(`open ${path}`);
    if (this.openError) throw this.openError;
    const device = [...this.plugged].find((candidate) => candidate.info.path === path);
    if (!device) throw new Error(`cannot open device with path ${path}`);
    const handle = new FakeHidHandle(device);
    device.handles.add(handle);
    return handle;
  }
}

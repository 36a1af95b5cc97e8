// Decodes what a USB keyboard-wedge RFID reader types: 8-byte boot keyboard reports
// `[modifiers, reserved, key1..key6]` (9 bytes where a report id comes first), one
// report each time the set of held keys changes. A key counts once, in the report where
// it first appears: readers that roll over (press the next key before releasing the
// last) repeat held keys in the following reports. Enter ends the typed text, which
// becomes a canonical UID through parseUid in the configured form.
//
// Anything else is dropped with a reason for the log, never thrown: unknown keys, more
// than 32 characters, a pause between keys longer than the timeout (the rest of a card
// read cut short, or a stray key), text that is not a UID.
import type { Clock } from '../clock.js';
import { parseUid, UidFormatError, type UidForm } from './uid.js';

/** How the reader types a UID; 'auto': 10 decimal digits are reversedDecimal, anything else hex (autoForm). */
export type KeyboardUidFormat = UidForm | 'auto';

export type KeyboardResult =
  /** A card: its canonical UID (suffix: only the tag's last bytes, from an EM4100 print). */
  | { kind: 'tag'; uid: string; suffix: boolean; text: string }
  /** Typed text given up, and why. */
  | { kind: 'dropped'; reason: string; text: string };

export const KEY_ENTER = 0x28;
export const KEY_KEYPAD_ENTER = 0x58;
export const MOD_LEFT_SHIFT = 0x02;
export const MOD_RIGHT_SHIFT = 0x20;

/** The character a key types (lower-case letters), or undefined for keys a reader does not type. */
export function keyChar(code: number): string | undefined {
  if (code >= 0x04 && code <= 0x1d) return String.fromCharCode(0x61 + code - 0x04);
  if (code >= 0x1e && code <= 0x26) return String(code - 0x1e + 1);
  if (code === 0x27) return '0';
  if (code >= 0x59 && code <= 0x61) return String(code - 0x59 + 1);
  if (code === 0x62) return '0';
  return undefined;
}

/** The key that types `char` (a letter, any case, or a digit); `keypad` for the keypad's digits. */
export function keyCode(char: string, keypad = false): number {
  const lower = char.toLowerCase();
  if (lower >= 'a' && lower <= 'z' && lower.length === 1) return 0x04 + lower.charCodeAt(0) - 0x61;
  if (char >= '1' && char <= '9' && char.length === 1) return (keypad ? 0x59 : 0x1e) + Number(char) - 1;
  if (char === '0') return keypad ? 0x62 : 0x27;
  throw new RangeError(`no key types ${JSON.stringify(char)}`);
}

/**
 * The form 'auto' reads `text` in: exactly 10 decimal digits are reversedDecimal (what most
 * USB readers type), anything else hex. Ten digits above 4294967295 cannot be a decimal
 * UID: they are hex (a 5-byte tag whose hex has no letters; one that reads as a decimal
 * too is misread, so such readers need format 'hex').
 */
function autoForm(text: string): UidForm {
  return /^\d{10}$/.test(text) && Number(text) <= 0xffff_ffff ? 'reversedDecimal' : 'hex';
}

/** The canonical UID of the text a reader typed, or why it is not one. */
export function typedTextToUid(text: string, format: KeyboardUidFormat): KeyboardResult {
  const form: UidForm = format === 'auto' ? autoForm(text) : format;
  try {
    const id = parseUid(text, form);
    return { kind: 'tag', uid: id.uid, suffix: id.suffix, text };
  } catch (error) {
    if (!(error instanceof UidFormatError)) throw error;
    let reason = `typed text is not a card UID (${form}): ${error.message}`;
    // A reader that types the decimal number without its leading zeros.
    if (format === 'auto' && /^\d{1,9}$/.test(text)) reason += '; a reader typing decimal numbers without leading zeros needs format reversedDecimal (or decimal)';
    return { kind: 'dropped', reason, text };
  }
}

export interface KeyboardDecoderOptions {
  format: KeyboardUidFormat;
  clock: Clock;
  /** Longest pause between two keys of one UID, ms (default 500): readers type a UID in well under 100 ms. */
  keyTimeoutMs?: number;
  /** Most characters before Enter (default 32). */
  maxLength?: number;
}

// The keyboard's error codes: all six slots say "too many keys", the report carries no keys.
const ERROR_CODES = new Set([0x01, 0x02, 0x03]);

export class KeyboardReportDecoder {
  private held = new Set<number>();
  private text = '';
  /** The current read was given up (unknown key, too long): its remaining keys are skipped up to Enter. */
  private skipping = false;
  private lastKeyAt = 0;
  private readonly keyTimeoutMs: number;
  private readonly maxLength: number;

  constructor(private readonly options: KeyboardDecoderOptions) {
    this.keyTimeoutMs = options.keyTimeoutMs ?? 500;
    this.maxLength = options.maxLength ?? 32;
  }

  /** The text typed so far (for tests and the log). */
  get pending(): string {
    return this.text;
  }

  /** Decodes one report; returns the UIDs it completed and what it gave up. */
  feed(report: Uint8Array | readonly number[]): KeyboardResult[] {
    let bytes = Array.from(report);
    // A leading report id (hidapi on Windows always adds one; composite devices number their reports).
    if (bytes.length === 9) bytes = bytes.slice(1);
    if (bytes.length !== 8) return [{ kind: 'dropped', reason: `not a boot keyboard report (${bytes.length} bytes)`, text: this.text }];
    const modifiers = bytes[0]!;
    const keys = bytes.slice(2).filter((code) => code !== 0x00);
    if (keys.some((code) => ERROR_CODES.has(code))) return [];

    const pressed = keys.filter((code) => !this.held.has(code));
    this.held = new Set(keys);
    const shift = (modifiers & (MOD_LEFT_SHIFT | MOD_RIGHT_SHIFT)) !== 0;
    const results: KeyboardResult[] = [];
    for (const code of pressed) this.press(code, shift, results);
    return results;
  }

  /** Forgets any partial text and held keys (a reader unplugged mid-read). */
  reset(): void {
    this.held.clear();
    this.text = '';
    this.skipping = false;
  }

  private press(code: number, shift: boolean, results: KeyboardResult[]): void {
    const now = this.options.clock.now();
    if ((this.text !== '' || this.skipping) && now - this.lastKeyAt > this.keyTimeoutMs) {
      if (!this.skipping) results.push({ kind: 'dropped', reason: `no key for ${now - this.lastKeyAt} ms after ${JSON.stringify(this.text)} (timeout ${this.keyTimeoutMs} ms)`, text: this.text });
      this.text = '';
      this.skipping = false;
    }
    this.lastKeyAt = now;

    if (code === KEY_ENTER || code === KEY_KEYPAD_ENTER) {
      const text = this.text;
      const skipped = this.skipping;
      this.text = '';
      this.skipping = false;
      if (skipped) return; // already reported when it was given up
      results.push(text === '' ? { kind: 'dropped', reason: 'Enter with nothing typed before it', text } : typedTextToUid(text, this.options.format));
      return;
    }
    if (this.skipping) return;
    const char = keyChar(code);
    if (char === undefined) {
      results.push({ kind: 'dropped', reason: `key 0x${code.toString(16).padStart(2, '0')} is not a digit, letter or Enter`, text: this.text });
      this.text = '';
      this.skipping = true;
      return;
    }
    if (this.text.length >= this.maxLength) {
      results.push({ kind: 'dropped', reason: `more than ${this.maxLength} characters without Enter`, text: this.text });
      this.text = '';
      this.skipping = true;
      return;
    }
    this.text += shift ? char.toUpperCase() : char;
  }
}

// The OpenEVSE RAPI wire format as pure functions: checksums, encoding a command,
// decoding any frame (a reply, an unsolicited notice or a command), and reading the
// parameters of the replies the driver and the simulator use.
//
// A frame is ASCII: `$` + tokens separated by single spaces, an optional sequence id
// token `:ss` (two hex digits) last, an optional checksum and a carriage return:
//   `$GS :01^2B\r`  XOR checksum: `^` + the XOR of every byte before it, two hex digits
//   `$FE*AF\r`      additive checksum: `*` + the 8-bit sum of every byte before it
//   `$GS\r`         no checksum (the firmware accepts it)
// Replies are `$OK …` or `$NK …`; tokens starting with `A` (and `WF`) are notices the
// controller sends unasked. Nothing here throws on input from the wire: decoding
// returns an error result instead.
import type { ChargerMode, PilotState } from './charger-port.js';

export type ChecksumKind = 'xor' | 'additive' | 'none';

/** The firmware's input buffer: a longer frame (counting the `\r`) is dropped unread. */
export const RAPI_MAX_FRAME_LENGTH = 32;
/** The firmware tokenises at most this many tokens (the command and the sequence id count). */
export const RAPI_MAX_TOKENS = 10;

/** XOR of the character codes (low 8 bits) of `text`. */
export function xorChecksum(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum ^= text.charCodeAt(i) & 0xff;
  return sum;
}

/** 8-bit sum of the character codes of `text` (the legacy `*` checksum). */
export function additiveChecksum(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum = (sum + (text.charCodeAt(i) & 0xff)) & 0xff;
  return sum;
}

export const hex2 = (n: number): string => (n & 0xff).toString(16).toUpperCase().padStart(2, '0');

const COMMAND_RE = /^[A-Z0-9]{2,3}$/i;
const PARAM_RE = /^[\x21-\x7e]+$/;

export interface EncodeOptions {
  /** Sequence id 1..255, sent as ` :XX` and echoed in the reply. */
  seq?: number | null;
  checksum?: ChecksumKind;
}

/**
 * Builds a command frame, `\r` included. Throws a TypeError for arguments that cannot be
 * sent (a bad command, a parameter with a space or a checksum character, a bad seq):
 * those are mistakes of the caller, not data from the wire.
 */
export function encodeCommand(command: string, params: readonly (string | number)[] = [], options: EncodeOptions = {}): string {
  if (!COMMAND_RE.test(command)) throw new TypeError(`RAPI command must be 2-3 letters or digits, got ${JSON.stringify(command)}`);
  return encodeFrame(command, params, options);
}

/** Builds a reply frame (`$OK …` / `$NK …`), as the firmware writes it. */
export function encodeReply(ok: boolean, params: readonly (string | number)[] = [], options: EncodeOptions = {}): string {
  return encodeFrame(ok ? 'OK' : 'NK', params, options);
}

/** Builds an unsolicited notice (`$AT …`, `$AB …`), as the firmware writes it. */
export function encodeAsync(type: string, params: readonly (string | number)[] = [], checksum: ChecksumKind = 'xor'): string {
  return encodeFrame(type, params, { checksum });
}

function encodeFrame(token: string, params: readonly (string | number)[], options: EncodeOptions): string {
  const parts = [`$${token}`];
  for (const param of params) {
    const text = typeof param === 'number' ? String(param) : param;
    if (!PARAM_RE.test(text) || /[$^*]/.test(text) || text.startsWith(':')) {
      throw new TypeError(`RAPI parameter must be printable, without spaces, '$', '^', '*' or a leading ':', got ${JSON.stringify(text)}`);
    }
    parts.push(text);
  }
  const seq = options.seq ?? null;
  if (seq !== null) {
    if (!Number.isInteger(seq) || seq < 1 || seq > 255) throw new TypeError(`RAPI sequence id must be 1..255, got ${seq}`);
    parts.push(`:${hex2(seq)}`);
  }
  const body = parts.join(' ');
  const checksum = options.checksum ?? 'xor';
  if (checksum === 'xor') return `${body}^${hex2(xorChecksum(body))}\r`;
  if (checksum === 'additive') return `${body}*${hex2(additiveChecksum(body))}\r`;
  return `${body}\r`;
}

export type AsyncType = 'AT' | 'AB' | 'AN' | 'WF';

export type DecodedFrame =
  | { kind: 'reply'; ok: boolean; params: string[]; seq: number | null }
  | { kind: 'async'; type: AsyncType | 'other'; token: string; params: string[] }
  | { kind: 'command'; command: string; params: string[]; seq: number | null; checksum: ChecksumKind };

export type DecodeError = { kind: 'error'; error: 'checksum' | 'malformed' | 'tooManyTokens'; message: string; text: string };

export type DecodeResult = DecodedFrame | DecodeError;

const HEX2_RE = /^[0-9a-f]{2}$/i;

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x24) return false;
  }
  return true;
}

function fail(error: DecodeError['error'], message: string, text: string): DecodeError {
  return { kind: 'error', error, message, text };
}

/**
 * Decodes one frame (with or without its `\r`; a trailing `\n` is ignored too). Never
 * throws: anything that is not a well-formed RAPI frame comes back as `{kind: 'error'}`.
 */
export function decodeFrame(input: string): DecodeResult {
  if (typeof input !== 'string') return fail('malformed', 'not a string', String(input));
  let text = input;
  while (text.endsWith('\n') || text.endsWith('\r')) text = text.slice(0, -1);
  if (!text.startsWith('$')) return fail('malformed', 'a frame starts with $', input);

  // The first '^' or '*' starts the checksum, as in the firmware.
  let body = text;
  let checksum: ChecksumKind = 'none';
  const mark = text.search(/[\^*]/);
  if (mark >= 0) {
    body = text.slice(0, mark);
    const digits = text.slice(mark + 1);
    if (!HEX2_RE.test(digits)) return fail('malformed', 'a checksum is two hex digits', input);
    const given = parseInt(digits, 16);
    checksum = text[mark] === '^' ? 'xor' : 'additive';
    const expected = checksum === 'xor' ? xorChecksum(body) : additiveChecksum(body);
    if (given !== expected) return fail('checksum', `checksum ${digits.toUpperCase()} does not match ${hex2(expected)}`, input);
  }
  if (body.length < 2) return fail('malformed', 'no command token', input);
  if (!isPrintableAscii(body.slice(1))) return fail('malformed', 'a frame holds printable ASCII only, one $', input);

  const tokens = body.slice(1).split(' ');
  if (tokens.length > RAPI_MAX_TOKENS) return fail('tooManyTokens', `more than ${RAPI_MAX_TOKENS} tokens`, input);
  if (tokens.some((t) => t.length === 0)) return fail('malformed', 'tokens are separated by single spaces', input);
  const [token, ...rest] = tokens as [string, ...string[]];

  let seq: number | null = null;
  const last = rest.at(-1);
  if (last !== undefined && last.startsWith(':')) {
    if (!HEX2_RE.test(last.slice(1))) return fail('malformed', 'a sequence id is : and two hex digits', input);
    seq = parseInt(last.slice(1), 16);
    rest.pop();
  }
  if (rest.some((t) => t.startsWith(':'))) return fail('malformed', 'the sequence id comes last', input);

  const upper = token.toUpperCase();
  if (upper === 'OK' || upper === 'NK') return { kind: 'reply', ok: upper === 'OK', params: rest, seq };
  if (upper.startsWith('A') || upper === 'WF') {
    const type: AsyncType | 'other' = upper === 'AT' || upper === 'AB' || upper === 'AN' || upper === 'WF' ? upper : 'other';
    return { kind: 'async', type, token: upper, params: rest };
  }
  if (!COMMAND_RE.test(token)) return fail('malformed', `bad command token ${JSON.stringify(token)}`, input);
  return { kind: 'command', command: upper, params: rest, seq, checksum };
}

// ---- Parameters ----

const HEX_RE = /^[0-9a-f]{1,8}$/i;
const INT_RE = /^-?\d{1,12}$/;
const hex = (s: string | undefined): number | null => (s !== undefined && HEX_RE.test(s) ? parseInt(s, 16) : null);
const int = (s: string | undefined): number | null => (s !== undefined && INT_RE.test(s) ? Number(s) : null);

/** vflags bits the driver reads. */
export const VFLAG_RELAY_CLOSED = 0x0040;
export const VFLAG_EV_CONNECTED = 0x0100;

/** EVSE state codes. */
export const EvseStateCode = {
  A: 0x01,
  B: 0x02,
  C: 0x03,
  D: 0x04,
  DIODE: 0x05,
  GFCI: 0x06,
  NO_GROUND: 0x07,
  STUCK_RELAY: 0x08,
  GFI_TEST: 0x09,
  OVER_TEMP: 0x0a,
  OVER_CURRENT: 0x0b,
  RELAY_CLOSURE: 0x0e,
  SLEEPING: 0xfe,
  /** Sleep as the third-party emulator reports it. */
  SLEEPING_EMULATOR: 0xfd,
  DISABLED: 0xff,
} as const;

/** Fault names by state code; the names are what `ChargerStatus.fault` carries. */
export const FAULT_BY_STATE: Readonly<Record<number, string>> = {
  0x05: 'diodeCheck',
  0x06: 'gfci',
  0x07: 'noGround',
  0x08: 'stuckRelay',
  0x09: 'gfiSelfTest',
  0x0a: 'overTemperature',
  0x0b: 'overCurrent',
  0x0e: 'relayClosure',
};

/** State code for a fault name (the simulator's direction); unknown names read as GFCI. */
export function stateCodeForFault(fault: string): number {
  for (const [code, name] of Object.entries(FAULT_BY_STATE)) if (name === fault) return Number(code);
  return EvseStateCode.GFCI;
}

export interface EvseStateInfo {
  code: number;
  kind: 'A' | 'B' | 'C' | 'D' | 'sleeping' | 'disabled' | 'fault' | 'unknown';
  /** The mode the state implies, or null (a fault or an unknown code says nothing about it). */
  mode: ChargerMode | null;
  fault: string | null;
  /** The relay flag is taken at its word in this state; a fault, a disabled controller and an
   *  unknown code are treated as not delivering energy. */
  canDeliver: boolean;
}

/**
 * What an EVSE state code means. Unknown codes are 'unknown', not an error. `sleepCodes`
 * are the codes the firmware reports sleep with (its profile, from `$GV`): 0xFE for the
 * stock firmware; the third-party emulator also uses 0xFD.
 */
export function describeEvseState(code: number, sleepCodes: readonly number[] = STOCK_SLEEP_CODES): EvseStateInfo {
  const letters: Record<number, 'A' | 'B' | 'C' | 'D'> = { 1: 'A', 2: 'B', 3: 'C', 4: 'D' };
  const letter = letters[code];
  if (letter) return { code, kind: letter, mode: 'enabled', fault: null, canDeliver: true };
  if (sleepCodes.includes(code)) return { code, kind: 'sleeping', mode: 'sleeping', fault: null, canDeliver: true };
  if (code === EvseStateCode.DISABLED) return { code, kind: 'disabled', mode: 'disabled', fault: null, canDeliver: false };
  const fault = FAULT_BY_STATE[code];
  if (fault) return { code, kind: 'fault', mode: null, fault, canDeliver: false };
  return { code, kind: 'unknown', mode: null, fault: null, canDeliver: false };
}

/** The J1772 letter of a pilot state code (the `pilot` field of `$AT` / `$GS`). */
export function pilotLetter(code: number | null): PilotState {
  if (code === 1) return 'A';
  if (code === 2) return 'B';
  if (code === 3) return 'C';
  if (code === 4) return 'D';
  return 'unknown';
}

export interface RapiState {
  state: number;
  pilot: number | null;
  /** Present in `$AT`, not in `$GS`. */
  currentA: number | null;
  /** Present in `$GS`. */
  elapsedS: number | null;
  /** null from a firmware too old to send them. */
  vflags: number | null;
}

/** `$AT state pilot amps vflags` (`%02x %02x %d %04x`). */
export function parseAsyncState(params: readonly string[]): RapiState | null {
  const state = hex(params[0]);
  if (state === null) return null;
  const pilot = params[1] === undefined ? null : hex(params[1]);
  const currentA = params[2] === undefined ? null : int(params[2]);
  const vflags = params[3] === undefined ? null : hex(params[3]);
  if ((params[1] !== undefined && pilot === null) || (params[2] !== undefined && currentA === null) || (params[3] !== undefined && vflags === null)) return null;
  return { state, pilot, currentA, elapsedS: null, vflags };
}

/** `$GS` reply: `state elapsed_s pilot vflags` (`%02x %ld %02x %04x`). */
export function parseGetState(params: readonly string[]): RapiState | null {
  const state = hex(params[0]);
  const elapsedS = int(params[1]);
  if (state === null || elapsedS === null) return null;
  const pilot = params[2] === undefined ? null : hex(params[2]);
  const vflags = params[3] === undefined ? null : hex(params[3]);
  if ((params[2] !== undefined && pilot === null) || (params[3] !== undefined && vflags === null)) return null;
  return { state, pilot, currentA: null, elapsedS, vflags };
}

/**
 * `$GU` reply: energy of the session in W·s (reset when a car connects) and the total in
 * Wh (moves at session end); `order` is the firmware's field order (its profile). Exactly
 * two fields, or null.
 */
export function parseEnergy(params: readonly string[], order: EnergyOrder = 'sessionFirst'): { sessionWs: number; totalWh: number } | null {
  if (params.length !== 2) return null;
  const [first, second] = [int(params[0]), int(params[1])];
  const [sessionWs, totalWh] = order === 'sessionFirst' ? [first, second] : [second, first];
  if (sessionWs === null || totalWh === null || sessionWs < 0 || totalWh < 0) return null;
  return { sessionWs, totalWh };
}

/**
 * `$GG` reply, in one of two shapes (told apart by the number of fields):
 *   `mA mV`            the current of one phase (the others are taken as equal) and the voltage;
 *   `mA1 mA2 mA3 mV`   the current of each of the three phases, then the voltage.
 * The voltage is -1 when there is no voltmeter. Any other shape is null.
 */
export function parseMeasurement(params: readonly string[]): { currentMa: number; voltageMv: number; perPhase: number[] | null } | null {
  const values = params.map((p) => int(p));
  if (values.some((v) => v === null)) return null;
  const numbers = values as number[];
  if (numbers.length === 2) return { currentMa: numbers[0]!, voltageMv: numbers[1]!, perPhase: null };
  if (numbers.length === 4) {
    const perPhase = numbers.slice(0, 3);
    if (perPhase.some((mA) => mA < 0)) return null;
    return { currentMa: perPhase.reduce((a, b) => a + b, 0), voltageMv: numbers[3]!, perPhase };
  }
  return null;
}

/** `$GV` reply: firmware version and RAPI version. */
export function parseVersion(params: readonly string[]): { firmware: string; rapi: string | null } | null {
  const firmware = params[0];
  if (firmware === undefined) return null;
  return { firmware, rapi: params[1] ?? null };
}

export type EnergyOrder = 'sessionFirst' | 'totalFirst';

/** The stock firmware's sleep code. */
export const STOCK_SLEEP_CODES: readonly number[] = [EvseStateCode.SLEEPING];

/** How a firmware writes what differs between firmware, read from its `$GV` answer. */
export interface RapiProfile {
  /** State codes that mean sleeping. */
  sleepCodes: readonly number[];
  /** Field order of `$GU`. */
  energyOrder: EnergyOrder;
  /** False when `$GV` fits no rule (no RAPI version, or one newer than we know): the stock format is assumed. */
  known: boolean;
}

/** The newest RAPI major version the rules below know. */
const NEWEST_KNOWN_RAPI_MAJOR = 5;
/** The third-party emulator identifies as firmware 8.2.1 and reports sleep as 0xFD. */
const FD_SLEEP_FIRMWARE = '8.2.1';
/** RAPI before 4.0.0 answers `$GU` total first (the order the gu-reversed variant plays). */
const TOTAL_FIRST_BEFORE_RAPI_MAJOR = 4;

/**
 * The firmware's profile from its `$GV` answer. Each capability has its own rule: the
 * sleep codes go by the firmware version (0xFE always, 0xFD too from the emulator that
 * calls itself 8.2.1: a real 8.2.1 never sends 0xFD, so accepting it costs nothing), the
 * `$GU` order by the RAPI version.
 */
export function rapiProfile(version: { firmware: string; rapi: string | null } | null): RapiProfile {
  const stock: RapiProfile = { sleepCodes: STOCK_SLEEP_CODES, energyOrder: 'sessionFirst', known: false };
  if (!version) return stock;
  const major = /^(\d+)\.\d+(\.\d+)?$/.exec(version.rapi ?? '')?.[1];
  const sleepCodes = version.firmware === FD_SLEEP_FIRMWARE ? [EvseStateCode.SLEEPING, EvseStateCode.SLEEPING_EMULATOR] : STOCK_SLEEP_CODES;
  if (major === undefined) return { ...stock, sleepCodes };
  const rapiMajor = Number(major);
  return {
    sleepCodes,
    energyOrder: rapiMajor < TOTAL_FIRST_BEFORE_RAPI_MAJOR ? 'totalFirst' : 'sessionFirst',
    known: rapiMajor <= NEWEST_KNOWN_RAPI_MAJOR,
  };
}

/** `$GC` reply: `min hwmax pilot cfgmax`, A. */
export function parseCurrentRange(params: readonly string[]): { minA: number; hwMaxA: number; pilotA: number; cfgMaxA: number } | null {
  const [minA, hwMaxA, pilotA, cfgMaxA] = [int(params[0]), int(params[1]), int(params[2]), int(params[3])];
  if (minA === null || hwMaxA === null || pilotA === null) return null;
  return { minA, hwMaxA, pilotA, cfgMaxA: cfgMaxA ?? hwMaxA };
}

/** `$GF` reply: fault counters (hex): GFI trips, no-ground trips, stuck-relay trips. */
export function parseFaultCounters(params: readonly string[]): { gfi: number; noGround: number; stuckRelay: number } | null {
  const [gfi, noGround, stuckRelay] = [hex(params[0]), hex(params[1]), hex(params[2])];
  if (gfi === null || noGround === null || stuckRelay === null) return null;
  return { gfi, noGround, stuckRelay };
}

/** `$AB postcode fw`: 00 is a clean start; 07 no ground, 08 stuck relay, 09 GFI self-test failed. */
export function parseBoot(params: readonly string[]): { postCode: number; firmware: string | null } | null {
  const postCode = hex(params[0]);
  if (postCode === null) return null;
  return { postCode, firmware: params[1] ?? null };
}

/** `$SY` / `$GY` reply: heartbeat interval s, fallback current A, trigger (0, 1 missed and acknowledged, 2 missed). */
export function parseHeartbeat(params: readonly string[]): { intervalS: number; fallbackA: number; trigger: number } | null {
  const [intervalS, fallbackA, trigger] = [int(params[0]), int(params[1]), int(params[2])];
  if (intervalS === null || fallbackA === null) return null;
  return { intervalS, fallbackA, trigger: trigger ?? 0 };
}

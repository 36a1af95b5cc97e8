// The firmware's side of RAPI, over any byte stream, on top of a SimulatedCharger as
// the physical model of the EVSE and the car. It answers commands the way the OpenEVSE
// firmware does (checksums checked, sequence ids echoed, a 32-byte input buffer, at
// most 10 tokens, `$NK` for what it does not know), sends `$AT` on every change of
// state and `$AB` when the model (re)boots, and keeps the firmware's energy counters:
// `$GU` answers the session's W·s (reset when a car connects) and the total Wh, which
// moves only when a session ends.
//
// The model is passed in and stays the caller's: close() lets go of it without
// closing it. Sim controls (plug, fault, full, reset) go to the model directly.
//
// `firmware` plays the ways real firmware differs from the stock one (rapi-variants.ts):
// quiet while asleep, no sequence ids, 0xFD for sleep, a 4-field `$GG`, a boot banner,
// the other `$GU` field order, no vehicle flags; a list combines them. `$GV` answers
// with the identity such firmware has (what the driver reads its profile from).
import type { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '../clock.js';
import type { ChargerEvent, ChargerStatus } from './charger-port.js';
import {
  EvseStateCode,
  RAPI_MAX_FRAME_LENGTH,
  VFLAG_EV_CONNECTED,
  VFLAG_RELAY_CLOSED,
  decodeFrame,
  encodeAsync,
  encodeReply,
  stateCodeForFault,
} from './rapi-codec.js';
import type { DecodeResult } from './rapi-codec.js';
import { readRapiFrames } from './rapi-parser.js';
import { firmwareVariants } from './rapi-variants.js';
import type { FirmwareSelection, FirmwareVariant } from './rapi-variants.js';
import type { SimulatedCharger } from './simulated-charger.js';

export interface RapiEvseSimulatorOptions {
  /** The physical model. Its own sample rate drives the checks of session limits. */
  model: SimulatedCharger;
  clock: Clock;
  /** The byte stream to serve; attach() one later otherwise. */
  stream?: Duplex | null;
  /** The firmware variant(s) to play (default 'standard'). */
  firmware?: FirmwareSelection;
  /** `$GV` firmware version (default '8.2.2.sim'; '8.2.1' with fd-sleep). */
  firmwareVersion?: string;
  /** `$GV` RAPI version (default '5.2.1'; '5.0.1' with fd-sleep, '3.0.1' with gu-reversed). */
  rapiVersion?: string;
  /** Phases the model's power flows on, to report the current per phase in `$GG` (default 1). */
  phases?: 1 | 3;
  /** Firmware built with session limits: `$SH` / `$S3` / `$GH` / `$G3` answer (default false: `$NK`). */
  limits?: boolean;
  /** Firmware built with heartbeat supervision: `$SY` / `$GY` answer (default true). */
  heartbeat?: boolean;
  /** State code reported while sleeping (default 0xFE; 0xFD with fd-sleep). Another code tests unknown codes. */
  sleepingStateCode?: number;
  /** Frames kept in `received`, the newest (default 1000, for tests). The kiosk reads none, so it keeps none. */
  keepReceived?: number;
}

/** A command frame as the simulator received it (tests read the sequence ids from here). */
export interface ReceivedFrame {
  text: string;
  decoded: DecodeResult | null;
  /** Why it got no answer, if it got none. */
  dropped?: 'tooLong' | 'silent' | 'notACommand';
}

const MIN_CURRENT_A = 6;
const HS_ACK_COOKIE = 0xa5;
const HS_MISSED_NOACK = 2;
const HS_MISSED_ACKED = 1;
const WS_PER_WH = 3600;
const MS_PER_15_MIN = 15 * 60_000;

type Answer = { ok: boolean; params?: (string | number)[]; after?: () => void };

export class RapiEvseSimulator {
  private readonly model: SimulatedCharger;
  private readonly clock: Clock;
  private readonly firmware: string;
  private readonly rapiVersion: string;
  private readonly phases: 1 | 3;
  private readonly limitsSupported: boolean;
  private readonly heartbeatSupported: boolean;
  private readonly sleepingStateCode: number;
  private readonly variants: ReadonlySet<Exclude<FirmwareVariant, 'standard'>>;
  private readonly unsubscribe: () => void;

  private stream: Duplex | null = null;
  private detachStream: (() => void) | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private silent = false;
  private inCommand = false;

  private status: ChargerStatus | null = null;
  private maxCurrentA = 32;
  private voltageV = 230;
  private lastSentState: string | null = null;

  // Firmware counters.
  private inSession = false;
  private sessionOriginWs = 0;
  private lastSessionWs = 0;
  private totalWs = 0;
  private chargeStartAt: number | null = null;
  private chargeEndAt: number | null = null;
  private readonly faultCounts = new Map<string, number>();
  /** Writes a non-volatile `$SC` would have made to the EEPROM. */
  eepromWrites = 0;

  // Session limits ($SH kWh, $S3 15-minute units); cleared when the car leaves.
  private limitKwh = 0;
  private limitTime15 = 0;
  private limitSleep = false;

  // Heartbeat supervision.
  private hsIntervalS = 0;
  private hsFallbackA = 0;
  private hsTrigger = 0;
  private hsLastPulseAt = 0;
  private hsRestoreA: number | null = null;
  private hsTimer: TimerHandle | null = null;

  /** Every frame received, newest last (the last `keepReceived`). */
  readonly received: ReceivedFrame[] = [];
  private readonly keepReceived: number;
  /** Resolves once the model's state has been read; commands wait for it. */
  readonly ready: Promise<void>;

  constructor(options: RapiEvseSimulatorOptions) {
    this.model = options.model;
    this.clock = options.clock;
    this.variants = firmwareVariants(options.firmware);
    const has = (variant: Exclude<FirmwareVariant, 'standard'>): boolean => this.variants.has(variant);
    this.firmware = options.firmwareVersion ?? (has('fd-sleep') ? '8.2.1' : '8.2.2.sim');
    this.rapiVersion = options.rapiVersion ?? (has('gu-reversed') ? '3.0.1' : has('fd-sleep') ? '5.0.1' : '5.2.1');
    this.phases = options.phases ?? 1;
    this.limitsSupported = options.limits ?? false;
    this.heartbeatSupported = options.heartbeat ?? true;
    this.keepReceived = options.keepReceived ?? 1000;
    this.sleepingStateCode = options.sleepingStateCode ?? (has('fd-sleep') ? EvseStateCode.SLEEPING_EMULATOR : EvseStateCode.SLEEPING);
    if (!/^[\x21-\x7e]+$/.test(this.firmware) || !/^[\x21-\x7e]+$/.test(this.rapiVersion)) {
      throw new TypeError('firmware and rapiVersion must be printable ASCII without spaces');
    }
    if (!(this.sleepingStateCode >= 0 && this.sleepingStateCode <= 0xff)) throw new RangeError('sleepingStateCode must be 0..255');
    this.unsubscribe = this.model.subscribe((event) => this.onModelEvent(event));
    this.ready = this.init();
    if (options.stream) this.attach(options.stream);
  }

  private async init(): Promise<void> {
    const [info, status] = await Promise.all([this.model.info(), this.model.status()]);
    this.maxCurrentA = info.maxCurrentA;
    this.voltageV = info.voltageV;
    this.status ??= status;
    // The firmware's counters start from the meter as it stands; a car already there is a session.
    const meterWs = this.meterWs();
    this.inSession = status.vehicleConnected;
    this.sessionOriginWs = meterWs;
    this.totalWs = meterWs;
    this.lastSentState ??= this.stateKey();
  }

  // ---- The link ----

  /** Serves `stream` (replacing any stream served before). */
  attach(stream: Duplex): void {
    if (this.closed) throw new Error('RAPI simulator is closed');
    this.detach();
    this.stream = stream;
    this.detachStream = readRapiFrames(stream, {
      onFrame: (text) => {
        this.chain = this.chain.then(() => this.handle(text)).catch(() => {});
      },
      onEnd: () => {
        if (this.stream === stream) this.detach();
      },
    });
  }

  /** Stops serving the current stream (it is not closed). */
  detach(): void {
    this.detachStream?.();
    this.detachStream = null;
    this.stream = null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.detach();
    this.unsubscribe();
    if (this.hsTimer !== null) this.clock.clearTimeout(this.hsTimer);
    this.hsTimer = null;
    await this.chain;
  }

  // ---- Test controls ----

  /** While silent, frames are read but never answered (a controller that hangs). */
  setSilent(silent: boolean): void {
    this.silent = silent;
  }

  /** Writes a raw frame to the link (with its `\r` if the caller gives one). */
  sendRaw(frame: string): void {
    this.write(frame);
  }

  /** What `$GV` answers: the identity the driver reads the firmware's profile from. */
  get version(): { firmware: string; rapi: string } {
    return { firmware: this.firmware, rapi: this.rapiVersion };
  }

  /** The current heartbeat state: interval s, fallback A, trigger. */
  heartbeatState(): { intervalS: number; fallbackA: number; trigger: number } {
    return { intervalS: this.hsIntervalS, fallbackA: this.hsFallbackA, trigger: this.hsTrigger };
  }

  /** The session limits the firmware holds: kWh and 15-minute units (0: none). */
  limitState(): { kWh: number; time15: number } {
    return { kWh: this.limitKwh, time15: this.limitTime15 };
  }

  // ---- Commands ----

  private async handle(text: string): Promise<void> {
    if (this.closed) return;
    await this.ready;
    const entry: ReceivedFrame = { text, decoded: null };
    this.received.push(entry);
    if (this.received.length > this.keepReceived) this.received.shift();
    // The firmware's buffer holds 32 characters from the '$'; a longer line is dropped unanswered.
    if (text.length + 1 > RAPI_MAX_FRAME_LENGTH) {
      entry.dropped = 'tooLong';
      return;
    }
    const decoded = decodeFrame(text);
    entry.decoded = decoded;
    if (this.silent) {
      entry.dropped = 'silent';
      return;
    }
    if (decoded.kind === 'error') {
      // A bad checksum or too many tokens: `$NK` without a sequence id (the firmware never read it).
      this.write(encodeReply(false));
      return;
    }
    if (decoded.kind !== 'command') {
      entry.dropped = 'notACommand';
      return;
    }
    this.inCommand = true;
    let answer: Answer;
    try {
      answer = await this.execute(decoded.command, decoded.params);
    } catch {
      answer = { ok: false };
    } finally {
      this.inCommand = false;
    }
    const seq = this.variants.has('noSeqId') || decoded.seq === 0 ? null : decoded.seq;
    this.write(encodeReply(answer.ok, answer.params ?? [], { seq }));
    // Like the firmware: the reply first, then the state the command may have changed.
    this.sendStateIfChanged();
    answer.after?.();
  }

  private async execute(command: string, params: string[]): Promise<Answer> {
    const model = this.model;
    const n = params.length + 1; // the firmware's token count
    switch (command) {
      case 'FE':
        await model.enable();
        return { ok: true };
      case 'FS':
        await model.sleep();
        return { ok: true };
      case 'FD':
        await model.disable();
        return { ok: true };
      case 'FR':
        // Answers, then reboots.
        return { ok: true, after: () => model.reset() };
      case 'SC': {
        if (n !== 2 && n !== 3) return { ok: false };
        const status = await model.status();
        if (n === 3 && params[1] === 'M') return { ok: false, params: [this.maxCurrentA] };
        const amps = /^\d{1,3}$/.test(params[0] ?? '') ? Number(params[0]) : NaN;
        if (!(amps >= MIN_CURRENT_A && amps <= this.maxCurrentA)) return { ok: false, params: [status.currentLimitA] };
        if (n === 2) this.eepromWrites++;
        await model.setCurrentLimit(amps);
        return { ok: true, params: [(await model.status()).currentLimitA] };
      }
      case 'GS': {
        const status = await model.status();
        this.status = status;
        const params = [hex(this.stateCode(status), 2), this.elapsedS(), hex(this.pilotCode(status), 2), hex(this.vflags(status), 4)];
        return { ok: true, params: this.variants.has('no-vflags') ? params.slice(0, 3) : params };
      }
      case 'GG': {
        const status = await model.status();
        const currentMa = Math.round((status.powerW * 1000) / (this.voltageV * this.phases));
        const voltageMv = Math.round(this.voltageV * 1000);
        if (!this.variants.has('gg4')) return { ok: true, params: [currentMa, voltageMv] };
        // Each phase's current, then the voltage; the phases a single-phase supply lacks read 0.
        const perPhase = [0, 1, 2].map((i) => (i < this.phases ? currentMa : 0));
        return { ok: true, params: [...perPhase, voltageMv] };
      }
      case 'GU': {
        await model.status();
        const counters = [Math.floor(this.sessionWs()), Math.floor(this.totalWs / WS_PER_WH)];
        return { ok: true, params: this.variants.has('gu-reversed') ? counters.reverse() : counters };
      }
      case 'GC': {
        const status = await model.status();
        return { ok: true, params: [MIN_CURRENT_A, this.maxCurrentA, status.currentLimitA, this.maxCurrentA] };
      }
      case 'GE': {
        const status = await model.status();
        return { ok: true, params: [status.currentLimitA, '0000'] };
      }
      case 'GV':
        return { ok: true, params: [this.firmware, this.rapiVersion] };
      case 'GF':
        return {
          ok: true,
          params: [hexLower(this.faultCounts.get('gfci') ?? 0), hexLower(this.faultCounts.get('noGround') ?? 0), hexLower(this.faultCounts.get('stuckRelay') ?? 0)],
        };
      case 'G0': {
        const status = await model.status();
        return { ok: true, params: [status.mode === 'disabled' ? 2 : status.vehicleConnected ? 1 : 0] };
      }
      case 'SY':
        return this.heartbeatCommand(params);
      case 'GY':
        if (!this.heartbeatSupported) return { ok: false };
        return { ok: true, params: [this.hsIntervalS, this.hsFallbackA, this.hsTrigger] };
      case 'SH':
      case 'S3': {
        if (!this.limitsSupported || n !== 2) return { ok: false };
        const value = /^\d{1,5}$/.test(params[0] ?? '') ? Number(params[0]) : NaN;
        if (!Number.isFinite(value)) return { ok: false };
        const state = this.stateCode(await model.status());
        // Limits belong to a session: the firmware takes them only with a car there (B or C).
        if (state !== EvseStateCode.B && state !== EvseStateCode.C) return { ok: false };
        if (command === 'SH') this.limitKwh = value;
        else this.limitTime15 = value;
        this.checkLimits();
        return { ok: true };
      }
      case 'GH':
        return this.limitsSupported ? { ok: true, params: [this.limitKwh] } : { ok: false };
      case 'G3':
        return this.limitsSupported ? { ok: true, params: [this.limitTime15] } : { ok: false };
      default:
        return { ok: false };
    }
  }

  private heartbeatCommand(params: string[]): Answer {
    if (!this.heartbeatSupported) return { ok: false };
    const reply = (ok: boolean): Answer => ({ ok, params: [this.hsIntervalS, this.hsFallbackA, this.hsTrigger] });
    const now = this.clock.now();
    const nums = params.map((p) => (/^\d{1,5}$/.test(p) ? Number(p) : NaN));
    if (nums.some((v) => !Number.isFinite(v))) return reply(false);
    if (params.length === 0) {
      // A pulse. Answered `$NK` while a missed pulse has not been acknowledged.
      this.hsLastPulseAt = now;
      this.armHeartbeat();
      return reply(this.hsTrigger !== HS_MISSED_NOACK);
    }
    if (params.length === 1) {
      if (nums[0] !== HS_ACK_COOKIE) return reply(false);
      if (this.hsTrigger === HS_MISSED_NOACK) {
        this.restoreAmpacity();
        this.hsTrigger = HS_MISSED_ACKED;
      }
      return reply(true);
    }
    if (params.length === 2) {
      const [interval, fallback] = nums as [number, number];
      if (interval === 0 && this.hsTrigger !== 0) this.restoreAmpacity();
      this.hsIntervalS = interval;
      this.hsFallbackA = Math.min(fallback, 255);
      this.hsLastPulseAt = now;
      this.armHeartbeat();
      return reply(true);
    }
    return reply(false);
  }

  private restoreAmpacity(): void {
    const restore = this.hsRestoreA;
    this.hsRestoreA = null;
    if (restore !== null) void this.model.setCurrentLimit(restore).catch(() => {});
  }

  private armHeartbeat(): void {
    if (this.hsTimer !== null) this.clock.clearTimeout(this.hsTimer);
    this.hsTimer = null;
    if (this.closed || this.hsIntervalS <= 0) return;
    const due = this.hsLastPulseAt + this.hsIntervalS * 1000;
    this.hsTimer = this.clock.setTimeout(() => {
      this.hsTimer = null;
      if (this.closed || this.hsIntervalS <= 0) return;
      if (this.clock.now() >= this.hsLastPulseAt + this.hsIntervalS * 1000) {
        // The host went quiet: fall back to the configured current (it does not stop).
        const current = this.status?.currentLimitA ?? this.maxCurrentA;
        const fallback = Math.max(MIN_CURRENT_A, this.hsFallbackA);
        if (fallback < current) {
          this.hsRestoreA ??= current;
          void this.model.setCurrentLimit(fallback).catch(() => {});
        }
        this.hsTrigger = HS_MISSED_NOACK;
        this.hsLastPulseAt = this.clock.now();
      }
      this.armHeartbeat();
    }, Math.max(0, due - this.clock.now()));
  }

  // ---- The model's events ----

  private onModelEvent(event: ChargerEvent): void {
    if (this.closed) return;
    switch (event.type) {
      case 'status':
        this.status = event.status;
        this.sendStateIfChanged();
        break;
      case 'vehiclePlugged':
        // The firmware starts a new session count when it sees a car.
        this.inSession = true;
        this.sessionOriginWs = this.meterWs();
        this.chargeStartAt = this.chargeEndAt = null;
        break;
      case 'vehicleUnplugged':
        this.endSession();
        break;
      case 'chargingStarted':
        this.chargeStartAt ??= this.clock.now();
        this.chargeEndAt = null;
        break;
      case 'chargingStopped':
        this.chargeEndAt = this.clock.now();
        break;
      case 'faultRaised':
        this.faultCounts.set(event.fault, (this.faultCounts.get(event.fault) ?? 0) + 1);
        break;
      case 'boot':
        this.onBoot();
        break;
      case 'meter':
        this.checkLimits();
        break;
      default:
        break;
    }
  }

  private endSession(): void {
    if (this.inSession) {
      const sessionWs = Math.max(0, this.meterWs() - this.sessionOriginWs);
      this.totalWs += sessionWs;
      this.lastSessionWs = sessionWs;
    }
    this.inSession = false;
    this.limitKwh = this.limitTime15 = 0;
    if (this.limitSleep) {
      // A car that left after its limit put the station to sleep: ready for the next one.
      this.limitSleep = false;
      void this.model.enable().catch(() => {});
    }
  }

  private onBoot(): void {
    // A reboot: the session counter restarts (the interrupted session never reaches the
    // total), the limits and a pending heartbeat miss are forgotten; the heartbeat
    // settings are in the EEPROM and stay.
    this.limitKwh = this.limitTime15 = 0;
    this.limitSleep = false;
    this.hsTrigger = 0;
    this.hsRestoreA = null;
    this.hsLastPulseAt = this.clock.now();
    this.armHeartbeat();
    this.inSession = this.status?.vehicleConnected ?? false;
    this.sessionOriginWs = this.meterWs();
    this.lastSessionWs = 0;
    this.chargeStartAt = this.chargeEndAt = null;
    const fault = this.status?.fault ?? null;
    // Text for a terminal, not RAPI: the driver's parser skips what comes before a '$'.
    if (this.variants.has('banner')) this.write(`\r\nOpen EVSE\r\nFirmware v${this.firmware}\r\nRAPI v${this.rapiVersion}\r\n`);
    // A fault whose cause is still there fails the self-test at boot (09: GFI test).
    this.write(encodeAsync('AB', [fault === null ? '00' : '09', this.firmware]));
    this.lastSentState = null;
    this.sendStateIfChanged();
  }

  private checkLimits(): void {
    if (this.limitSleep || !this.inSession) return;
    const energyReached = this.limitKwh > 0 && this.sessionWs() >= this.limitKwh * 1000 * WS_PER_WH;
    const timeReached = this.limitTime15 > 0 && this.chargeStartAt !== null && this.clock.now() - this.chargeStartAt >= this.limitTime15 * MS_PER_15_MIN;
    if (energyReached || timeReached) {
      this.limitSleep = true;
      void this.model.sleep().catch(() => {});
    }
  }

  // ---- What the firmware reports ----

  private meterWs(): number {
    try {
      return this.model.simState().meterWs;
    } catch {
      return this.totalWs;
    }
  }

  private sessionWs(): number {
    return this.inSession ? Math.max(0, this.meterWs() - this.sessionOriginWs) : this.lastSessionWs;
  }

  private elapsedS(): number {
    if (this.chargeStartAt === null) return 0;
    return Math.floor(((this.chargeEndAt ?? this.clock.now()) - this.chargeStartAt) / 1000);
  }

  private stateCode(status: ChargerStatus): number {
    if (status.fault !== null) return stateCodeForFault(status.fault);
    if (status.mode === 'disabled') return EvseStateCode.DISABLED;
    if (status.mode === 'sleeping') return this.sleepingStateCode;
    if (status.relayClosed) return EvseStateCode.C;
    return status.vehicleConnected ? EvseStateCode.B : EvseStateCode.A;
  }

  private pilotCode(status: ChargerStatus): number {
    if (status.relayClosed) return EvseStateCode.C;
    return status.vehicleConnected ? EvseStateCode.B : EvseStateCode.A;
  }

  private vflags(status: ChargerStatus): number {
    return (status.vehicleConnected ? VFLAG_EV_CONNECTED : 0) | (status.relayClosed ? VFLAG_RELAY_CLOSED : 0);
  }

  private stateParams(status: ChargerStatus): string[] {
    const params = [hex(this.stateCode(status), 2), hex(this.pilotCode(status), 2), String(status.currentLimitA), hex(this.vflags(status), 4)];
    return this.variants.has('no-vflags') ? params.slice(0, 3) : params;
  }

  /** What a change must touch to be reported: everything, or (quiet) only the state code. */
  private stateKey(): string | null {
    if (this.status === null) return null;
    const params = this.stateParams(this.status);
    return this.variants.has('quiet') ? params[0]! : params.join(' ');
  }

  /** `$AT` when what it reports changed (not while a command runs: its reply goes first). */
  private sendStateIfChanged(): void {
    if (this.inCommand || this.status === null) return;
    const key = this.stateKey();
    if (key === this.lastSentState) return;
    this.lastSentState = key;
    this.write(encodeAsync('AT', this.stateParams(this.status)));
  }

  private write(frame: string): void {
    const stream = this.stream;
    if (!stream || stream.destroyed || !stream.writable) return;
    stream.write(frame.endsWith('\r') || frame.endsWith('\n') ? frame : `${frame}\r`, 'latin1');
  }
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
const hexLower = (n: number): string => n.toString(16);

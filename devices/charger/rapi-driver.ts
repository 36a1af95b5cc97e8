// The OpenEVSE RAPI driver: a ChargerController over any byte stream (a serial port,
// or one end of an in-memory pair with the RAPI simulator on the other).
//
// One command is in flight at a time; the others wait in a queue. Every command
// carries a sequence id (1..255, wrapping) that the firmware echoes, so a late reply to
// an earlier command is recognised and ignored. A command not answered within
// `timeoutMs` (on the injected clock) is sent again, with a new id, up to `retries`
// times; `$NK` rejects it with a RapiNakError. After `offlineAfterTimeouts` timeouts in
// a row, or when the stream closes or fails, the driver reports 'offline' and every
// call fails with DeviceUnavailableError until the controller answers again (it is
// probed every `probeIntervalMs` while the stream is there; a new stream comes through
// attach()), then it probes the controller afresh and reports 'online'.
//
// State comes from `$AT` notices and from `$GS`, read every `sampleIntervalMs` in every
// phase (some firmware sends `$AT` only when the state code changes, and asleep a plug-in
// does not change it), on every status() and after every mode change; the driver turns
// changes into the port's events. While a vehicle is connected it also reads `$GU` and
// `$GG` for 'meter' samples. The mode it reports is the one the controller reports:
// sleep is confirmed by the controller, never assumed because it was asked for.
//
// Firmware differs: replies without the sequence id are taken as the answer when one
// command is in flight (which is always the case here); the sleep code and the `$GU`
// field order come from the firmware's profile, read from `$GV` (rapiProfile); `$GG`
// says by its length whether it has one current or three. Anything the driver cannot
// read is logged once with its frame, and an unknown state code counts as awake, so the
// kiosk disables the controller rather than leave it enabled.
// The firmware's session counter restarts when a car connects and at a reboot, and its
// total moves only at the end of a session, so the driver keeps its own meter: the
// total at the start of the session plus what the session counter added since, never
// lower than a value it reported before.
import type { Duplex } from 'node:stream';
import { EventOutbox } from '../event-outbox.js';
import type { Clock, TimerHandle } from '../clock.js';
import { DeviceUnavailableError } from '../device-errors.js';
import type { ChargerController, ChargerEvent, ChargerInfo, ChargerMode, ChargerStatus, PilotState } from './charger-port.js';
import {
  RAPI_MAX_FRAME_LENGTH,
  VFLAG_EV_CONNECTED,
  VFLAG_RELAY_CLOSED,
  decodeFrame,
  describeEvseState,
  encodeCommand,
  hex2,
  parseAsyncState,
  parseBoot,
  parseCurrentRange,
  parseEnergy,
  parseGetState,
  parseMeasurement,
  parseVersion,
  pilotLetter,
  rapiProfile,
} from './rapi-codec.js';
import type { RapiProfile, RapiState } from './rapi-codec.js';
import { readRapiFrames } from './rapi-parser.js';

/** The part of a pino logger the RAPI code uses. */
export interface RapiLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface RapiHeartbeatOptions {
  /** The firmware falls back to `fallbackA` if no `$SY` comes for this long, s. */
  intervalS: number;
  /** Current the firmware falls back to when the host goes quiet, A (it does not stop). */
  fallbackA: number;
}

export interface RapiChargerControllerOptions {
  /** Drives the meter samples and the heartbeat (and the link, unless linkClock is given). */
  clock: Clock;
  /**
   * Drives reply timeouts and offline probing (default: clock). Bytes take real time, so
   * with an accelerated clock (--clock-speed) pass systemClock here, or a 500 ms timeout
   * would be 500/speed real ms.
   */
  linkClock?: Clock;
  /** The byte stream to the controller; attach() one later otherwise. */
  stream?: Duplex | null;
  /** Time to wait for each reply, ms (default 500). */
  timeoutMs?: number;
  /** Times a command is sent again after a timeout (default 2). */
  retries?: number;
  /** Timeouts in a row after which the controller counts as offline (default 3). */
  offlineAfterTimeouts?: number;
  /** Meter poll interval while a vehicle is connected, ms (default 1000). */
  sampleIntervalMs?: number;
  /** Probe interval while offline with a stream still there, ms (default 1000). */
  probeIntervalMs?: number;
  /** Heartbeat supervision, if the firmware has it (default 30 s, 6 A); false: never used. */
  heartbeat?: RapiHeartbeatOptions | false;
  /** Line voltage when the controller has no voltmeter, V (default 230). */
  voltageV?: number;
  /** Phases, to turn the per-phase current of `$GG` into power (default 1). */
  phases?: 1 | 3;
  /** Checksum on commands (default 'xor'). */
  checksum?: 'xor' | 'additive';
  /** Destroy the stream on close() (default true). */
  destroyStreamOnClose?: boolean;
  /** Runs at close(), after the stream is let go (the serial wrapper stops reconnecting here). */
  onClose?: () => Promise<void> | void;
  log?: RapiLog;
}

/** The controller answered `$NK`. */
export class RapiNakError extends Error {
  override name = 'RapiNakError';
  constructor(
    readonly command: string,
    readonly params: string[],
  ) {
    super(`controller refused $${command}${params.length ? ` (answered ${params.join(' ')})` : ''}`);
  }
}

/** No reply within the timeout, after every retry. */
export class RapiTimeoutError extends DeviceUnavailableError {
  override name = 'RapiTimeoutError';
}

export interface RapiSessionLimits {
  /** Energy the controller lets through in this session, Wh (sent as whole kWh, rounded up); 0 clears. */
  energyWh?: number;
  /** Time, s (sent in 15-minute units, rounded up); 0 clears. */
  seconds?: number;
}

interface Job {
  command: string;
  params: string[];
  /** The reply's frame, for the log when its contents cannot be read. */
  replyFrame: string;
  retries: number;
  attempts: number;
  /** Every sequence id this job was sent with: a late answer to an earlier try is still its answer. */
  seqs: number[];
  timer: TimerHandle | null;
  /** Internal jobs (probes) are sent even while the driver reports offline. */
  internal: boolean;
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

interface Reply {
  params: string[];
  frame: string;
}

interface JobOptions {
  internal: boolean;
  priority?: boolean;
  retries?: number;
}

type LinkState = 'connecting' | 'online' | 'offline' | 'closed';

const DEFAULT_HEARTBEAT: RapiHeartbeatOptions = { intervalS: 30, fallbackA: 6 };
const HS_ACK_COOKIE = 165;
const MIN_CURRENT_A = 6;
const WS_PER_WH = 3600;
/** A boot this soon after the first connection is the controller starting with the kiosk, not a reboot in service. */
const STARTUP_GRACE_MS = 10_000;

export class RapiChargerController implements ChargerController {
  private readonly clock: Clock;
  private readonly linkClock: Clock;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly offlineAfterTimeouts: number;
  private readonly sampleIntervalMs: number;
  private readonly probeIntervalMs: number;
  private readonly heartbeat: RapiHeartbeatOptions | false;
  private readonly defaultVoltageV: number;
  private readonly phases: 1 | 3;
  private readonly checksum: 'xor' | 'additive';
  private readonly destroyStreamOnClose: boolean;
  private readonly onClose: (() => Promise<void> | void) | undefined;
  private readonly log: RapiLog | undefined;
  private readonly events = new EventOutbox<ChargerEvent>();

  // The link.
  private stream: Duplex | null = null;
  private releaseStream: (() => void) | null = null;
  private link: LinkState = 'connecting';
  private offlineReported = false;
  private offlineReason = 'not connected yet';
  /** When the controller first answered (link clock); null until then. */
  private firstOnlineAt: number | null = null;
  private queue: Job[] = [];
  private inflight: Job | null = null;
  private seq = 0;
  /** Whether the firmware echoes sequence ids: learned from its replies (null until one came). */
  private echoesSeq: boolean | null = null;
  private consecutiveTimeouts = 0;
  private connectRun = 0;
  private probeTimer: TimerHandle | null = null;

  // What the controller told us.
  private firmware = 'unknown';
  private rapiVersion: string | null = null;
  private profile: RapiProfile = rapiProfile(null);
  /** What was found unreadable, by kind: each is logged once. */
  private readonly unknownLogged = new Set<string>();
  private maxCurrentA = 32;
  private measuredVoltageV: number | null = null;
  private supports = { energyLimit: false, timeLimit: false, heartbeat: false, energy: true, measurement: true };
  private raw: { state: number | null; pilot: number | null; vflags: number | null; currentA: number; frame: string } = { state: null, pilot: null, vflags: null, currentA: 0, frame: '' };
  private mode: ChargerMode = 'enabled';
  private view: ChargerStatus | null = null;

  // The meter.
  private energyWs: number | null = null;
  private sessionPrevWs: number | null = null;
  private reportedWh = 0;
  private powerW = 0;
  private sampleTimer: TimerHandle | null = null;
  private sampling = false;
  private heartbeatTimer: TimerHandle | null = null;

  constructor(options: RapiChargerControllerOptions) {
    const positive = (name: string, value: number): number => {
      if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be > 0, got ${value}`);
      return value;
    };
    this.clock = options.clock;
    this.linkClock = options.linkClock ?? options.clock;
    this.timeoutMs = positive('timeoutMs', options.timeoutMs ?? 500);
    this.retries = options.retries ?? 2;
    if (!(Number.isInteger(this.retries) && this.retries >= 0)) throw new RangeError(`retries must be an integer >= 0, got ${this.retries}`);
    this.offlineAfterTimeouts = options.offlineAfterTimeouts ?? 3;
    if (!(Number.isInteger(this.offlineAfterTimeouts) && this.offlineAfterTimeouts >= 1)) throw new RangeError('offlineAfterTimeouts must be an integer >= 1');
    this.sampleIntervalMs = positive('sampleIntervalMs', options.sampleIntervalMs ?? 1000);
    this.probeIntervalMs = positive('probeIntervalMs', options.probeIntervalMs ?? 1000);
    this.heartbeat = options.heartbeat === undefined ? DEFAULT_HEARTBEAT : options.heartbeat;
    if (this.heartbeat) {
      if (!(Number.isInteger(this.heartbeat.intervalS) && this.heartbeat.intervalS >= 3 && this.heartbeat.intervalS <= 65535)) throw new RangeError('heartbeat.intervalS must be an integer from 3 to 65535');
      if (!(Number.isInteger(this.heartbeat.fallbackA) && this.heartbeat.fallbackA >= 0 && this.heartbeat.fallbackA <= 80)) throw new RangeError('heartbeat.fallbackA must be an integer from 0 to 80');
    }
    this.defaultVoltageV = positive('voltageV', options.voltageV ?? 230);
    this.phases = options.phases ?? 1;
    this.checksum = options.checksum ?? 'xor';
    this.destroyStreamOnClose = options.destroyStreamOnClose ?? true;
    this.onClose = options.onClose;
    this.log = options.log;
    if (options.stream) this.attach(options.stream);
  }

  // ---- The link ----

  /** Talks to the controller over `stream` from now on, probing it first (a reconnect). */
  attach(stream: Duplex): void {
    if (this.link === 'closed') throw new DeviceUnavailableError('RAPI controller is closed');
    this.release();
    this.stream = stream;
    this.releaseStream = readRapiFrames(stream, {
      onFrame: (text) => this.onFrame(text),
      onEnd: (reason) => {
        if (this.stream === stream) this.lost(reason);
      },
    });
    // A command that was on the wire goes again on the new stream.
    if (this.inflight) this.requeueInflight();
    void this.connect();
  }

  /** Lets go of the stream (not closing it) and reports offline: the wrapper reconnects. */
  detach(reason = 'the serial link was taken away'): void {
    this.lost(reason);
  }

  /** Whether the controller answers now. */
  get online(): boolean {
    return this.link === 'online';
  }

  private release(): void {
    this.releaseStream?.();
    this.releaseStream = null;
    this.stream = null;
    this.stopProbing();
  }

  private lost(reason: string): void {
    if (this.link === 'closed') return;
    this.release();
    this.goOffline(reason);
  }

  private goOffline(reason: string): void {
    if (this.link === 'closed') return;
    this.link = 'offline';
    this.connectRun++;
    this.offlineReason = reason;
    this.stopSampling();
    this.stopHeartbeat();
    const error = new DeviceUnavailableError(`charger controller offline: ${reason}`);
    const jobs = [...(this.inflight ? [this.inflight] : []), ...this.queue];
    if (this.inflight?.timer != null) this.linkClock.clearTimeout(this.inflight.timer);
    this.inflight = null;
    this.queue = [];
    for (const job of jobs) job.reject(error);
    if (!this.offlineReported) {
      this.offlineReported = true;
      this.log?.warn({ reason }, 'charger controller offline');
      this.events.push({ type: 'offline', reason });
      if (this.view) {
        this.view = { ...this.view, online: false };
        this.events.push({ type: 'status', status: this.snapshot() });
      }
      this.events.flush();
    }
    this.scheduleProbe();
  }

  /** While offline with a stream: ask for the version now and then; any answer brings the link back. */
  private scheduleProbe(): void {
    if (this.link !== 'offline' || !this.stream || this.probeTimer !== null) return;
    this.probeTimer = this.linkClock.setTimeout(() => {
      this.probeTimer = null;
      if (this.link !== 'offline' || !this.stream) return;
      this.enqueue('GV', [], { internal: true, retries: 0 }).then(
        () => {
          if (this.link === 'offline') void this.connect();
        },
        () => this.scheduleProbe(),
      );
    }, this.probeIntervalMs);
  }

  private stopProbing(): void {
    if (this.probeTimer !== null) this.linkClock.clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }

  /** Learns what the controller is and where it stands, then reports online. */
  private async connect(): Promise<void> {
    if (this.link === 'closed' || !this.stream) return;
    const run = ++this.connectRun;
    this.link = 'connecting';
    this.stopProbing();
    const internal = { internal: true, priority: true };
    try {
      this.learnVersion(await this.exchange('GV', [], internal).catch(nakAs({ params: [], frame: '$NK' })));
      const range = parseCurrentRange(await this.enqueue('GC', [], internal).catch(nakAs([])));
      if (range) {
        this.maxCurrentA = range.hwMaxA;
        this.raw.currentA = range.pilotA;
      }
      this.supports.energyLimit = await this.probe('GH', [], internal);
      this.supports.timeLimit = await this.probe('G3', [], internal);
      this.supports.heartbeat = this.heartbeat ? await this.probe('SY', [this.heartbeat.intervalS, this.heartbeat.fallbackA].map(String), internal) : false;
      const state = await this.exchange('GS', [], internal);
      if (run !== this.connectRun) return;
      this.applyGetState(state);
    } catch (error) {
      if (run !== this.connectRun || (this.link as LinkState) === 'closed') return;
      // A probe that got no answer already counted towards going offline; make sure.
      this.log?.warn({ err: error }, 'charger controller probe failed');
      this.goOffline(error instanceof Error ? error.message : String(error));
      return;
    }
    this.link = 'online';
    this.firstOnlineAt ??= this.linkClock.now();
    this.consecutiveTimeouts = 0;
    this.log?.info({ firmware: this.firmware, rapi: this.rapiVersion, supports: this.supports }, 'charger controller online');
    if (this.offlineReported) {
      this.offlineReported = false;
      this.events.push({ type: 'online' });
    }
    // What changed while nobody could see it comes out as events now.
    this.refreshView(true);
    this.armHeartbeat();
    this.pump();
    this.supports.energy = true;
    this.supports.measurement = true;
    try {
      await this.readMeter({ internal: false, priority: true });
    } catch (error) {
      this.log?.debug({ err: error }, 'first meter reading failed');
    }
  }

  /** A command that the firmware may not have: true if it answered `$OK`. */
  private async probe(command: string, params: string[], options: { internal: boolean; priority: boolean }): Promise<boolean> {
    try {
      await this.enqueue(command, params, options);
      return true;
    } catch (error) {
      if (error instanceof RapiNakError) return false;
      throw error;
    }
  }

  // ---- Commands ----

  /** Sends a RAPI command (e.g. `request('GS')`) and resolves with the reply's parameters. */
  request(command: string, params: readonly (string | number)[] = []): Promise<string[]> {
    return this.enqueue(command, params.map(String), { internal: false });
  }

  private async enqueue(command: string, params: string[], options: JobOptions): Promise<string[]> {
    return (await this.exchange(command, params, options)).params;
  }

  /** Sends a command and resolves with the reply: its parameters and its frame. */
  private exchange(command: string, params: string[], options: JobOptions): Promise<Reply> {
    if (this.link === 'closed') return Promise.reject(new DeviceUnavailableError('RAPI controller is closed'));
    if (!options.internal && this.offlineReported) {
      return Promise.reject(new DeviceUnavailableError(`charger controller offline: ${this.offlineReason}`));
    }
    // Checked here, once: a frame longer than the firmware's buffer would be dropped unread.
    let length: number;
    try {
      length = encodeCommand(command, params, { seq: 255, checksum: this.checksum }).length;
    } catch (error) {
      return Promise.reject(error as Error);
    }
    if (length > RAPI_MAX_FRAME_LENGTH) {
      return Promise.reject(new RangeError(`$${command} ${params.join(' ')} is ${length} bytes framed; the firmware reads at most ${RAPI_MAX_FRAME_LENGTH}`));
    }
    return new Promise<Reply>((resolve, reject) => {
      const job: Job = { command, params, replyFrame: '', retries: options.retries ?? this.retries, attempts: 0, seqs: [], timer: null, internal: options.internal, resolve, reject };
      if (options.priority) this.queue.unshift(job);
      else this.queue.push(job);
      this.pump();
    });
  }

  private pump(): void {
    if (this.inflight || !this.stream || this.link === 'closed') return;
    // While connecting, only the probe's own commands go out; the rest wait for it.
    const index = this.link === 'online' ? 0 : this.queue.findIndex((job) => job.internal);
    if (index < 0) return;
    const [job] = this.queue.splice(index, 1);
    if (job) this.send(job);
  }

  private send(job: Job): void {
    const stream = this.stream;
    if (!stream) {
      this.queue.unshift(job);
      return;
    }
    this.seq = (this.seq % 255) + 1;
    job.seqs.push(this.seq);
    job.attempts++;
    this.inflight = job;
    job.timer = this.linkClock.setTimeout(() => this.onTimeout(job), this.timeoutMs);
    const frame = encodeCommand(job.command, job.params, { seq: this.seq, checksum: this.checksum });
    this.log?.debug({ frame: frame.trimEnd() }, 'rapi >');
    stream.write(frame, 'latin1');
  }

  private onTimeout(job: Job): void {
    if (this.inflight !== job) return;
    job.timer = null;
    this.inflight = null;
    this.consecutiveTimeouts++;
    this.log?.debug({ command: job.command, attempt: job.attempts }, 'rapi timeout');
    if (job.attempts <= job.retries && this.consecutiveTimeouts < this.offlineAfterTimeouts) {
      this.queue.unshift(job);
    } else {
      job.reject(new RapiTimeoutError(`no answer to $${job.command} after ${job.attempts} tries of ${this.timeoutMs} ms`));
      if (this.consecutiveTimeouts >= this.offlineAfterTimeouts && this.link !== 'offline') {
        this.goOffline(`no answer to ${this.consecutiveTimeouts} commands in a row`);
      }
    }
    this.pump();
    if (this.link === 'offline') this.scheduleProbe();
  }

  private requeueInflight(): void {
    const job = this.inflight;
    if (!job) return;
    if (job.timer !== null) this.linkClock.clearTimeout(job.timer);
    job.timer = null;
    this.inflight = null;
    this.queue.unshift(job);
  }

  private complete(job: Job, ok: boolean, params: string[], frame: string): void {
    if (job.timer !== null) this.linkClock.clearTimeout(job.timer);
    job.timer = null;
    this.inflight = null;
    if (ok) job.resolve({ params, frame });
    else job.reject(new RapiNakError(job.command, params));
    this.pump();
  }

  // ---- Frames from the controller ----

  private onFrame(text: string): void {
    if (this.link === 'closed') return;
    const frame = decodeFrame(text);
    this.log?.debug({ frame: text }, 'rapi <');
    if (frame.kind === 'error') {
      // A garbled frame: if it was our reply, the timeout sends the command again.
      this.log?.debug({ frame: text, error: frame.message }, 'rapi: bad frame ignored');
      return;
    }
    if (frame.kind === 'command') return; // an echo, or another host on the line: not ours
    // Whatever it says, the controller is there.
    this.consecutiveTimeouts = 0;
    if (frame.kind === 'reply') {
      const job = this.inflight;
      if (!job) return;
      if (frame.seq !== null && job.seqs.includes(frame.seq)) {
        this.echoesSeq = true;
        this.complete(job, frame.ok, frame.params, text);
      } else if (frame.seq === null && (frame.ok || this.echoesSeq === false)) {
        // Firmware that does not echo sequence ids: with one command in flight (always,
        // here), a reply without an id can only be its answer, and its `$NK` a refusal.
        if (frame.ok) this.echoesSeq = false;
        this.complete(job, frame.ok, frame.params, text);
      } else if (frame.seq === null && !frame.ok) {
        // `$NK` without an id: the firmware could not read the frame (checksum); send it again.
        if (job.timer !== null) this.linkClock.clearTimeout(job.timer);
        job.timer = null;
        this.inflight = null;
        if (job.attempts <= job.retries) this.queue.unshift(job);
        else job.reject(new RapiNakError(job.command, frame.params));
        this.pump();
      }
      // Anything else is a late answer to an earlier command: ignored.
      return;
    }
    if (frame.type === 'AB') this.onBoot(frame.params);
    if (this.link === 'offline') {
      // It talks again: probe it afresh (which reads the state) before anything else.
      if (this.stream) void this.connect();
      return;
    }
    if (frame.type === 'AT') {
      const state = parseAsyncState(frame.params);
      if (state) this.applyState(state, text);
      else this.noteUnreadable('$AT', text);
    } else if (frame.type !== 'AB') {
      this.log?.debug({ frame: text }, 'rapi notice ignored');
    }
  }

  private onBoot(params: string[]): void {
    const boot = parseBoot(params);
    // A clean boot while the kiosk is starting is the controller starting with it; a
    // reboot in service, or a failed self-test, is news.
    const atStartup = this.firstOnlineAt === null || this.linkClock.now() - this.firstOnlineAt < STARTUP_GRACE_MS;
    const fields = { postCode: boot?.postCode, firmware: boot?.firmware };
    if (atStartup && boot?.postCode === 0) this.log?.info(fields, 'charger controller booted');
    else this.log?.warn(fields, atStartup ? 'charger controller booted' : 'charger controller rebooted');
    // It comes up enabled with its session counter at zero, whatever it was told before.
    this.mode = 'enabled';
    if (this.sessionPrevWs !== null) this.sessionPrevWs = 0;
    this.events.push({ type: 'boot' });
    this.events.flush();
    if (this.link === 'online') void this.connect();
  }

  // ---- State ----

  /** Takes in a `$GS` reply. */
  private applyGetState(reply: Reply): void {
    const state = parseGetState(reply.params);
    if (state) this.applyState(state, reply.frame);
    else this.noteUnreadable('$GS', reply.frame);
  }

  /** Takes in a state report; reported as events once online (connect() reports what it found). */
  private applyState(state: RapiState, frame: string): void {
    this.raw.state = state.state;
    this.raw.frame = frame;
    if (state.pilot !== null) this.raw.pilot = state.pilot;
    if (state.vflags !== null) this.raw.vflags = state.vflags;
    if (state.currentA !== null) this.raw.currentA = state.currentA;
    if (this.link === 'online') this.refreshView(false);
  }

  /** Recomputes the status from the raw state and emits what changed. */
  private refreshView(forceStatus: boolean): void {
    const code = this.raw.state;
    if (code === null) return;
    const info = describeEvseState(code, this.profile.sleepCodes);
    if (info.mode) this.mode = info.mode;
    // A code we do not know says nothing of the mode: it counts as awake, so the kiosk
    // goes on to disable the controller rather than take it for asleep.
    if (info.kind === 'unknown') this.noteUnreadable(`state ${hex2(code)}`, this.raw.frame, 'charger controller reported a state code the driver does not know; taken as awake');
    const mode: ChargerMode = info.kind === 'unknown' ? 'enabled' : this.mode;
    const flags = this.raw.vflags;
    const letter = pilotLetter(this.raw.pilot);
    // Without the vehicle flags (older firmware), the pilot says whether a car is there:
    // asleep, the state code does not change when one is plugged in.
    const vehicleConnected =
      (flags !== null && (flags & VFLAG_EV_CONNECTED) !== 0) || ['B', 'C', 'D'].includes(info.kind) || ['B', 'C', 'D'].includes(letter);
    // Without the relay flag, a car drawing (pilot C or D) is taken as the relay closed.
    const relayClosed = info.canDeliver && (flags !== null ? (flags & VFLAG_RELAY_CLOSED) !== 0 : ['C', 'D'].includes(info.kind) || ['C', 'D'].includes(letter));
    let pilot: PilotState = 'unknown';
    if (info.kind === 'A' || info.kind === 'B' || info.kind === 'C' || info.kind === 'D') pilot = info.kind;
    else if (info.kind === 'sleeping') pilot = letter;
    const next: ChargerStatus = {
      online: this.link === 'online',
      mode,
      pilot,
      vehicleConnected,
      relayClosed,
      fault: info.fault,
      meterWh: this.reportedWh,
      powerW: relayClosed ? this.powerW : 0,
      currentLimitA: this.raw.currentA,
    };
    const prev = this.view;
    this.view = next;
    if (prev) {
      if (next.fault !== null && next.fault !== prev.fault) this.events.push({ type: 'faultRaised', fault: next.fault });
      if (prev.relayClosed && !next.relayClosed) this.events.push({ type: 'chargingStopped', vehicleConnected: next.vehicleConnected });
      if (prev.vehicleConnected && !next.vehicleConnected) this.events.push({ type: 'vehicleUnplugged' });
      if (!prev.vehicleConnected && next.vehicleConnected) this.events.push({ type: 'vehiclePlugged' });
      if (!prev.relayClosed && next.relayClosed) this.events.push({ type: 'chargingStarted' });
      if (prev.fault !== null && next.fault === null) this.events.push({ type: 'faultCleared' });
    }
    const changed =
      !prev ||
      prev.online !== next.online ||
      prev.mode !== next.mode ||
      prev.pilot !== next.pilot ||
      prev.vehicleConnected !== next.vehicleConnected ||
      prev.relayClosed !== next.relayClosed ||
      prev.fault !== next.fault ||
      prev.currentLimitA !== next.currentLimitA;
    if (changed || forceStatus) this.events.push({ type: 'status', status: this.snapshot() });
    if (prev && prev.vehicleConnected && !next.vehicleConnected) {
      // The session is over: read the counters once more for its last W·s.
      void this.readMeter({ internal: false }).catch(() => {});
    }
    this.events.flush();
    this.armSampling();
  }

  private snapshot(): ChargerStatus {
    const view = this.view;
    if (!view) throw new DeviceUnavailableError('charger controller state not known yet');
    return { ...view, meterWh: this.reportedWh, powerW: view.relayClosed ? this.powerW : 0 };
  }

  // ---- The meter ----

  /** Reads `$GU` (and `$GG`) and moves the meter on. */
  private async readMeter(options: { internal: boolean; priority?: boolean }): Promise<void> {
    if (this.supports.energy) {
      try {
        const reply = await this.exchange('GU', [], options);
        const energy = parseEnergy(reply.params, this.profile.energyOrder);
        if (energy) this.updateEnergy(energy.sessionWs, energy.totalWh);
        else this.noteUnreadable('$GU', reply.frame);
      } catch (error) {
        if (!(error instanceof RapiNakError)) throw error;
        this.supports.energy = false;
        this.log?.warn({}, 'charger controller has no energy meter ($GU refused)');
      }
    }
    if (this.supports.measurement && this.view?.vehicleConnected) {
      try {
        const reply = await this.exchange('GG', [], options);
        const m = parseMeasurement(reply.params);
        if (m) {
          if (m.voltageMv > 0) this.measuredVoltageV = m.voltageMv / 1000;
          const volts = this.measuredVoltageV ?? this.defaultVoltageV;
          // One current stands for every phase; three are summed as they are.
          const amps = (m.currentMa / 1000) * (m.perPhase ? 1 : this.phases);
          this.powerW = Math.max(0, Math.round(amps * volts));
        } else {
          this.noteUnreadable('$GG', reply.frame);
        }
      } catch (error) {
        if (!(error instanceof RapiNakError)) throw error;
        this.supports.measurement = false;
      }
    } else if (!this.view?.vehicleConnected) {
      this.powerW = 0;
    }
  }

  private updateEnergy(sessionWs: number, totalWh: number): void {
    const totalWs = totalWh * WS_PER_WH;
    const connected = this.view?.vehicleConnected ?? false;
    if (this.energyWs === null) {
      // First reading: the total is the meter at the start of the session under way, if any.
      this.energyWs = totalWs + (connected ? sessionWs : 0);
      this.sessionPrevWs = connected ? sessionWs : null;
    } else if (connected) {
      if (this.sessionPrevWs === null) {
        // A session began; its counter started from zero when the car connected.
        this.energyWs = Math.max(this.energyWs, totalWs) + sessionWs;
      } else {
        // A counter that went back (a reboot) restarted from zero.
        this.energyWs += sessionWs >= this.sessionPrevWs ? sessionWs - this.sessionPrevWs : sessionWs;
      }
      this.sessionPrevWs = sessionWs;
    } else {
      if (this.sessionPrevWs !== null && sessionWs >= this.sessionPrevWs) this.energyWs += sessionWs - this.sessionPrevWs;
      this.sessionPrevWs = null;
      this.energyWs = Math.max(this.energyWs, totalWs);
    }
    this.reportedWh = Math.max(this.reportedWh, Math.floor(this.energyWs / WS_PER_WH));
  }

  /** The sample timer runs whenever the controller is online, in every phase: `$GS` each time. */
  private armSampling(): void {
    const wanted = this.link === 'online';
    if (!wanted) {
      this.stopSampling();
      return;
    }
    if (this.sampleTimer !== null) return;
    this.sampleTimer = this.clock.setTimeout(() => {
      this.sampleTimer = null;
      void this.sample();
    }, this.sampleIntervalMs);
  }

  private stopSampling(): void {
    if (this.sampleTimer !== null) this.clock.clearTimeout(this.sampleTimer);
    this.sampleTimer = null;
  }

  private async sample(): Promise<void> {
    if (this.sampling || this.link !== 'online') return;
    this.sampling = true;
    try {
      // The state first: a plug-in or unplug that sent no `$AT` shows here.
      await this.refreshState();
      if (this.link === 'online' && this.view?.vehicleConnected) {
        await this.readMeter({ internal: false });
        this.events.push({ type: 'meter', meterWh: this.reportedWh, powerW: this.view?.relayClosed ? this.powerW : 0 });
        this.events.flush();
      }
    } catch (error) {
      this.log?.debug({ err: error }, 'meter sample failed');
    } finally {
      this.sampling = false;
      this.armSampling();
    }
  }

  // ---- Heartbeat ----

  private armHeartbeat(): void {
    if (!this.heartbeat || !this.supports.heartbeat || this.link !== 'online' || this.heartbeatTimer !== null) return;
    // Three pulses per interval: one lost pulse never trips the fallback.
    const every = Math.max(1000, (this.heartbeat.intervalS * 1000) / 3);
    this.heartbeatTimer = this.clock.setTimeout(() => {
      this.heartbeatTimer = null;
      void this.pulse().finally(() => this.armHeartbeat());
    }, every);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) this.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async pulse(): Promise<void> {
    try {
      await this.enqueue('SY', [], { internal: false });
    } catch (error) {
      if (!(error instanceof RapiNakError)) return;
      // `$NK` to a pulse: a pulse was missed and the controller fell back; acknowledge,
      // which gives back the current it had.
      this.log?.warn({}, 'charger controller missed a heartbeat and fell back; acknowledging');
      await this.enqueue('SY', [String(HS_ACK_COOKIE)], { internal: false }).catch(() => {});
    }
  }

  // ---- ChargerController ----

  async info(): Promise<ChargerInfo> {
    this.assertOnline();
    this.learnVersion(await this.exchange('GV', [], { internal: false }));
    return {
      firmware: this.firmware,
      protocol: this.rapiVersion,
      maxCurrentA: this.maxCurrentA,
      voltageV: this.measuredVoltageV ?? this.defaultVoltageV,
      backstop: { energy: this.supports.energyLimit, time: this.supports.timeLimit },
    };
  }

  async enable(): Promise<void> {
    await this.setMode('FE', 'enabled');
  }

  async sleep(): Promise<void> {
    await this.setMode('FS', 'sleeping');
  }

  async disable(): Promise<void> {
    await this.setMode('FD', 'disabled');
  }

  private async setMode(command: 'FE' | 'FS' | 'FD', mode: ChargerMode): Promise<void> {
    this.assertOnline();
    await this.request(command);
    // Kept only for a fault code, which says nothing of the mode; any other code the
    // controller reports back wins (an unknown one counts as awake).
    this.mode = mode;
    // Read the state back: `$AT` may be suppressed (or lost).
    await this.refreshState();
  }

  async setCurrentLimit(amps: number): Promise<void> {
    this.assertOnline();
    if (!Number.isFinite(amps) || amps < MIN_CURRENT_A) throw new RangeError(`current limit must be at least ${MIN_CURRENT_A} A, got ${amps}`);
    // Like the simulated controller, a limit above the controller's capacity is cut to it.
    const limit = Math.min(Math.floor(amps), this.maxCurrentA);
    // 'V': volatile, kept out of the EEPROM (which wears out, and would survive a reboot).
    const reply = await this.request('SC', [limit, 'V']);
    const applied = Number(reply[0]);
    this.raw.currentA = Number.isInteger(applied) ? applied : limit;
    this.refreshView(false);
  }

  async status(): Promise<ChargerStatus> {
    this.assertOnline();
    await this.refreshState();
    await this.readMeter({ internal: false });
    return this.snapshot();
  }

  private async refreshState(): Promise<void> {
    this.applyGetState(await this.exchange('GS', [], { internal: false }));
  }

  /** Takes in a `$GV` reply: the versions, and the firmware's profile that follows from them. */
  private learnVersion(reply: Reply): void {
    const version = parseVersion(reply.params);
    if (version) {
      this.firmware = version.firmware;
      this.rapiVersion = version.rapi;
    }
    this.profile = rapiProfile(version);
    if (!this.profile.known) this.noteUnreadable('$GV', reply.frame, 'charger controller firmware not known; assuming the stock OpenEVSE formats');
  }

  /** Logs, once per kind, what the controller sent that the driver cannot read, with the frame. */
  private noteUnreadable(kind: string, frame: string, message = 'charger controller sent a reply the driver cannot read; ignored'): void {
    if (this.unknownLogged.has(kind)) return;
    this.unknownLogged.add(kind);
    this.log?.warn({ kind, frame, firmware: this.firmware, rapi: this.rapiVersion }, message);
  }

  /**
   * Session limits the controller holds by itself, a backstop should the kiosk die
   * (`$SH` kWh, `$S3` 15-minute units; only some firmware builds, only with a car
   * connected, cleared when it leaves). Resolves true if every limit asked for was taken.
   */
  async setSessionLimits(limits: RapiSessionLimits): Promise<boolean> {
    this.assertOnline();
    let accepted = true;
    const send = async (supported: boolean, command: string, value: number): Promise<void> => {
      if (!supported || !(value >= 0) || value > 255) {
        accepted = false;
        return;
      }
      try {
        await this.request(command, [value]);
      } catch (error) {
        if (!(error instanceof RapiNakError)) throw error;
        accepted = false;
      }
    };
    if (limits.energyWh !== undefined) await send(this.supports.energyLimit, 'SH', Math.ceil(limits.energyWh / 1000));
    if (limits.seconds !== undefined) await send(this.supports.timeLimit, 'S3', Math.ceil(limits.seconds / 900));
    return accepted;
  }

  subscribe(listener: (event: ChargerEvent) => void): () => void {
    if (this.link === 'closed') return () => {};
    return this.events.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.link === 'closed') return;
    const stream = this.stream;
    this.stopSampling();
    this.stopHeartbeat();
    this.stopProbing();
    const error = new DeviceUnavailableError('RAPI controller is closed');
    const jobs = [...(this.inflight ? [this.inflight] : []), ...this.queue];
    if (this.inflight?.timer != null) this.linkClock.clearTimeout(this.inflight.timer);
    this.inflight = null;
    this.queue = [];
    this.link = 'closed';
    this.release();
    for (const job of jobs) job.reject(error);
    this.events.close();
    if (stream && this.destroyStreamOnClose) stream.destroy();
    await this.onClose?.();
  }

  private assertOnline(): void {
    if (this.link === 'closed') throw new DeviceUnavailableError('RAPI controller is closed');
    if (this.offlineReported) throw new DeviceUnavailableError(`charger controller offline: ${this.offlineReason}`);
  }

}

/** For optional probes: a `$NK` reads as `fallback`, anything else is thrown on. */
function nakAs<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    if (error instanceof RapiNakError) return fallback;
    throw error;
  };
}

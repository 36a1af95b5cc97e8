// A simulated charger controller modelled on OpenEVSE: boots enabled, closes its relay
// shortly after a car asks for energy, opens it a little after being put to sleep,
// cannot see the plug while disabled, and meters the energy it lets through. It stands
// for hardware that goes on running while the kiosk restarts, so its state lives in a
// file and a new instance catches up on the time that passed.
//
// The model runs on model time (`accruedAt`, the moment up to which energy has been
// integrated) and moves forward only through `advanceTo`, which applies the timed
// transitions (relay closing, relay opening after a stop delay, the car getting full)
// in the order they fall due. Clock timers only call `advanceTo`; restoring from a file
// calls it once over the whole gap. So the same rules decide what happens whether the
// kiosk watched or not.
import { z } from 'zod';
import type { Clock, TimerHandle } from '../clock.js';
import { EventOutbox } from '../event-outbox.js';
import { JsonStateFile } from '../sim-state.js';
import { DeviceUnavailableError } from '../device-errors.js';
import type {
  ChargerController,
  ChargerEvent,
  ChargerInfo,
  ChargerMode,
  ChargerStatus,
  PilotState,
} from './charger-port.js';

export interface SimulatedChargerOptions {
  clock: Clock;
  /** Where the controller's state survives a kiosk restart; null or absent: memory only. */
  stateFile?: string | null;
  /** Highest current the controller allows, A per phase; also the limit after boot. */
  maxCurrentA: number;
  voltageV: number;
  phases: 1 | 3;
  /** Most the simulated car draws, A per phase. */
  vehicleMaxCurrentA: number;
  /** Energy the car takes in one plug-in before it is full, Wh. */
  vehicleCapacityWh: number;
  /** Interval of 'meter' events while a vehicle is connected, ms. */
  sampleIntervalMs: number;
  /** Time from sleep() until the relay opens, ms (the car is asked to stop first). */
  stopDelayMs?: number;
}

/** Time from the car asking for energy until the relay is closed, ms. */
export const RELAY_CLOSE_DELAY_MS = 300;
/** While the meter runs, its reading reaches the state file at least this often, ms. */
const PERSIST_INTERVAL_MS = 2000;
/** J1772 lowest pilot current. */
const MIN_CURRENT_A = 6;
const FIRMWARE = 'sim-1.0';
const WMS_PER_WH = 3_600_000;

const PersistedCharger = z.object({
  version: z.literal(1),
  /** Model time the rest of the record describes. */
  savedAt: z.number(),
  /** The meter, W·ms. */
  meterWms: z.number().nonnegative(),
  mode: z.enum(['enabled', 'sleeping', 'disabled']),
  currentLimitA: z.number().positive(),
  /** The plug as it physically is. */
  plugged: z.boolean(),
  /** The plug as the controller last saw it (frozen while disabled). */
  seenConnected: z.boolean(),
  fault: z.string().nullable(),
  relayClosed: z.boolean(),
  vehicleFull: z.boolean(),
  /** Energy into the car since it was plugged in, W·ms. */
  sessionWms: z.number().nonnegative(),
  closeAt: z.number().nullable(),
  openAt: z.number().nullable(),
});
type PersistedCharger = z.infer<typeof PersistedCharger>;

type Transition = { at: number; kind: 'close' | 'open' | 'full' };

export class SimulatedCharger implements ChargerController {
  private readonly clock: Clock;
  private readonly maxCurrentA: number;
  private readonly voltageV: number;
  private readonly phases: 1 | 3;
  private readonly vehicleMaxCurrentA: number;
  private readonly capacityWms: number;
  private readonly sampleIntervalMs: number;
  private readonly stopDelayMs: number;
  private readonly file: JsonStateFile<PersistedCharger | null>;
  /** Events of the step under way, delivered once the state is consistent and saved. */
  private readonly events = new EventOutbox<ChargerEvent>();
  private closed = false;
  private dirty = false;

  // The controller.
  private mode: ChargerMode = 'enabled';
  private currentLimitA: number;
  private seenConnected = false;
  private fault: string | null = null;
  private relayClosed = false;
  private closeAt: number | null = null;
  private openAt: number | null = null;
  // The car and the cable.
  private plugged = false;
  private vehicleFull = false;
  private sessionWms = 0;
  // Energy is kept in W·ms (mJ), not rounded Wh: whole watts over whole milliseconds
  // give whole numbers, so the sums are exact, and a model replayed over a restart gap
  // reads the same to the last digit as one that ran through it. Billed in whole Wh.
  private meterWms = 0;
  private accruedAt: number;

  private wakeTimer: TimerHandle | null = null;
  private wakeAt: number | null = null;
  private sampleTimer: TimerHandle | null = null;
  private bootTimer: TimerHandle | null = null;
  private lastSavedAt = Number.NEGATIVE_INFINITY;

  constructor(options: SimulatedChargerOptions) {
    const { clock } = options;
    if (!(options.maxCurrentA >= MIN_CURRENT_A)) throw new RangeError(`maxCurrentA must be >= ${MIN_CURRENT_A}`);
    if (!(options.voltageV > 0)) throw new RangeError('voltageV must be > 0');
    if (options.phases !== 1 && options.phases !== 3) throw new RangeError('phases must be 1 or 3');
    if (!(options.vehicleMaxCurrentA > 0)) throw new RangeError('vehicleMaxCurrentA must be > 0');
    if (!(options.vehicleCapacityWh > 0)) throw new RangeError('vehicleCapacityWh must be > 0');
    if (!(options.sampleIntervalMs > 0)) throw new RangeError('sampleIntervalMs must be > 0');
    const stopDelayMs = options.stopDelayMs ?? 1000;
    if (!(stopDelayMs >= 0)) throw new RangeError('stopDelayMs must be >= 0');

    this.clock = clock;
    this.maxCurrentA = Math.floor(options.maxCurrentA);
    this.voltageV = options.voltageV;
    this.phases = options.phases;
    this.vehicleMaxCurrentA = options.vehicleMaxCurrentA;
    this.capacityWms = options.vehicleCapacityWh * WMS_PER_WH;
    this.sampleIntervalMs = options.sampleIntervalMs;
    this.stopDelayMs = stopDelayMs;
    this.currentLimitA = this.maxCurrentA;
    this.file = new JsonStateFile(options.stateFile ?? null, PersistedCharger.nullable(), null, { now: () => clock.now() });

    const now = clock.now();
    this.accruedAt = now;
    const saved = this.file.load();
    if (saved) {
      // The controller never stopped: take its state as saved and let the model run
      // over the time the kiosk was away (nobody is subscribed yet to hear about it).
      this.restore(saved, now);
      this.advanceTo(now);
      this.events.clear();
    } else {
      // Power-on: comes up enabled and says so, once someone can listen.
      this.bootTimer = clock.setTimeout(() => {
        this.bootTimer = null;
        if (this.closed) return;
        this.events.push({ type: 'boot' });
        this.pushStatus();
        this.events.flush();
      }, 0);
    }
    this.dirty = true;
    this.commit();
  }

  // ---- ChargerController ----

  async info(): Promise<ChargerInfo> {
    this.assertOpen();
    return {
      firmware: FIRMWARE,
      maxCurrentA: this.maxCurrentA,
      voltageV: this.voltageV,
      backstop: { energy: false, time: false },
    };
  }

  async enable(): Promise<void> {
    this.operate(() => this.setMode('enabled'));
  }

  async sleep(): Promise<void> {
    this.operate(() => this.setMode('sleeping'));
  }

  async disable(): Promise<void> {
    this.operate(() => this.setMode('disabled'));
  }

  async setCurrentLimit(amps: number): Promise<void> {
    this.assertOpen();
    if (!Number.isFinite(amps) || amps < MIN_CURRENT_A) {
      throw new RangeError(`current limit must be at least ${MIN_CURRENT_A} A, got ${amps}`);
    }
    // Like the firmware, a limit above the controller's capacity is cut to it.
    const limit = Math.min(Math.floor(amps), this.maxCurrentA);
    this.operate(() => {
      this.currentLimitA = limit;
    });
  }

  async status(): Promise<ChargerStatus> {
    this.assertOpen();
    this.sync();
    return this.snapshot();
  }

  subscribe(listener: (event: ChargerEvent) => void): () => void {
    if (this.closed) return () => {};
    return this.events.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.advanceTo(this.clock.now());
    this.events.clear();
    this.save();
    for (const timer of [this.wakeTimer, this.sampleTimer, this.bootTimer]) {
      if (timer !== null) this.clock.clearTimeout(timer);
    }
    this.wakeTimer = this.sampleTimer = this.bootTimer = null;
    this.wakeAt = null;
    this.closed = true;
    this.events.close();
  }

  // ---- Simulation controls (the car, the cable, the hardware) ----

  /** The driver plugs the cable into the car (true) or takes it out (false). */
  simPlug(plugged: boolean): void {
    this.operate(() => {
      if (plugged === this.plugged) return;
      this.plugged = plugged;
      if (!plugged) {
        // The next plug-in is a car with room for a full charge again.
        this.vehicleFull = false;
        this.sessionWms = 0;
        this.reconcile(); // the car has gone: the relay opens now, before we report the unplug
      }
      // A disabled controller holds the pilot at -12 V and cannot see the car.
      if (this.mode !== 'disabled') this.sense();
      this.reconcile();
    });
  }

  /** A ground-fault trips (true) or is cleared by the technician (false). */
  simFault(fault: boolean): void {
    this.operate(() => {
      if (fault && this.fault === null) {
        this.fault = 'gfci';
        this.events.push({ type: 'faultRaised', fault: 'gfci' });
      } else if (!fault && this.fault !== null) {
        this.fault = null;
        this.events.push({ type: 'faultCleared' });
      }
      this.reconcile();
    });
  }

  /** The car's battery is full now: it stops drawing (pilot C → B). */
  simVehicleFull(): void {
    this.operate(() => {
      if (!this.plugged || this.vehicleFull) return;
      this.vehicleFull = true;
      this.reconcile();
    });
  }

  /**
   * Power cycle: the relay drops, and the controller boots enabled at full current,
   * whatever it was told before. A fault whose cause is still there (simFault(true)
   * not cleared) is found again by the self-test at boot, so it stays.
   */
  reset(): void {
    this.operate(() => {
      if (this.relayClosed) {
        this.relayClosed = false;
        this.events.push({ type: 'chargingStopped', vehicleConnected: this.plugged });
      }
      this.closeAt = this.openAt = null;
      this.mode = 'enabled';
      this.currentLimitA = this.maxCurrentA; // a limit set over RAPI is not kept across a reboot
      this.events.push({ type: 'boot' });
      this.sense();
      this.reconcile();
    });
  }

  /** The physical truth, for a sim panel and tests. `meterWs` is the meter before rounding to Wh. */
  simState(): { plugged: boolean; fault: boolean; charging: boolean; meterWs: number } {
    this.assertOpen();
    this.sync();
    return { plugged: this.plugged, fault: this.fault !== null, charging: this.relayClosed, meterWs: this.meterWms / 1000 };
  }

  // ---- The model ----

  private powerW(): number {
    if (!this.relayClosed) return 0;
    return Math.min(this.currentLimitA, this.vehicleMaxCurrentA) * this.voltageV * this.phases;
  }

  /** Integrates the power up to model time `t`. Energy only ever adds, so the meter is monotonic. */
  private accrue(t: number): void {
    const dt = t - this.accruedAt;
    if (dt <= 0) return;
    this.accruedAt = t;
    const power = this.powerW();
    if (power <= 0) return;
    const room = Math.max(0, this.capacityWms - this.sessionWms);
    let delta = power * dt;
    if (delta >= room) {
      // The car takes no more than its battery holds, even over a long gap.
      delta = room;
      this.sessionWms = this.capacityWms;
    } else {
      this.sessionWms += delta;
    }
    this.meterWms += delta;
  }

  private nextTransition(): Transition | null {
    const candidates: Transition[] = [];
    // 'full' first: at a tie with a delayed stop the car is full, and the stop is moot.
    const power = this.powerW();
    if (power > 0) {
      const room = this.capacityWms - this.sessionWms;
      // Rounded up so that by then the whole room has been integrated.
      const at = room <= 0 ? this.accruedAt : this.accruedAt + Math.ceil(room / power);
      candidates.push({ at, kind: 'full' });
    }
    if (this.openAt !== null) candidates.push({ at: this.openAt, kind: 'open' });
    if (this.closeAt !== null) candidates.push({ at: this.closeAt, kind: 'close' });
    let next: Transition | null = null;
    for (const candidate of candidates) if (next === null || candidate.at < next.at) next = candidate;
    return next;
  }

  /** Runs the model up to `t`, applying each timed transition at its own moment. */
  private advanceTo(t: number): void {
    for (;;) {
      const next = this.nextTransition();
      if (next === null || next.at > t) break;
      this.accrue(next.at);
      if (next.kind === 'close') {
        this.closeAt = null;
        this.relayClosed = true;
        this.events.push({ type: 'chargingStarted' });
      } else if (next.kind === 'open') {
        this.openAt = null;
        this.relayClosed = false;
        this.events.push({ type: 'chargingStopped', vehicleConnected: this.plugged });
      } else {
        this.vehicleFull = true;
        this.sessionWms = this.capacityWms;
      }
      this.reconcile();
      this.pushStatus();
      this.dirty = true;
    }
    this.accrue(t);
  }

  /**
   * Brings the relay in line with what the controller wants, at model time. Closing
   * takes RELAY_CLOSE_DELAY_MS; opening is immediate except when the only reason is
   * sleep, when the car gets stopDelayMs to stop drawing first (and keeps drawing).
   */
  private reconcile(): void {
    const now = this.accruedAt;
    const carWants = this.plugged && !this.vehicleFull && this.fault === null;
    const wanted = this.mode === 'enabled' && this.seenConnected && carWants;
    if (this.relayClosed) {
      if (wanted) {
        this.openAt = null; // enabled again within the stop delay: it never opened
      } else if (this.mode === 'sleeping' && carWants) {
        this.openAt ??= now + this.stopDelayMs;
      } else {
        this.relayClosed = false;
        this.openAt = null;
        this.events.push({ type: 'chargingStopped', vehicleConnected: this.plugged });
      }
    } else {
      this.openAt = null;
      this.closeAt = wanted ? (this.closeAt ?? now + RELAY_CLOSE_DELAY_MS) : null;
    }
  }

  /** The controller reads the pilot again and reports a plug it had not seen. */
  private sense(): void {
    if (this.seenConnected === this.plugged) return;
    this.seenConnected = this.plugged;
    this.events.push({ type: this.plugged ? 'vehiclePlugged' : 'vehicleUnplugged' });
  }

  private setMode(mode: ChargerMode): void {
    if (mode === this.mode) return;
    const wasDisabled = this.mode === 'disabled';
    this.mode = mode;
    if (wasDisabled) this.sense();
    this.reconcile();
  }

  private pilot(): PilotState {
    // A fault and a disabled controller put -12 V (state F) on the pilot, which the
    // port has no letter for.
    if (this.fault !== null || this.mode === 'disabled') return 'unknown';
    if (this.relayClosed) return 'C';
    return this.seenConnected ? 'B' : 'A';
  }

  private snapshot(): ChargerStatus {
    return {
      online: !this.closed,
      mode: this.mode,
      pilot: this.pilot(),
      vehicleConnected: this.seenConnected,
      relayClosed: this.relayClosed,
      fault: this.fault,
      meterWh: Math.floor(this.meterWms / WMS_PER_WH),
      powerW: this.powerW(),
      currentLimitA: this.currentLimitA,
    };
  }

  // ---- Plumbing: operations, timers, persistence, events ----

  private assertOpen(): void {
    if (this.closed) throw new DeviceUnavailableError('simulated charger is closed');
  }

  /** One command or sim action: catch up to now, change, report, save. */
  private operate(change: () => void): void {
    this.assertOpen();
    this.advanceTo(this.clock.now());
    const before = JSON.stringify(this.snapshot());
    const kept = this.keptState();
    const queued = this.events.pending;
    change();
    if (this.events.pending > queued || JSON.stringify(this.snapshot()) !== before) this.pushStatus();
    // Saved when the change reaches the file, even when nothing visible changed: a plug-in
    // the disabled controller cannot see is still a car at the socket after a restart.
    // A command that changes nothing (the station puts a sleeping controller to sleep
    // again on each screen it shows) writes nothing: the file's older time replays to the
    // same state (the timeline is deterministic), so no write sits on the command path.
    // A change is on disk (write, then rename) before the command answers.
    if (this.keptState() !== kept) this.dirty = true;
    this.commit();
  }

  /** Catches up to now for a read; saves and reports only if something happened meanwhile. */
  private sync(): void {
    this.advanceTo(this.clock.now());
    this.commit();
  }

  private pushStatus(): void {
    this.events.push({ type: 'status', status: this.snapshot() });
  }

  /** Saves what changed, arms the timers the new state needs, then tells the listeners. */
  private commit(): void {
    if (this.dirty) this.save();
    this.armWake();
    this.armSampler();
    this.events.flush();
  }

  /** What the file keeps beyond the timeline (the time, the meter and the energy that follow from it). */
  private keptState(): string {
    return JSON.stringify([this.mode, this.currentLimitA, this.plugged, this.seenConnected, this.fault, this.relayClosed, this.vehicleFull, this.closeAt, this.openAt]);
  }

  private save(): void {
    this.file.save({
      version: 1,
      savedAt: this.accruedAt,
      meterWms: this.meterWms,
      mode: this.mode,
      currentLimitA: this.currentLimitA,
      plugged: this.plugged,
      seenConnected: this.seenConnected,
      fault: this.fault,
      relayClosed: this.relayClosed,
      vehicleFull: this.vehicleFull,
      sessionWms: this.sessionWms,
      closeAt: this.closeAt,
      openAt: this.openAt,
    });
    this.dirty = false;
    this.lastSavedAt = this.clock.now();
  }

  private restore(saved: PersistedCharger, now: number): void {
    // A clock behind the saved time (a test clock, a clock set back) must not make
    // the model wait for the past: move the saved timeline back to now.
    const shift = Math.min(0, now - saved.savedAt);
    this.accruedAt = saved.savedAt + shift;
    this.meterWms = saved.meterWms;
    this.mode = saved.mode;
    this.currentLimitA = Math.min(saved.currentLimitA, this.maxCurrentA);
    this.plugged = saved.plugged;
    this.seenConnected = saved.seenConnected;
    this.fault = saved.fault;
    this.relayClosed = saved.relayClosed;
    this.vehicleFull = saved.vehicleFull;
    this.sessionWms = Math.min(saved.sessionWms, this.capacityWms);
    this.closeAt = saved.closeAt === null ? null : saved.closeAt + shift;
    this.openAt = saved.openAt === null ? null : saved.openAt + shift;
    // A file written under other options (or edited) is brought in line with the rules.
    this.reconcile();
    this.events.clear();
  }

  /** One clock timer, for the next timed transition. */
  private armWake(): void {
    const next = this.closed ? null : this.nextTransition();
    const at = next?.at ?? null;
    if (at === this.wakeAt) return;
    if (this.wakeTimer !== null) this.clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.wakeAt = at;
    if (at === null) return;
    this.wakeTimer = this.clock.setTimeout(() => {
      this.wakeTimer = null;
      this.wakeAt = null;
      if (this.closed) return;
      this.sync();
    }, Math.max(0, at - this.clock.now()));
  }

  /** A chain of meter samples while the controller sees a vehicle. */
  private armSampler(): void {
    const wanted = !this.closed && this.seenConnected;
    if (!wanted && this.sampleTimer !== null) {
      this.clock.clearTimeout(this.sampleTimer);
      this.sampleTimer = null;
    } else if (wanted && this.sampleTimer === null) {
      this.sampleTimer = this.clock.setTimeout(() => this.sample(), this.sampleIntervalMs);
    }
  }

  private sample(): void {
    this.sampleTimer = null;
    if (this.closed) return;
    this.advanceTo(this.clock.now());
    if (this.seenConnected) {
      this.events.push({ type: 'meter', meterWh: Math.floor(this.meterWms / WMS_PER_WH), powerW: this.powerW() });
      if (this.clock.now() - this.lastSavedAt >= PERSIST_INTERVAL_MS) this.dirty = true;
    }
    this.commit();
  }

}

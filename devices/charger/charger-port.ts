// The port the brain uses to drive a charger controller (one per connector).
// Implementations: the simulated controller now, the OpenEVSE RAPI driver later.

/** SAE J1772 / IEC 61851 pilot states; 'unknown' for codes a controller reports that we do not know. */
export type PilotState = 'A' | 'B' | 'C' | 'D' | 'unknown';

/** enabled: charges a car that asks; sleeping: pilot +12 V, plug/unplug still seen, no energy;
 *  disabled: pilot -12 V, nothing seen (out of service and faults only). */
export type ChargerMode = 'enabled' | 'sleeping' | 'disabled';

export interface ChargerStatus {
  online: boolean;
  mode: ChargerMode;
  pilot: PilotState;
  vehicleConnected: boolean;
  /** Contactor closed: energy can flow. */
  relayClosed: boolean;
  /** A fault the controller reports (e.g. 'gfci', 'noGround'), or null. */
  fault: string | null;
  /** Meter reading, Wh, monotonic across sessions (the billing source for now). */
  meterWh: number;
  powerW: number;
  currentLimitA: number;
}

export type ChargerEvent =
  | { type: 'status'; status: ChargerStatus }
  | { type: 'meter'; meterWh: number; powerW: number }
  | { type: 'vehiclePlugged' }
  | { type: 'vehicleUnplugged' }
  | { type: 'chargingStarted' }
  /** The relay opened; `vehicleConnected` is false when it opened because the car was unplugged. */
  | { type: 'chargingStopped'; vehicleConnected: boolean }
  | { type: 'faultRaised'; fault: string }
  | { type: 'faultCleared' }
  /** The controller (re)booted: it comes up enabled, whatever it was told before. */
  | { type: 'boot' }
  | { type: 'offline'; reason: string }
  | { type: 'online' };

export interface ChargerInfo {
  firmware: string;
  /** The protocol version the controller speaks (RAPI's, from `$GV`), where it says. */
  protocol?: string | null;
  maxCurrentA: number;
  voltageV: number;
  /** Whether the controller can hold session limits itself ($SH / $S3 on RAPI). */
  backstop: { energy: boolean; time: boolean };
}

export interface ChargerController {
  info(): Promise<ChargerInfo>;
  enable(): Promise<void>;
  sleep(): Promise<void>;
  disable(): Promise<void>;
  setCurrentLimit(amps: number): Promise<void>;
  /**
   * The controller's own session limits (RAPI `$SH` energy, `$S3` time), where its
   * firmware has them: a best-effort backstop behind the kiosk's own enforcement.
   * Resolves false when the controller cannot hold them.
   */
  setSessionLimits?(limits: { energyWh?: number; seconds?: number }): Promise<boolean>;
  status(): Promise<ChargerStatus>;
  /** Events, including a 'meter' sample at the controller's sample rate while a vehicle is connected. */
  subscribe(listener: (event: ChargerEvent) => void): () => void;
  close(): Promise<void>;
}

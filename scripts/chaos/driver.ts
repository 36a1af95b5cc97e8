// Random drivers for the chaos harness: each tick reads the kiosk's snapshot and, for
// every connector, maybe does what a driver (or a car, or the hardware) could do in
// that phase: start, pay, have the card declined, cancel, plug in, stop with the stop
// code, unplug, let the car become full, raise and clear a fault, take a receipt. It
// acts on what the snapshot shows, not on a script, so it carries on across kills.
import type { ConnectorView, Snapshot } from '../../electron/contract/index.js';
import type { KioskChild } from './kiosk-child.js';

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CARD_OUTCOMES = [
  ['approve', 0.8],
  ['decline', 0.1],
  ['insufficientFunds', 0.05],
  ['timeout', 0.05],
] as const;

export class ChaosDriver {
  /** Stop codes seen on the screen, by session. */
  private readonly stopCodes = new Map<string, string>();
  /** Sessions seen with a payment under way or done. */
  readonly paidSessions = new Set<string>();
  /** When false, no new session is started: the station winds down. */
  starting = true;
  actions = 0;

  constructor(
    private readonly kiosk: KioskChild,
    private readonly random: () => number,
  ) {}

  private chance(p: number): boolean {
    return this.random() < p;
  }

  private pick<T>(weighted: readonly (readonly [T, number])[]): T {
    let r = this.random();
    for (const [value, weight] of weighted) {
      if (r < weight) return value;
      r -= weight;
    }
    return weighted[weighted.length - 1]![0];
  }

  /** One look at the station and a few actions. Errors (a kiosk being killed) are the harness's business, not the driver's. */
  async tick(): Promise<Snapshot | null> {
    const snapshot = await this.kiosk.snapshot().catch(() => null);
    if (!snapshot) return null;
    for (const connector of snapshot.connectors) {
      this.note(connector);
      await this.act(snapshot, connector).catch(() => {});
    }
    return snapshot;
  }

  private note(connector: ConnectorView): void {
    const session = connector.session;
    if (!session) return;
    if (session.stopCode) this.stopCodes.set(session.id, session.stopCode);
    if (['awaitingVehicle', 'charging', 'parked', 'settling'].includes(connector.phase)) this.paidSessions.add(session.id);
  }

  private plugged(snapshot: Snapshot, connectorId: number): boolean {
    return snapshot.sim?.chargers?.find((c) => c.connectorId === connectorId)?.plugged ?? false;
  }

  private faulted(snapshot: Snapshot, connectorId: number): boolean {
    return snapshot.sim?.chargers?.find((c) => c.connectorId === connectorId)?.fault ?? false;
  }

  private async command(body: object): Promise<void> {
    this.actions++;
    await this.kiosk.command(body);
  }

  private async sim(body: object): Promise<void> {
    this.actions++;
    await this.kiosk.sim(body);
  }

  private async act(snapshot: Snapshot, connector: ConnectorView): Promise<void> {
    const connectorId = connector.id;
    const session = connector.session;
    const plugged = this.plugged(snapshot, connectorId);
    // Hardware first: a fault is cleared after a while, a car left plugged in goes.
    if (this.faulted(snapshot, connectorId)) {
      if (this.chance(0.2)) await this.sim({ type: 'fault', connectorId, fault: false });
      return;
    }
    switch (connector.phase) {
      case 'available':
        if (plugged && this.chance(this.starting ? 0.1 : 0.5)) return this.sim({ type: 'plug', connectorId, plugged: false });
        if (this.starting && (snapshot.focus === null || snapshot.focus === connectorId) && this.chance(0.3)) return this.command({ type: 'selectConnector', connectorId });
        return;
      case 'choosingPayment':
        if (!this.starting || this.chance(0.05)) return this.command({ type: 'cancel', connectorId });
        if (this.chance(0.5)) {
          await this.sim({ type: 'cardOutcome', outcome: this.pick(CARD_OUTCOMES) });
          return this.command({ type: 'choosePayment', connectorId, method: 'card' });
        }
        return;
      case 'authorizing':
        if (this.chance(0.02)) return this.command({ type: 'cancel', connectorId });
        return;
      case 'declined':
        if (this.starting && this.chance(0.3)) {
          await this.sim({ type: 'cardOutcome', outcome: 'approve' });
          return this.command({ type: 'retryPayment', connectorId });
        }
        if (this.chance(0.2)) return this.command({ type: 'cancel', connectorId });
        return;
      case 'awaitingVehicle':
        if (this.chance(0.03)) return this.command({ type: 'cancel', connectorId });
        if (!plugged && this.chance(0.4)) return this.sim({ type: 'plug', connectorId, plugged: true });
        return;
      case 'charging': {
        if (session?.stopCode && this.chance(0.3)) return this.command({ type: 'ackStopCode', connectorId });
        const wind = this.starting ? 1 : 5; // winding down: end sessions sooner
        const code = session ? this.stopCodes.get(session.id) : undefined;
        if (code && this.chance(0.03 * wind)) return this.command({ type: 'stop', connectorId, code });
        if (this.chance(0.015 * wind)) return this.sim({ type: 'plug', connectorId, plugged: false });
        if (this.chance(0.01)) return this.sim({ type: 'vehicleFull', connectorId });
        if (this.starting && this.chance(0.005)) return this.sim({ type: 'fault', connectorId, fault: true });
        return;
      }
      case 'parked':
        if (this.chance(this.starting ? 0.1 : 0.5)) return this.sim({ type: 'plug', connectorId, plugged: false });
        return;
      case 'summary':
        if (this.chance(0.3)) {
          if (connector.lastSummary?.receipt === 'pending' && this.chance(0.5)) return this.command({ type: 'chooseReceipt', connectorId, receipt: this.chance(0.5) ? 'print' : 'qr' });
          return this.command({ type: 'closeSummary', connectorId });
        }
        return;
      case 'fault':
      case 'outOfService':
        if (plugged && this.chance(0.2)) return this.sim({ type: 'plug', connectorId, plugged: false });
        return;
      default:
        return; // starting, settling: the kiosk is at work
    }
  }
}

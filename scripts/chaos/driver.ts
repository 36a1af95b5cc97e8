// Random drivers for the chaos harness: each tick reads the kiosk's snapshot and, for
// every connector, maybe does what a driver (or a car, or the hardware) could do in
// that phase: start, pay (the card approved, declined, asking for a PIN, removed, timed
// out, the terminal busy, a late approval) or hold a station RFID card to the reader
// (prepaid, on account, refused), cancel, plug in, stop with the stop code or the same
// station card, unplug, let the car become full, raise and clear a fault, take a receipt. It
// acts on what the snapshot shows, not on a script, so it carries on across kills. Now and
// then a technician logs in on the screen's WebSocket and runs a relay test on a connector
// nobody uses (available, no car plugged in), which the drivers leave alone meanwhile.
import type { ConnectorView, Snapshot, TechSession } from '../../electron/contract/index.js';
import type { KioskChild } from './kiosk-child.js';
import type { TerminalProtocol } from './rules.js';

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

/**
 * What the card does next (`/api/sim` cardOutcome), by terminal, weighted so that
 * approvals dominate. The ZVT simulator's behaviours: 'pin' asks for the PIN and then
 * approves; 'lateApproval' refuses an abort and approves later (the driver then often
 * cancels while it authorises, so that the late approval has to be reversed); 'busy'
 * refuses the request; 'cardRemoved' and 'timeout' abort it.
 */
export const CARD_OUTCOMES = {
  zvt: [
    ['approve', 0.66],
    ['pin', 0.08],
    ['lateApproval', 0.06],
    ['decline', 0.05],
    ['insufficientFunds', 0.03],
    ['cardExpired', 0.03],
    ['timeout', 0.03],
    ['cardRemoved', 0.03],
    ['busy', 0.03],
  ],
  generic: [
    ['approve', 0.8],
    ['decline', 0.1],
    ['insufficientFunds', 0.05],
    ['timeout', 0.05],
  ],
} as const satisfies Record<TerminalProtocol, readonly (readonly [string, number])[]>;

export type CardOutcome = (typeof CARD_OUTCOMES)[TerminalProtocol][number][0];

/**
 * The sim-mode demo cards a driver holds to the RFID reader instead of paying by bank card
 * (electron/accounts/demo-accounts.ts), weighted: mostly the prepaid one (topped up by the
 * harness as it runs low), some on account, a few the station refuses.
 */
export const STATION_CARDS = [
  ['04A1B2C3D4E5F6', 0.7], // Demo prepaid
  ['1C78F2BF', 0.15], // Demo fleet, on account
  ['04D5E6F7A8B9C0', 0.05], // Demo empty
  ['13005D1DA5', 0.05], // Demo blocked
  ['0A0B0C0D', 0.05], // no account
] as const;

/** How often a tick starts a technician's relay test (when none is under way): a few times a run. */
const RELAY_TEST_CHANCE = 0.0025;

/** What became of the relay tests the technician asked for. */
export interface RelayTestRequests {
  asked: number;
  /** The kiosk ran the test and answered. */
  answered: number;
  /** The kiosk refused the login or the test, by `<command>: <reason>`. */
  refused: Record<string, number>;
  /** The kiosk went away (killed) before it answered. */
  lost: number;
}

export class ChaosDriver {
  /** Stop codes seen on the screen, by session. */
  private readonly stopCodes = new Map<string, string>();
  /** Sessions seen with a payment under way or done. */
  readonly paidSessions = new Set<string>();
  /** When false, no new session is started: the station winds down. */
  starting = true;
  actions = 0;
  /** Card outcomes of the payments the kiosk started, by outcome. */
  readonly outcomes: Partial<Record<CardOutcome, number>> = {};
  /** Station cards held to the reader, by UID. */
  readonly tags: Record<string, number> = {};
  /** The station card each connector's driver held to the reader last, and the session it paid for once seen. */
  private readonly cardOf = new Map<number, string>();
  private readonly cardOfSession = new Map<string, string>();
  /** Per connector, the outcome set before a payment command the kiosk accepted, and the phase it was given in, until the payment is seen under way. */
  private readonly asked = new Map<number, { outcome: CardOutcome; from: ConnectorView['phase'] }>();
  /**
   * Per connector, whether the driver gives up while its payment is authorising: decided
   * once per payment, so that how often it happens does not depend on how long the
   * terminal takes (a ZVT reservation is a dozen messages).
   */
  private readonly cancelWhileAuthorizing = new Map<number, boolean>();
  /** The connector of the relay test asked for and not answered yet: no driver touches it meanwhile. */
  private relayTestOn: number | null = null;
  readonly relayTests: RelayTestRequests = { asked: 0, answered: 0, refused: {}, lost: 0 };

  /** `technicianPin`: the PIN of a technician in the kiosk's store, for relay tests; null: none. */
  constructor(
    private readonly kiosk: KioskChild,
    private readonly random: () => number,
    private readonly protocol: TerminalProtocol = 'zvt',
    private readonly technicianPin: string | null = null,
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
    if (this.starting && this.chance(RELAY_TEST_CHANCE)) this.startRelayTest(snapshot);
    for (const connector of snapshot.connectors) {
      this.note(connector);
      if (connector.id !== this.relayTestOn) await this.act(snapshot, connector).catch(() => {});
    }
    return snapshot;
  }

  get relayTestUnderWay(): boolean {
    return this.relayTestOn !== null;
  }

  /**
   * A technician logs in on a screen connection of their own and runs a relay test on a
   * connector nobody uses: available, no session, no car plugged in, no fault. Not
   * awaited (the harness watches the charger meanwhile); the drivers leave that connector
   * alone until the kiosk answers or goes away. Returns whether a test was asked for.
   */
  startRelayTest(snapshot: Snapshot): boolean {
    if (this.technicianPin === null || this.relayTestOn !== null) return false;
    const idle = snapshot.connectors.filter((c) => c.phase === 'available' && !c.session && !this.plugged(snapshot, c.id) && !this.faulted(snapshot, c.id) && !this.asked.has(c.id));
    if (idle.length === 0) return false;
    const connectorId = idle[Math.floor(this.random() * idle.length)]!.id;
    this.relayTestOn = connectorId;
    this.relayTests.asked++;
    void this.relayTest(connectorId, this.technicianPin).finally(() => (this.relayTestOn = null));
    return true;
  }

  private async relayTest(connectorId: number, pin: string): Promise<void> {
    const refused = (command: string, error: { code: string; reason?: string }) => {
      const key = `${command}: ${error.reason ?? error.code}`;
      this.relayTests.refused[key] = (this.relayTests.refused[key] ?? 0) + 1;
    };
    const socket = await this.kiosk.techSocket().catch(() => null);
    if (!socket) {
      this.relayTests.lost++;
      return;
    }
    try {
      const login = await socket.request({ command: { type: 'login', pin } });
      if (!login.ok) return refused('login', login.error);
      const test = await socket.request({ token: (login.data as TechSession).token, command: { type: 'relayTest', connectorId } });
      if (test.ok) this.relayTests.answered++;
      else refused('relayTest', test.error);
    } catch {
      this.relayTests.lost++;
    } finally {
      socket.close();
    }
  }

  private note(connector: ConnectorView): void {
    const asked = this.asked.get(connector.id);
    if (asked && connector.phase !== asked.from) {
      this.asked.delete(connector.id);
      if (connector.phase !== 'available') this.outcomes[asked.outcome] = (this.outcomes[asked.outcome] ?? 0) + 1;
      if (connector.phase === 'authorizing') this.cancelWhileAuthorizing.set(connector.id, this.chance(asked.outcome === 'lateApproval' ? 0.5 : 0.05));
      else this.cancelWhileAuthorizing.delete(connector.id);
    }
    const session = connector.session;
    if (!session) return;
    const card = this.cardOf.get(connector.id);
    if (card && session.method !== 'card' && !this.cardOfSession.has(session.id)) this.cardOfSession.set(session.id, card);
    if (session.stopCode) this.stopCodes.set(session.id, session.stopCode);
    if (['awaitingVehicle', 'charging', 'parked', 'settling'].includes(connector.phase)) this.paidSessions.add(session.id);
  }

  private plugged(snapshot: Snapshot, connectorId: number): boolean {
    return snapshot.sim?.chargers?.find((c) => c.connectorId === connectorId)?.plugged ?? false;
  }

  private faulted(snapshot: Snapshot, connectorId: number): boolean {
    return snapshot.sim?.chargers?.find((c) => c.connectorId === connectorId)?.fault ?? false;
  }

  /** Holds a station card to the RFID reader for the flow on connector `connectorId`. */
  private async tag(connectorId: number, uid: string): Promise<void> {
    this.tags[uid] = (this.tags[uid] ?? 0) + 1;
    this.cardOf.set(connectorId, uid);
    await this.sim({ type: 'tag', uid });
  }

  private async command(body: object): Promise<boolean> {
    this.actions++;
    return (await this.kiosk.command(body)).ok;
  }

  private async sim(body: object): Promise<void> {
    this.actions++;
    await this.kiosk.sim(body);
  }

  /**
   * Sets what the card does next and starts the payment (`command`, given in `phase`).
   * The terminal serves every connector and takes the outcome set last when the request
   * reaches it. Once the payment is seen under way (note), the driver decides whether to
   * give up on it while it authorises: 5% of payments, and half of those whose approval
   * comes late (after an abort the terminal refused: it must be reversed).
   */
  private async pay(connectorId: number, phase: ConnectorView['phase'], outcome: CardOutcome, command: object): Promise<void> {
    await this.sim({ type: 'cardOutcome', outcome });
    if (await this.command(command)) this.asked.set(connectorId, { outcome, from: phase });
  }

  private async act(snapshot: Snapshot, connector: ConnectorView): Promise<unknown> {
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
        if (snapshot.focus === connectorId && this.chance(0.08)) return this.tag(connectorId, this.pick<string>(STATION_CARDS));
        if (this.chance(0.4)) return this.pay(connectorId, 'choosingPayment', this.pick<CardOutcome>(CARD_OUTCOMES[this.protocol]), { type: 'choosePayment', connectorId, method: 'card' });
        return;
      case 'authorizing':
        if (this.cancelWhileAuthorizing.get(connectorId) && this.chance(0.1)) {
          this.cancelWhileAuthorizing.delete(connectorId);
          return this.command({ type: 'cancel', connectorId });
        }
        return;
      case 'declined':
        if (this.starting && snapshot.focus === connectorId && this.chance(0.15)) return this.tag(connectorId, this.pick<string>(STATION_CARDS));
        if (this.starting && this.chance(0.3)) return this.pay(connectorId, 'declined', 'approve', { type: 'retryPayment', connectorId });
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
        // A station card's driver stops by holding the same card to the reader again.
        const card = session ? this.cardOfSession.get(session.id) : undefined;
        if (card && this.chance(0.02 * wind)) return this.tag(connectorId, card);
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

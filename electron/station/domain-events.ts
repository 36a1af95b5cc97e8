// One stream of domain events, persisted: what happened to sessions and connectors,
// worked out from the machines' transitions in one place. Reports, the maintenance
// menu and the link to the operator's central system subscribe to it; the start-up
// recovery of a connector whose saved state cannot be read rebuilds its session from it.
import type { Logger } from 'pino';
import type { ConnectorPhase } from '../contract/snapshot.js';
import type { KioskStore } from '../store/kiosk-store.js';
import type { SessionContext } from './session-machine.js';

export type DomainEventType =
  | 'session.created'
  | 'session.authorized'
  | 'charging.started'
  | 'meter'
  | 'charging.stopped'
  | 'session.settled'
  | 'connector.status';

export interface DomainEvent {
  id: number;
  at: number;
  type: DomainEventType;
  connectorId: number;
  sessionId: string | null;
  data: Record<string, unknown>;
}

export class DomainEvents {
  private readonly listeners = new Set<(event: DomainEvent) => void>();

  constructor(
    private readonly store: KioskStore,
    private readonly log: Logger,
  ) {}

  subscribe(listener: (event: DomainEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Records what a transition of a connector's machine means. Throws when the store
   * cannot write (the caller takes the station out of service).
   */
  observe(
    connectorId: number,
    before: { context: SessionContext; phase: ConnectorPhase; top: string } | null,
    now: { context: SessionContext; phase: ConnectorPhase; top: string },
    at: number,
  ): void {
    const { context, phase, top } = now;
    const was = before?.context.session ?? null;
    const session = context.session;
    if (session && session.id !== was?.id) {
      this.emit(at, 'session.created', connectorId, session.id, {
        method: session.method,
        createdAt: session.createdAt,
        limitMinor: session.limitMinor,
        currency: session.currency,
        tariff: session.tariff,
        lookaheadS: session.lookaheadS,
        expiresAt: session.expiresAt,
      });
    }
    const same = session && was && session.id === was.id ? was : null;
    if (session?.authorization && !same?.authorization) {
      const { key, reference, limitMinor, method, display } = session.authorization;
      this.emit(at, 'session.authorized', connectorId, session.id, { key, reference, limitMinor, method, display });
    }
    if (session && session.chargingStartedAt != null && same?.chargingStartedAt == null) {
      this.emit(at, 'charging.started', connectorId, session.id, { meterStartWh: session.meterStartWh });
    }
    if (session?.authorization && session.meterWh != null && session.meterWh !== (same?.meterWh ?? null)) {
      const { meterWh, powerW } = session;
      this.emit(at, 'meter', connectorId, session.id, { meterWh, powerW }, () => this.store.addMeterSample(session.id, at, meterWh, powerW));
    }
    if (session && session.chargingStoppedAt != null && same?.chargingStoppedAt == null) {
      this.emit(at, 'charging.stopped', connectorId, session.id, { reason: session.stopReason });
    }
    const summary = context.lastSummary;
    if (summary && summary.sessionId !== before?.context.lastSummary?.sessionId) {
      this.emit(at, 'session.settled', connectorId, summary.sessionId, {
        energyWh: summary.energyWh,
        costMinor: summary.costMinor,
        capturedMinor: summary.capturedMinor,
        writtenOffMinor: summary.writtenOffMinor,
        noCharge: summary.noCharge,
        stopReason: summary.stopReason,
      });
    }
    // Every state the machine enters, with the phase the screen shows: the session's own history too.
    if (top !== before?.top || context.problem?.detail !== before?.context.problem?.detail) {
      const sessionId = session?.id ?? (top === 'summary' ? (summary?.sessionId ?? null) : null);
      this.emit(at, 'connector.status', connectorId, sessionId, { phase, state: top, from: before?.top ?? null, problem: context.problem });
    }
  }

  private emit(at: number, type: DomainEventType, connectorId: number, sessionId: string | null, data: Record<string, unknown>, alongside?: () => void): void {
    const id = this.store.appendEvent({ at, type, connectorId, sessionId, data }, alongside);
    const event: DomainEvent = { id, at, type, connectorId, sessionId, data };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log.error({ err: error, type }, 'a domain event listener failed');
      }
    }
  }
}

// Alarms: what a technician must know about now (a settlement that keeps failing, a
// saved state that could not be read, a charger that will not stop, a store that cannot
// be written). Raised once in the log with the time they began, listed in the snapshot
// while they last; the maintenance menu will show them.
import type { Logger } from 'pino';
import type { Alarm } from '../contract/snapshot.js';
import type { ConnectorProblem } from './session-machine.js';

export type AlarmCandidate = Omit<Alarm, 'since'>;

/** The alarm a connector's problem raises, if it is one a technician must see. */
export function alarmOfProblem(connectorId: number, sessionId: string | null, problem: ConnectorProblem | null): AlarmCandidate | null {
  if (!problem) return null;
  const kind =
    problem.kind === 'payment' ? 'settlementFailing' : problem.kind === 'attention' ? 'stateUnreadable' : problem.chargerWillNotStop ? 'chargerWillNotStop' : null;
  return kind ? { kind, connectorId, sessionId, detail: problem.detail } : null;
}

export class AlarmBoard {
  private readonly since = new Map<string, number>();

  constructor(private readonly log: Logger) {}

  /** The alarms that hold now, each with the time it was first seen; new ones are logged. */
  update(candidates: readonly AlarmCandidate[], now: number): Alarm[] {
    const seen = new Set<string>();
    const alarms = candidates.map((alarm) => {
      const id = `${alarm.kind}:${alarm.connectorId ?? ''}`;
      seen.add(id);
      if (!this.since.has(id)) {
        this.since.set(id, now);
        this.log.error(alarm, 'alarm raised');
      }
      return { ...alarm, since: this.since.get(id)! };
    });
    for (const id of this.since.keys()) if (!seen.has(id)) this.since.delete(id);
    return alarms;
  }
}

// What the chaos harness reads from outside the kiosk, as an auditor would: its store
// (read-only, beside the running kiosk: WAL lets readers in) and the simulated
// devices' own state files, which stand for the devices' own memory: the chargers',
// and the card terminal's (the ZVT simulator's reservations, or the generic terminal's
// holds). Nothing here asks the kiosk.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KioskStore, type StoreSql } from '../../electron/store/kiosk-store.js';
import { AccountBook } from '../../electron/accounts/account-book.js';
import type { ReservationRecord, ZvtSimState } from '../../devices/payment/zvt/zvt-simulator-state.js';
import { holdKey, type ChargerFile, type RelayTestEntry, type StoreView, type TerminalHold, type TerminalProtocol } from './rules.js';

/** One read of the store; null while the file does not exist yet or is locked for a moment. */
export function readStore(dataDir: string, options: { audit?: boolean } = {}): StoreView | null {
  const file = join(dataDir, 'kiosk.sqlite');
  if (!existsSync(file)) return null;
  let store: KioskStore | null = null;
  try {
    store = KioskStore.openReadOnly(file);
    const book = new AccountBook(store);
    // One read transaction: the journal and the ledger as of one moment, even beside a running kiosk.
    const sql = store.sql();
    sql.run('BEGIN');
    try {
      return {
        payments: store.listPayments(),
        sessions: store.listSessions(Number.MAX_SAFE_INTEGER),
        auditBrokenAt: options.audit ? store.verifyAudit() : null,
        accounts: { accounts: book.accounts(), ledger: book.entries(), reservations: book.reservations() },
        relayTests: readRelayTests(sql),
      };
    } finally {
      sql.run('COMMIT');
    }
  } catch {
    return null; // a database still being created, or busy past the timeout: read again later
  } finally {
    store?.close();
  }
}

/** The relay tests' audit entries (Station.relayTest), oldest first. */
function readRelayTests(sql: StoreSql): RelayTestEntry[] {
  const rows = sql.all("SELECT id, action, data FROM audit_log WHERE action IN ('charger.relayTest', 'charger.relayTestDone') ORDER BY id");
  return rows.map((row) => ({ id: Number(row.id), action: row.action, ...JSON.parse(String(row.data)) }) as RelayTestEntry);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null; // not written yet (the files are replaced atomically, so never half-written)
  }
}

interface TerminalFile {
  holds: { hold: { holdId: string; reference: string; amountMinor: number }; state: TerminalHold['state']; capturedMinor: number | null }[];
}

/** Where each simulated terminal keeps its state, under the data folder. */
export const TERMINAL_FILES: Record<TerminalProtocol, string> = { zvt: join('sim', 'zvt-terminal.json'), generic: join('sim', 'terminal.json') };

/**
 * The terminal's holds as its state file has them: the ZVT simulator's reservations, or
 * the generic terminal's holds. Without `protocol`, from whichever file the data folder
 * has (the ZVT simulator's first).
 */
export function readTerminalHolds(dataDir: string, protocol?: TerminalProtocol): TerminalHold[] {
  const which = protocol ?? terminalsPresent(dataDir)[0] ?? 'zvt';
  return which === 'zvt' ? readZvtReservations(dataDir) : readGenericHolds(dataDir);
}

/** The generic simulated terminal's holds (SimulatedCardTerminal, sim/terminal.json). */
export function readGenericHolds(dataDir: string): TerminalHold[] {
  const state = readJson(join(dataDir, TERMINAL_FILES.generic)) as TerminalFile | null;
  return (state?.holds ?? []).map(({ hold, state: holdState, capturedMinor }) => ({
    holdId: hold.holdId,
    reference: hold.reference,
    amountMinor: hold.amountMinor,
    state: holdState,
    capturedMinor,
  }));
}

const ZVT_STATES: Record<ReservationRecord['state'], TerminalHold['state']> = { open: 'open', booked: 'captured', reversed: 'released' };

/**
 * The ZVT simulator's reservations (sim/zvt-terminal.json, ZvtSimState) as holds: the
 * receipt number is the hold's id (as the journal has it, in decimal), booked is
 * captured, reversed is released. Receipt numbers wrap, so a hold is also known by when
 * it was placed.
 */
export function readZvtReservations(dataDir: string): TerminalHold[] {
  const state = readJson(join(dataDir, TERMINAL_FILES.zvt)) as Pick<ZvtSimState, 'reservations'> | null;
  return (state?.reservations ?? []).map(zvtHold);
}

export function zvtHold(reservation: Pick<ReservationRecord, 'receiptNumber' | 'reference' | 'amountMinor' | 'state' | 'bookedMinor' | 'at'>): TerminalHold {
  return {
    holdId: String(reservation.receiptNumber),
    reference: reservation.reference,
    amountMinor: reservation.amountMinor,
    state: ZVT_STATES[reservation.state],
    capturedMinor: reservation.state === 'booked' ? reservation.bookedMinor : null,
    placedAt: reservation.at,
  };
}

/** Which terminal's state file the kiosk keeps in this data folder, if any (to tell that it runs the terminal asked for). */
export function terminalsPresent(dataDir: string): TerminalProtocol[] {
  return (Object.keys(TERMINAL_FILES) as TerminalProtocol[]).filter((protocol) => existsSync(join(dataDir, TERMINAL_FILES[protocol])));
}

/** Each simulated charger's mode, relay and cable, as its state file has them. */
export function readChargers(dataDir: string, connectorIds: number[]): ChargerFile[] {
  const chargers: ChargerFile[] = [];
  for (const connectorId of connectorIds) {
    const state = readJson(join(dataDir, 'sim', `charger-${connectorId}.json`)) as { mode?: ChargerFile['mode']; relayClosed?: boolean; plugged?: boolean } | null;
    if (state?.mode) chargers.push({ connectorId, mode: state.mode, relayClosed: state.relayClosed === true, plugged: state.plugged === true });
  }
  return chargers;
}

/**
 * Every hold the harness has seen, by id (and, where ids are reused, when it was
 * placed): the terminal's journal is finite and drops finished holds, so what was once
 * seen is kept (a hold's state only moves forward).
 */
export class HoldLedger {
  private readonly holds = new Map<string, TerminalHold>();

  update(current: TerminalHold[]): void {
    for (const hold of current) this.holds.set(holdKey(hold), hold);
  }

  all(): TerminalHold[] {
    return [...this.holds.values()];
  }

  counts(): { placed: number; captured: number; released: number; open: number } {
    const counts = { placed: 0, captured: 0, released: 0, open: 0 };
    for (const hold of this.holds.values()) {
      counts.placed++;
      counts[hold.state]++;
    }
    return counts;
  }
}

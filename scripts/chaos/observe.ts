// What the chaos harness reads from outside the kiosk, as an auditor would: its store
// (read-only, beside the running kiosk: WAL lets readers in) and the simulated
// devices' own state files, which stand for the devices' own memory. Nothing here
// asks the kiosk.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KioskStore } from '../../electron/store/kiosk-store.js';
import type { ChargerFile, StoreView, TerminalHold } from './rules.js';

/** One read of the store; null while the file does not exist yet or is locked for a moment. */
export function readStore(dataDir: string, options: { audit?: boolean } = {}): StoreView | null {
  const file = join(dataDir, 'kiosk.sqlite');
  if (!existsSync(file)) return null;
  let store: KioskStore | null = null;
  try {
    store = KioskStore.openReadOnly(file);
    return {
      payments: store.listPayments(),
      sessions: store.listSessions(Number.MAX_SAFE_INTEGER),
      auditBrokenAt: options.audit ? store.verifyAudit() : null,
    };
  } catch {
    return null; // a database still being created, or busy past the timeout: read again later
  } finally {
    store?.close();
  }
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

/** The simulated terminal's holds as its state file has them. */
export function readTerminalHolds(dataDir: string): TerminalHold[] {
  const state = readJson(join(dataDir, 'sim', 'terminal.json')) as TerminalFile | null;
  return (state?.holds ?? []).map(({ hold, state: holdState, capturedMinor }) => ({
    holdId: hold.holdId,
    reference: hold.reference,
    amountMinor: hold.amountMinor,
    state: holdState,
    capturedMinor,
  }));
}

/** Each simulated charger's mode and relay, as its state file has them. */
export function readChargers(dataDir: string, connectorIds: number[]): ChargerFile[] {
  const chargers: ChargerFile[] = [];
  for (const connectorId of connectorIds) {
    const state = readJson(join(dataDir, 'sim', `charger-${connectorId}.json`)) as { mode?: ChargerFile['mode']; relayClosed?: boolean } | null;
    if (state?.mode) chargers.push({ connectorId, mode: state.mode, relayClosed: state.relayClosed === true });
  }
  return chargers;
}

/**
 * Every hold the harness has seen, by id: the terminal's journal is finite and drops
 * finished holds, so what was once seen is kept (a hold's state only moves forward).
 */
export class HoldLedger {
  private readonly holds = new Map<string, TerminalHold>();

  update(current: TerminalHold[]): void {
    for (const hold of current) this.holds.set(hold.holdId, hold);
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

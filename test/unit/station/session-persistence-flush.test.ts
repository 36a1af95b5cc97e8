// Which saves of a connector's machine state wait for the disk (synchronous=FULL) and which
// do not: only a step between two states without money (a connector chosen, the payment
// choice left) with the same session facts as the state flushed last is written without
// waiting; every state with money, and the first state without money after one, is flushed.
import { afterEach, describe, expect, it } from 'vitest';
import { KioskStore } from '../../../electron/store/kiosk-store.js';
import { SessionPersistence, type SessionPersistenceOptions } from '../../../electron/station/session-persistence.js';
import { KioskHarness, payAndPlug } from './kiosk-harness.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FULL = 2;
const NORMAL = 1;

/** Records, for each saveConnector, its phase and the synchronous setting it ran under; and the setting after. */
function watchSaves(store: KioskStore) {
  const saves: { phase: string; synchronous: number }[] = [];
  const synchronous = () => Number(store.sql().get('PRAGMA synchronous')!.synchronous);
  const save = store.saveConnector.bind(store);
  store.saveConnector = (connectorId, state, at) => {
    saves.push({ phase: state.phase, synchronous: synchronous() });
    save(connectorId, state, at);
  };
  return { saves, synchronous };
}

const context = (fields: Record<string, unknown> = {}) => ({ context: { connectorId: 1, vehiclePlugged: false, problem: null, session: null, lastSummary: null, lastProof: null, resumeFrom: null, lastError: null, ...fields } });
const session = { id: 'S-1', createdAt: 1, tariff: {}, limitMinor: 5000 };

describe('saving the session state', () => {
  let dir: string | null = null;
  let store: KioskStore | null = null;
  afterEach(() => {
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    store = dir = null;
  });

  const persistence = () => {
    dir = mkdtempSync(join(tmpdir(), 'kiosk-flush-'));
    store = KioskStore.open(join(dir, 'kiosk.sqlite'));
    const options = { store, clock: { now: () => 1 } } as unknown as SessionPersistenceOptions;
    return { p: new SessionPersistence(options), watched: watchSaves(store), store };
  };

  it('flushes a state with money, and the first state without money after it; not the steps between states without money', () => {
    const { p, watched } = persistence();
    p.save(1, 'idle', context()); // the first save since start: flushed
    p.save(1, 'choosingPayment', context());
    p.save(1, 'idle', context());
    p.save(1, 'choosingPayment', context());
    p.save(1, 'authorizing', context({ session }));
    p.save(1, 'idle', context());
    p.save(1, 'choosingPayment', context());
    expect(watched.saves).toEqual([
      { phase: 'idle', synchronous: FULL },
      { phase: 'choosingPayment', synchronous: NORMAL },
      { phase: 'idle', synchronous: NORMAL },
      { phase: 'choosingPayment', synchronous: NORMAL },
      { phase: 'authorizing', synchronous: FULL },
      { phase: 'idle', synchronous: FULL },
      { phase: 'choosingPayment', synchronous: NORMAL },
    ]);
    expect(watched.synchronous()).toBe(FULL);
  });

  it('flushes a state without money whose summary, proof or problem differs from the one flushed last', () => {
    const { p, watched } = persistence();
    p.save(1, 'idle', context());
    p.save(1, 'idle', context({ lastSummary: { sessionId: 'S-1', receipt: 'printing' } }));
    p.save(1, 'idle', context({ lastSummary: { sessionId: 'S-1', receipt: 'printed' } }));
    p.save(1, 'idle', context({ lastSummary: { sessionId: 'S-1', receipt: 'printed' }, lastProof: { stopCode: '1234' } }));
    p.save(1, 'idle', context({ lastSummary: { sessionId: 'S-1', receipt: 'printed' }, lastProof: { stopCode: '1234' }, problem: { kind: 'fault', detail: 'x' } }));
    expect(watched.saves.map((s) => s.synchronous)).toEqual([FULL, FULL, FULL, FULL, FULL]);
    // A state with a session is never written without waiting, whatever its phase says.
    p.save(1, 'idle', context({ session }));
    p.save(1, 'idle', context({ session }));
    expect(watched.saves.slice(5).map((s) => s.synchronous)).toEqual([FULL, FULL]);
  });

  it('keeps each connector apart', () => {
    const { p, watched } = persistence();
    p.save(1, 'idle', context());
    p.save(2, 'idle', { context: { ...context().context, connectorId: 2 } });
    p.save(1, 'choosingPayment', context());
    p.save(2, 'authorizing', { context: { ...context({ session }).context, connectorId: 2 } });
    p.save(1, 'idle', context());
    expect(watched.saves.map((s) => s.synchronous)).toEqual([FULL, FULL, NORMAL, FULL, NORMAL]);
  });

  it('inside a transaction changes no setting (SQLite refuses it there): the transaction flushes as it commits', () => {
    const { p, watched, store } = persistence();
    p.save(1, 'idle', context());
    store.transaction(() => p.save(1, 'choosingPayment', context()));
    expect(watched.saves.map((s) => s.synchronous)).toEqual([FULL, FULL]);
    expect(watched.synchronous()).toBe(FULL);
  });

  it('is back to synchronous=FULL when a write without waiting fails', () => {
    const { p, watched, store } = persistence();
    p.save(1, 'idle', context());
    const save = store.saveConnector;
    store.saveConnector = () => {
      throw new Error('disk I/O error');
    };
    expect(() => p.save(1, 'choosingPayment', context())).toThrow('disk I/O error');
    store.saveConnector = save;
    expect(watched.synchronous()).toBe(FULL);
    // Nothing was flushed since: the next state without money waits for the disk again only if it differs; it does not here.
    p.save(1, 'choosingPayment', context());
    expect(watched.saves.at(-1)!.synchronous).toBe(NORMAL);
  });
});

describe('a driver choosing a connector and going back, in the whole kiosk', () => {
  let harness: KioskHarness | null = null;
  afterEach(async () => {
    await harness?.close();
    harness = null;
  });

  it('waits for the disk for nothing of it; every state of a paid session is flushed; a restart comes back where it was', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    const watched = watchSaves(h.store);
    for (let i = 0; i < 2; i++) {
      expect(await h.command({ type: 'selectConnector', connectorId: 1 })).toEqual({ ok: true });
      expect(await h.command({ type: 'cancel', connectorId: 1 })).toEqual({ ok: true });
      await h.run(200);
      expect(h.connector(1).phase).toBe('available');
    }
    // Two states a cycle: choosing, and back to available (the charger known asleep, not checked again).
    expect(watched.saves.length).toBeGreaterThanOrEqual(4);
    expect(watched.saves.filter((s) => s.synchronous === FULL)).toEqual([]);
    watched.saves.length = 0;
    await payAndPlug(h, 1);
    expect(watched.saves.length).toBeGreaterThan(0);
    // From the payment on, every state has a session: each one flushed.
    const paid = watched.saves.slice(watched.saves.findIndex((s) => s.phase === 'authorizing'));
    expect(paid.filter((s) => s.synchronous !== FULL)).toEqual([]);
    expect(watched.synchronous()).toBe(FULL);
    await h.restart();
    expect(h.connector(1).phase).toBe('charging');
  });
});

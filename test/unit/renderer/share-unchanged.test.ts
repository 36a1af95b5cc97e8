// The snapshot store keeps what did not change between two snapshots as the same objects,
// so selectors return the same references and React re-renders only what changed.
import { describe, expect, it } from 'vitest';
import type { KioskBridge, Snapshot } from '../../../electron/contract/index.js';
import { selectConnectors, selectFocusedConnector, selectStation } from '../../../renderer/src/store/selectors.js';
import { shareUnchanged } from '../../../renderer/src/store/share-unchanged.js';
import { createSnapshotStore } from '../../../renderer/src/store/snapshot-store.js';

const snapshot = (phase: string, seq: number) => ({
  seq,
  now: 1000 + seq,
  station: { id: 'S1', name: 'Station', locale: 'en' },
  focus: null as number | null,
  connectors: [
    { id: 1, phase, session: null, tariff: { currency: 'EUR', lines: [{ kind: 'energy', price: '0.39' }] } },
    { id: 2, phase: 'available', session: null, tariff: { currency: 'EUR', lines: [{ kind: 'energy', price: '0.39' }] } },
  ],
  sim: { cards: [{ uid: 'A1', balanceMinor: 500 }] },
});

describe('shareUnchanged', () => {
  it('keeps every part of a snapshot that only moved its seq and clock', () => {
    const before = snapshot('available', 1);
    const next = shareUnchanged(before, snapshot('available', 2));
    expect(next).not.toBe(before);
    expect(next).toEqual(snapshot('available', 2));
    expect(next.station).toBe(before.station);
    expect(next.connectors).toBe(before.connectors);
    expect(next.sim).toBe(before.sim);
  });

  it('replaces only the path to what changed', () => {
    const before = snapshot('available', 1);
    const next = shareUnchanged(before, { ...snapshot('choosingPayment', 2), focus: 1 });
    expect(next.connectors).not.toBe(before.connectors);
    expect(next.connectors[0]).not.toBe(before.connectors[0]);
    expect(next.connectors[0]!.phase).toBe('choosingPayment');
    expect(next.connectors[0]!.tariff).toBe(before.connectors[0]!.tariff);
    expect(next.connectors[1]).toBe(before.connectors[1]);
    expect(next.station).toBe(before.station);
    expect(next.focus).toBe(1);
  });

  it('gives back the previous value when the whole of it is equal', () => {
    const before = snapshot('available', 1);
    expect(shareUnchanged(before, structuredClone(before))).toBe(before);
  });

  it('sees added, removed and reordered members and changed kinds as changes', () => {
    expect(shareUnchanged({ a: 1 }, { a: 1, b: 2 })).toEqual({ a: 1, b: 2 });
    expect(shareUnchanged({ a: 1, b: 2 }, { a: 1 })).toEqual({ a: 1 });
    const list = [{ id: 1 }, { id: 2 }];
    const shorter = shareUnchanged(list, [{ id: 1 }]);
    expect(shorter).toEqual([{ id: 1 }]);
    expect(shorter[0]).toBe(list[0]);
    const reordered = shareUnchanged(list, [{ id: 2 }, { id: 1 }]);
    expect(reordered).toEqual([{ id: 2 }, { id: 1 }]);
    expect(shareUnchanged({ a: [1] }, { a: { 0: 1 } })).toEqual({ a: { 0: 1 } });
    expect(shareUnchanged({ a: null }, { a: {} })).toEqual({ a: {} });
    expect(shareUnchanged({ a: {} }, { a: null })).toEqual({ a: null });
    // A member that is undefined on one side and missing on the other is a change too.
    expect(Object.keys(shareUnchanged({ a: 1, b: undefined }, { a: 1, c: undefined }))).toEqual(['a', 'c']);
  });

  it('takes the new snapshot as it is when there was none before', () => {
    const first = snapshot('available', 1);
    expect(shareUnchanged(null, first)).toBe(first);
  });
});

describe('the snapshot store', () => {
  it('hands a selector the same part again when a snapshot did not change it', () => {
    let publish: (snapshot: Snapshot) => void = () => {};
    const bridge = { subscribe: (listener: (snapshot: Snapshot) => void) => ((publish = listener), () => {}) } as unknown as KioskBridge;
    const store = createSnapshotStore(bridge);
    publish(snapshot('available', 1) as unknown as Snapshot);
    const connectors = selectConnectors(store.getState());
    const station = selectStation(store.getState());
    // The brain publishing again with nothing changed (the same command's second snapshot).
    publish(snapshot('available', 2) as unknown as Snapshot);
    expect(store.getState().snapshot!.seq).toBe(2);
    expect(selectConnectors(store.getState())).toBe(connectors);
    // A connector chosen: its view is new, the station's is not.
    publish({ ...snapshot('choosingPayment', 3), focus: 1 } as unknown as Snapshot);
    expect(selectConnectors(store.getState())).not.toBe(connectors);
    expect(selectFocusedConnector(store.getState())!.phase).toBe('choosingPayment');
    expect(selectStation(store.getState())).toBe(station);
  });
});

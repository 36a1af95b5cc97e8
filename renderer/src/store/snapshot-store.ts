// The latest snapshot and the connection state, as an external store for React's
// useSyncExternalStore. It keeps nothing of its own: what it holds is what the brain
// last published, with the parts that did not change since the snapshot before kept as
// the same objects (shareUnchanged), so a snapshot re-renders only what it changed.
import type { KioskBridge, Snapshot } from '../../../electron/contract/index.js';
import { hasConnectionState, type ConnectionState } from '../bridge/connection.js';
import { shareUnchanged } from './share-unchanged.js';

export interface ViewState {
  snapshot: Snapshot | null;
  connection: ConnectionState;
}

export interface SnapshotStore {
  subscribe(listener: () => void): () => void;
  getState(): ViewState;
}

export function createSnapshotStore(bridge: KioskBridge): SnapshotStore {
  let state: ViewState = {
    snapshot: null,
    connection: hasConnectionState(bridge) ? bridge.connectionState() : 'open',
  };
  const listeners = new Set<() => void>();
  const emit = (next: ViewState): void => {
    state = next;
    for (const listener of [...listeners]) listener();
  };

  bridge.subscribe((snapshot) => {
    emit({ ...state, snapshot: shareUnchanged(state.snapshot, snapshot) });
  });
  if (hasConnectionState(bridge)) {
    bridge.onConnectionChange((connection) => {
      emit({ ...state, connection });
    });
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    getState: () => state,
  };
}

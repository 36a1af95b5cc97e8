import { createContext, useContext, useSyncExternalStore } from 'react';
import type { SnapshotStore, ViewState } from './snapshot-store.js';

export const StoreContext = createContext<SnapshotStore | null>(null);

/** Reads from the snapshot store; pass a selector defined outside the component. */
export function useView<T>(selector: (state: ViewState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useView outside StoreContext');
  return useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}

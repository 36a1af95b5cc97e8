// Whether the screen can currently reach the brain. The Electron preload bridge is
// always connected; the WebSocket bridge is not, and says so.
import type { KioskBridge } from '../../../electron/contract/index.js';

export type ConnectionState = 'connecting' | 'open';

export interface ConnectionSource {
  connectionState(): ConnectionState;
  /** Called on every change of the connection state; returns the unsubscribe function. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
}

export function hasConnectionState(bridge: KioskBridge): bridge is KioskBridge & ConnectionSource {
  const candidate = bridge as Partial<ConnectionSource>;
  return typeof candidate.connectionState === 'function' && typeof candidate.onConnectionChange === 'function';
}

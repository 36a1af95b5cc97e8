// The screen's one door to the brain: the Electron preload's bridge when there is
// one, otherwise the web host's WebSocket.
import type { KioskBridge } from '../../../electron/contract/index.js';
import { WsBridge, defaultWsUrl } from './ws-bridge.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge). */
    kiosk?: KioskBridge;
  }
}

let bridge: KioskBridge | null = null;

export function getBridge(): KioskBridge {
  bridge ??= window.kiosk ?? new WsBridge({ url: defaultWsUrl() });
  return bridge;
}

// The Electron IPC channels between the screen's preload and the main process, in
// one place so main, preload and renderer agree. The preload's bridge (KioskBridge)
// is the only thing that uses them; the screen never sees a channel.

export const IPC_CHANNELS = {
  /** invoke, screen → brain: a Command; answered with a CommandResult. */
  command: 'kiosk:command',
  /** invoke, screen → brain: a SimCommand (simulator panel); answered with a CommandResult. */
  sim: 'kiosk:sim',
  /** invoke, screen → brain: a TechRequest (maintenance menu); answered with a TechResult. */
  tech: 'kiosk:tech',
  /** send, brain → screen: every new Snapshot. */
  snapshot: 'kiosk:snapshot',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

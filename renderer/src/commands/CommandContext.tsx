// Sending commands to the brain. A double tap sends once: while a command is in
// flight, the same command again is dropped (a different one goes through at once).
// A command the brain refuses shows a short notice on the driver's screen.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Command, CommandResult, ErrorCode, ErrorReason, KioskBridge, SimCommand } from '../../../electron/contract/index.js';
import { useView } from '../store/StoreContext.js';
import { selectScreenKey } from '../store/selectors.js';

export interface Notice {
  code: ErrorCode;
  reason?: ErrorReason | undefined;
}

interface Commands {
  /** Sends a driver command; a refused command also shows a notice unless `quiet`. */
  send(command: Command, options?: { quiet?: boolean }): Promise<CommandResult>;
  sim(command: SimCommand): Promise<CommandResult>;
  notice: Notice | null;
  dismissNotice(): void;
}

const CommandContext = createContext<Commands | null>(null);

const NOTICE_MS = 8000;
/** The result of a tap dropped because the same command was still in flight. */
export const DROPPED: CommandResult = { ok: false, error: { code: 'rejected', message: 'The same command is already in progress.' } };

export function CommandProvider({ bridge, children }: { bridge: KioskBridge; children: ReactNode }) {
  const inFlight = useRef(new Set<string>());
  const [notice, setNotice] = useState<Notice | null>(null);
  const screenKey = useView(selectScreenKey);

  // A notice belongs to the screen it was raised on.
  useEffect(() => {
    setNotice(null);
  }, [screenKey]);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);

  const send = useCallback(
    async (command: Command, options?: { quiet?: boolean }): Promise<CommandResult> => {
      const key = JSON.stringify(command);
      if (inFlight.current.has(key)) return DROPPED;
      inFlight.current.add(key);
      try {
        const result = await bridge.send(command);
        if (!result.ok && !options?.quiet) setNotice({ code: result.error.code, reason: result.error.reason });
        else if (result.ok) setNotice(null);
        return result;
      } catch {
        if (!options?.quiet) setNotice({ code: 'internal' });
        return { ok: false, error: { code: 'internal', message: 'The command could not be sent.' } };
      } finally {
        inFlight.current.delete(key);
      }
    },
    [bridge],
  );

  const sim = useCallback(
    async (command: SimCommand): Promise<CommandResult> => {
      try {
        return await bridge.sim(command);
      } catch {
        return { ok: false, error: { code: 'internal', message: 'The simulator command could not be sent.' } };
      }
    },
    [bridge],
  );

  const dismissNotice = useCallback(() => setNotice(null), []);
  const value = useMemo(() => ({ send, sim, notice, dismissNotice }), [send, sim, notice, dismissNotice]);
  return <CommandContext.Provider value={value}>{children}</CommandContext.Provider>;
}

export function useCommands(): Commands {
  const commands = useContext(CommandContext);
  if (!commands) throw new Error('useCommands outside CommandProvider');
  return commands;
}

// The menu's line to the brain: every technician command with the menu's token, a
// refusal because the menu is gone (`noMenu`) closing the menu, and what each page
// loads, refreshed in the background (a refresh never keeps the menu open).
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { TechCommand, TechReply, TechResult } from '../../../electron/contract/index.js';
import type { StationTime } from './time.js';

export type TechCall = <C extends TechCommand>(command: C, options?: { background?: boolean }) => Promise<TechResult<TechReply<C['type']>>>;
export type TechError = Extract<TechResult, { ok: false }>['error'];

export interface TechApi {
  call: TechCall;
  technician: string;
  /** The brain's clock now, ms (the snapshot's `now`, moved on by the screen's clock since). */
  brainNow(): number;
  /** Times and days on the station's wall clock. */
  time: StationTime;
}

export const TechContext = createContext<TechApi | null>(null);

export function useTech(): TechApi {
  const tech = useContext(TechContext);
  if (!tech) throw new Error('useTech outside the maintenance menu');
  return tech;
}

/** A refused technician command in words: why, from the catalogue; for bad input also what the brain said. */
export function techErrorText(t: TFunction, error: TechError): string {
  if (error.reason) return t(`maintenance.errors.reason.${error.reason}`);
  return t(`maintenance.errors.code.${error.code}`, { message: error.message });
}

export interface TechData<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  /** Loads again now, as the technician asked (not in the background). */
  reload(): void;
  /** Replaces what is shown, with what a command answered (a page it returns). */
  set(data: T): void;
}

/**
 * What a page shows from one command: loaded when the page opens, then every `refreshMs`
 * in the background. `command` null: nothing to load (yet).
 */
export function useTechData<C extends TechCommand>(command: C | null, refreshMs?: number): TechData<TechReply<C['type']>> {
  const { t } = useTranslation();
  const { call } = useTech();
  const [data, setData] = useState<TechReply<C['type']> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(command !== null);
  const key = command === null ? null : JSON.stringify(command);
  const latest = useRef(0);
  const commandRef = useRef(command);
  commandRef.current = command;

  const load = useCallback(
    async (background: boolean) => {
      const current = commandRef.current;
      if (current === null) return;
      const n = ++latest.current;
      if (!background) setLoading(true);
      const result = await call(current, { background });
      if (n !== latest.current) return;
      setLoading(false);
      if (result.ok) {
        setData(result.data);
        setError(null);
      } else {
        setError(techErrorText(t, result.error));
      }
    },
    [call, t],
  );

  useEffect(() => {
    if (key === null) {
      setData(null);
      return;
    }
    setData(null);
    setError(null);
    void load(false);
    if (!refreshMs) return;
    const timer = setInterval(() => void load(true), refreshMs);
    return () => clearInterval(timer);
  }, [key, refreshMs, load]);

  const reload = useCallback(() => void load(false), [load]);
  const set = useCallback((next: TechReply<C['type']>) => {
    latest.current++;
    setLoading(false);
    setError(null);
    setData(next);
  }, []);
  return { data, error, loading, reload, set };
}

export interface ActionState {
  busy: boolean;
  /** What the last action did, or why it did not, in words. */
  message: { text: string; error: boolean } | null;
}

/**
 * One test or change at a time per control group: `run` sends it, shows its result in
 * words (`done` words the answer) or its refusal, and gives back what the brain answered.
 */
export function useAction() {
  const { t } = useTranslation();
  const [state, setState] = useState<ActionState>({ busy: false, message: null });
  const run = useCallback(
    async <T,>(send: () => Promise<TechResult<T>>, done: (data: T) => string, pending?: string): Promise<TechResult<T>> => {
      setState({ busy: true, message: pending ? { text: pending, error: false } : null });
      const result = await send();
      if (result.ok) setState({ busy: false, message: { text: done(result.data), error: false } });
      else setState({ busy: false, message: { text: techErrorText(t, result.error), error: true } });
      return result;
    },
    [t],
  );
  const clear = useCallback(() => setState({ busy: false, message: null }), []);
  return { ...state, run, clear };
}

// The technician's way in, mounted over the driver's screen: the hidden gesture opens
// the PIN pad, a correct PIN the menu. Nothing of it shows, or is in the page, until
// the gesture is made. The menu's session (token, technician, timeout) lives in this
// component's state only: a reload forgets it, and the brain binds it to this screen's
// connection anyway.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { KioskBridge, TechSession } from '../../../electron/contract/index.js';
import { getBridge } from '../bridge/get-bridge.js';
import { useView } from '../store/StoreContext.js';
import type { ViewState } from '../store/snapshot-store.js';
import { Menu } from './Menu.js';
import { PinPad } from './PinPad.js';
import { stationTime } from './time.js';
import { useMaintenanceGesture, type GestureArea } from './useMaintenanceGesture.js';

type State = { kind: 'closed' } | { kind: 'pin' } | { kind: 'menu'; session: TechSession };

const selectGesture = (s: ViewState) => s.snapshot?.station.maintenanceGesture ?? null;
const selectNow = (s: ViewState) => s.snapshot?.now ?? null;
const selectLocale = (s: ViewState) => s.snapshot?.station.locale ?? 'en';
const selectTimeZone = (s: ViewState) => s.snapshot?.station.timeZone ?? 'UTC';

export function Maintenance({ area, onOpenChange }: { area: { readonly current: GestureArea | null }; onOpenChange: (open: boolean) => void }) {
  const gesture = useView(selectGesture);
  const snapshotNow = useView(selectNow);
  const locale = useView(selectLocale);
  const timeZone = useView(selectTimeZone);
  const [state, setState] = useState<State>({ kind: 'closed' });

  // The brain's clock: its snapshot's time, moved on by this screen's clock since it came.
  const offset = useRef(0);
  if (snapshotNow !== null) offset.current = snapshotNow - Date.now();
  const brainNow = useCallback(() => Date.now() + offset.current, []);
  const time = useMemo(() => stationTime(locale, timeZone), [locale, timeZone]);

  // The screen's one bridge, taken only once a technician asks for it.
  const bridge = useRef<KioskBridge | null>(null);
  const bridgeNow = (): KioskBridge => (bridge.current ??= getBridge());

  const openPad = useCallback(() => setState({ kind: 'pin' }), []);
  const close = useCallback(() => setState({ kind: 'closed' }), []);
  const login = useCallback((session: TechSession) => setState({ kind: 'menu', session }), []);
  useMaintenanceGesture(gesture, area, state.kind === 'closed', openPad);

  const open = state.kind !== 'closed';
  const onOpenChangeRef = useRef(onOpenChange);
  onOpenChangeRef.current = onOpenChange;
  useEffect(() => {
    onOpenChangeRef.current(open);
  }, [open]);

  if (state.kind === 'closed') return null;
  return (
    <div className="maint-layer">
      {state.kind === 'pin' ? (
        <PinPad bridge={bridgeNow()} brainNow={brainNow} time={time} onClose={close} onLogin={login} />
      ) : (
        <Menu bridge={bridgeNow()} session={state.session} brainNow={brainNow} time={time} onClosed={close} />
      )}
    </div>
  );
}

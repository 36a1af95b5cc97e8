// The hidden gesture that opens the technician's PIN pad: a press held still on one
// corner of the driver's screen for `holdS` seconds, then `taps` taps on another corner
// within `withinS` seconds after the press is let go (snapshot.station.maintenanceGesture).
//
// It only listens: pointer events on the whole document, in the capture phase, never
// stopped, prevented or changed, so whatever is under the corner works as it always does.
// Nothing of it is visible, announced or styled.
import { useEffect, useRef } from 'react';
import type { MaintenanceGesture, ScreenCorner } from '../../../electron/contract/index.js';

/** The corner box, px from the corner's two edges. */
export const CORNER_PX = 80;
/** A press or tap that moves farther than this is not one, px. */
export const MOVE_PX = 20;

interface Point {
  pointerId: number;
  x: number;
  y: number;
}

interface GestureState {
  hold: (Point & { at: number }) | null;
  /** The press was held long enough: taps on the other corner count until `deadline`. */
  armed: { deadline: number; count: number } | null;
  tap: Point | null;
}

export interface GestureArea {
  getBoundingClientRect(): { left: number; top: number; right: number; bottom: number };
}

export function inCorner(corner: ScreenCorner, rect: ReturnType<GestureArea['getBoundingClientRect']>, x: number, y: number): boolean {
  if (x < rect.left || x > rect.right || y < rect.top || y > rect.bottom) return false;
  const nearTop = y - rect.top <= CORNER_PX;
  const nearBottom = rect.bottom - y <= CORNER_PX;
  const nearLeft = x - rect.left <= CORNER_PX;
  const nearRight = rect.right - x <= CORNER_PX;
  switch (corner) {
    case 'top-left':
      return nearTop && nearLeft;
    case 'top-right':
      return nearTop && nearRight;
    case 'bottom-left':
      return nearBottom && nearLeft;
    case 'bottom-right':
      return nearBottom && nearRight;
  }
}

/**
 * Calls `onGesture` when the gesture is made on `area` (the driver's screen; the viewport
 * when null). `enabled` false: nothing is listened to (the PIN pad or menu is open).
 */
export function useMaintenanceGesture(
  gesture: MaintenanceGesture | null,
  area: { readonly current: GestureArea | null },
  enabled: boolean,
  onGesture: () => void,
): void {
  const callback = useRef(onGesture);
  useEffect(() => {
    callback.current = onGesture;
  }, [onGesture]);

  const holdCorner = gesture?.holdCorner;
  const holdS = gesture?.holdS;
  const tapCorner = gesture?.tapCorner;
  const taps = gesture?.taps;
  const withinS = gesture?.withinS;

  useEffect(() => {
    if (!enabled || !holdCorner || !tapCorner || holdS === undefined || taps === undefined || withinS === undefined) return;
    const state: GestureState = { hold: null, armed: null, tap: null };
    const reset = () => {
      state.hold = null;
      state.armed = null;
      state.tap = null;
    };
    const rect = () =>
      area.current?.getBoundingClientRect() ?? { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight };
    const moved = (p: Point, e: PointerEvent) => Math.hypot(e.clientX - p.x, e.clientY - p.y) > MOVE_PX;

    const down = (e: PointerEvent) => {
      if (!e.isPrimary) {
        reset();
        return;
      }
      const now = performance.now();
      const box = rect();
      if (state.armed && now > state.armed.deadline) state.armed = null;
      if (state.armed) {
        if (inCorner(tapCorner, box, e.clientX, e.clientY)) {
          state.tap = { pointerId: e.pointerId, x: e.clientX, y: e.clientY };
          return;
        }
        state.armed = null;
      }
      state.hold = inCorner(holdCorner, box, e.clientX, e.clientY) ? { pointerId: e.pointerId, x: e.clientX, y: e.clientY, at: now } : null;
    };
    const move = (e: PointerEvent) => {
      if (state.hold && state.hold.pointerId === e.pointerId && moved(state.hold, e)) state.hold = null;
      if (state.tap && state.tap.pointerId === e.pointerId && moved(state.tap, e)) reset();
    };
    const up = (e: PointerEvent) => {
      const now = performance.now();
      if (state.hold && state.hold.pointerId === e.pointerId) {
        const held = now - state.hold.at;
        state.hold = null;
        state.armed = held >= holdS * 1000 ? { deadline: now + withinS * 1000, count: 0 } : null;
        return;
      }
      if (state.tap && state.tap.pointerId === e.pointerId) {
        state.tap = null;
        const armed = state.armed;
        if (!armed || now > armed.deadline || !inCorner(tapCorner, rect(), e.clientX, e.clientY)) {
          reset();
          return;
        }
        armed.count += 1;
        if (armed.count >= taps) {
          reset();
          callback.current();
        }
      }
    };
    const cancel = () => reset();

    const options = { capture: true, passive: true } as const;
    document.addEventListener('pointerdown', down, options);
    document.addEventListener('pointermove', move, options);
    document.addEventListener('pointerup', up, options);
    document.addEventListener('pointercancel', cancel, options);
    return () => {
      document.removeEventListener('pointerdown', down, options);
      document.removeEventListener('pointermove', move, options);
      document.removeEventListener('pointerup', up, options);
      document.removeEventListener('pointercancel', cancel, options);
    };
  }, [enabled, holdCorner, holdS, tapCorner, taps, withinS, area]);
}

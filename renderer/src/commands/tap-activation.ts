// A tap on a button activates it when the finger lifts (touchend), not when the browser
// gets round to the click it makes of the tap: that click comes only after the renderer
// has answered the touchend and the browser has recognised the gesture (pointerup → click:
// 11 ms median, 21–24 ms p95 in `npm run bench` on a busy 2-CPU machine), all of it
// before the command even leaves for the brain.
//
// Only what is surely a tap is taken over: one finger, down and up on the same enabled
// button (hit-tested where it lifts, so an inert screen under a modal is never hit),
// moved no more than TAP_SLOP_PX, held less than TAP_MAX_MS (a longer press is the
// browser's long press, and stays the browser's). Then the touchend is cancelled, so the
// browser makes neither mouse events nor a click of it (no second activation, and no
// "ghost" click on whatever the next screen puts under the finger), and the button gets
// what the browser would have given it: focus, then a click at the finger's position.
// Everything else (a pan, two fingers, a press on anything but a button, a mouse, a key,
// a touchend the browser says cannot be cancelled) is left to the browser as it was.
// Pointer events are untouched: they are dispatched before the touch events.

/** A press held longer than this is no tap, ms (Chromium's long press starts at 500 ms). */
export const TAP_MAX_MS = 450;
/** A finger that moved farther than this between down and up made no tap, px. */
export const TAP_SLOP_PX = 10;

interface Press {
  touch: number;
  x: number;
  y: number;
  at: number;
  button: HTMLButtonElement;
}

const buttonOf = (node: EventTarget | null): HTMLButtonElement | null => (node instanceof Element ? node.closest('button') : null);

/** Installs the listeners on `target` (the window); returns their removal. */
export function activateButtonsOnTouchEnd(target: Window = window): () => void {
  let press: Press | null = null;

  const onTouchStart = (event: TouchEvent) => {
    press = null;
    const touch = event.changedTouches[0];
    const button = buttonOf(event.target);
    if (event.touches.length !== 1 || !touch || !button) return;
    press = { touch: touch.identifier, x: touch.clientX, y: touch.clientY, at: event.timeStamp, button };
  };

  const onTouchEnd = (event: TouchEvent) => {
    const started = press;
    press = null;
    if (!started || event.touches.length !== 0 || !event.cancelable || event.defaultPrevented) return;
    const touch = [...event.changedTouches].find((t) => t.identifier === started.touch);
    if (!touch || event.timeStamp - started.at > TAP_MAX_MS || Math.hypot(touch.clientX - started.x, touch.clientY - started.y) > TAP_SLOP_PX) return;
    const button = buttonOf(target.document.elementFromPoint(touch.clientX, touch.clientY));
    if (button !== started.button || button.matches(':disabled') || button.closest('[inert]') !== null) return;
    event.preventDefault();
    button.focus({ preventScroll: true });
    const { clientX, clientY, screenX, screenY } = touch;
    button.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, composed: true, view: target, detail: 1, clientX, clientY, screenX, screenY }));
  };

  const forget = () => {
    press = null;
  };

  target.addEventListener('touchstart', onTouchStart, { capture: true, passive: true });
  // Not passive: cancelling it is what keeps the browser from clicking a second time.
  target.addEventListener('touchend', onTouchEnd, { capture: true, passive: false });
  target.addEventListener('touchcancel', forget, { capture: true, passive: true });
  return () => {
    target.removeEventListener('touchstart', onTouchStart, { capture: true });
    target.removeEventListener('touchend', onTouchEnd, { capture: true });
    target.removeEventListener('touchcancel', forget, { capture: true });
  };
}

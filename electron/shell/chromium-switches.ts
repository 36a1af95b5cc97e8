// Chromium's defaults that the kiosk's screen turns off, one list for every browser that shows
// it: the Electron shell (main.ts), the bench's Chromium (bench/run.ts) and an operator's kiosk
// browser on the web host (README, Speed).
//
// DeferRendererTasksAfterInput: after a tap, Chromium holds every other task of the page
// (timers, WebSocket and IPC messages) until it has drawn a frame. A tap's command goes to the
// brain and its answer is back in about 1 ms, but the page may not read it until that frame is
// drawn (about 15 ms later here), and the next screen then waits for the frame after. With it
// off the answer is read at once and the next screen is in the first frame after the tap
// (`npm run bench`, tapToNextScreen and its defaultChromium comparison).
export const DISABLED_CHROMIUM_FEATURES = ['DeferRendererTasksAfterInput'] as const;

/** The command-line switches for a Chromium showing the kiosk's screen. */
export function kioskChromiumArgs(): string[] {
  return [`--disable-features=${DISABLED_CHROMIUM_FEATURES.join(',')}`];
}

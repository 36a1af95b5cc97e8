import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { getBridge } from './bridge/get-bridge.js';
import { CommandProvider } from './commands/CommandContext.js';
import { activateButtonsOnTouchEnd } from './commands/tap-activation.js';
import { initI18n } from './i18n/i18n.js';
import { StoreContext } from './store/StoreContext.js';
import { createSnapshotStore } from './store/snapshot-store.js';
import './styles.css';
import './screen-choices.css';
// The maintenance menu's styles (imported here, not from its module: the screen tests bundle the App without a CSS output).
import './maintenance/maintenance.css';

initI18n();
const bridge = getBridge();
const store = createSnapshotStore(bridge);

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('#root is missing from index.html');

// A kiosk has no context menu (long press would open one).
window.addEventListener('contextmenu', (event) => event.preventDefault());
// A tap on a button acts when the finger lifts, not on the browser's click after it.
activateButtonsOnTouchEnd();

createRoot(rootElement).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <CommandProvider bridge={bridge}>
        <App />
      </CommandProvider>
    </StoreContext.Provider>
  </StrictMode>,
);

// Which screen the driver sees: the start screen, or the flow of the focused
// connector by its phase. Everything comes from the snapshot.
import type { ConnectorView } from '../../../electron/contract/index.js';
import { useView } from '../store/StoreContext.js';
import { selectFocusedConnector } from '../store/selectors.js';
import { AuthorizingScreen } from './AuthorizingScreen.js';
import { AwaitingVehicleScreen } from './AwaitingVehicleScreen.js';
import { ChargingScreen } from './ChargingScreen.js';
import { ChoosingPaymentScreen } from './ChoosingPaymentScreen.js';
import { DeclinedScreen } from './DeclinedScreen.js';
import { InactivityModal } from './InactivityModal.js';
import { ParkedScreen } from './ParkedScreen.js';
import { ProblemScreen } from './ProblemScreen.js';
import { SettlingScreen } from './SettlingScreen.js';
import { StartScreen } from './StartScreen.js';
import { StartingScreen } from './StartingScreen.js';
import { SummaryScreen } from './SummaryScreen.js';

export function DriverScreen() {
  const connector = useView(selectFocusedConnector);
  if (!connector || connector.phase === 'available') return <StartScreen />;
  return (
    <>
      {/* Keyed by connector: local screen state (an open keypad) never leaks to another connector. */}
      <FlowScreen key={connector.id} connector={connector} />
      {connector.countdown?.kind === 'inactivity' && <InactivityModal connector={connector} countdown={connector.countdown} />}
    </>
  );
}

function FlowScreen({ connector }: { connector: ConnectorView }) {
  switch (connector.phase) {
    case 'starting':
      return <StartingScreen connector={connector} />;
    case 'choosingPayment':
      return <ChoosingPaymentScreen connector={connector} />;
    case 'authorizing':
      return <AuthorizingScreen connector={connector} />;
    case 'declined':
      return <DeclinedScreen connector={connector} />;
    case 'awaitingVehicle':
      return <AwaitingVehicleScreen connector={connector} />;
    case 'charging':
      return <ChargingScreen connector={connector} />;
    case 'parked':
      return <ParkedScreen connector={connector} />;
    case 'settling':
      return <SettlingScreen connector={connector} />;
    case 'summary':
      return <SummaryScreen connector={connector} />;
    case 'outOfService':
    case 'fault':
      return <ProblemScreen connector={connector} />;
    case 'available':
      return <StartScreen />;
  }
}


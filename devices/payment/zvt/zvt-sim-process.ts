// A ZVT card terminal simulated in its own process, on TCP or on a serial port (one end of
// a pseudo-terminal pair), so a kiosk configured with `devices.terminal: {kind: zvt, …}`
// can be tried without a terminal:
//
//   npm run zvt-sim -- --tcp 20007 [--state FILE]                 # kiosk: {kind: zvt, host: 127.0.0.1, password: "000000"}
//   socat -d -d pty,raw,echo=0,link=/tmp/zvt-a pty,raw,echo=0,link=/tmp/zvt-b &
//   npm run zvt-sim -- --serial /tmp/zvt-b [--baud 9600]          # kiosk: {kind: zvt, path: /tmp/zvt-a, …} (with allowUnstablePath in tests)
//
// Prints `ready` once it listens (or the port is open). Reads control lines on stdin and
// answers each with `ok` (or `error …`):
//   outcome KIND       what the next payments do: approve, decline, insufficientFunds,
//                      cardExpired, pin, timeout, cardRemoved, busy, lateApproval
//   tap [second]       a card is held to the reader (for a read card: tap to start, stop by card)
//   state              `ok {json}`: open reservations, behaviour, counters
//   reservations       `ok [json]`: every reservation it remembers
//   quit               exit (so do SIGTERM and SIGINT; the end of stdin does not, so it can run in the background)
// Options: --password 6 digits (default 000000), --card-delay-ms, --host-delay-ms, --latency-ms,
// --ends-with-link (a transaction ends when the kiosk's link goes; by default the terminal
// finishes it alone, as real ones do, and the kiosk must find the reservation).
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { systemClock } from '../../clock.js';
import { SerialLink, serialPortOpener } from '../../serial/serial-link.js';
import type { ApduChannel } from './channel.js';
import { ZvtSerialChannel } from './serial-channel.js';
import { listenZvtTcp } from './tcp-channel.js';
import { BEHAVIOUR_KINDS } from './zvt-simulator-state.js';
import { DEFAULT_SIM_CARD, SECOND_SIM_CARD, ZvtTerminalSimulator } from './zvt-simulator.js';
import type { ZvtSimBehaviourKind } from './zvt-simulator.js';

const { values } = parseArgs({
  options: {
    tcp: { type: 'string' },
    serial: { type: 'string' },
    baud: { type: 'string', default: '9600' },
    state: { type: 'string' },
    password: { type: 'string', default: '000000' },
    'card-delay-ms': { type: 'string', default: '1500' },
    'host-delay-ms': { type: 'string', default: '800' },
    'latency-ms': { type: 'string', default: '0' },
    'ends-with-link': { type: 'boolean', default: false },
  },
});

if ((values.tcp === undefined) === (values.serial === undefined)) {
  console.error('zvt-sim: give --tcp PORT or --serial PATH');
  process.exit(2);
}

let simulator: ZvtTerminalSimulator | null = null;
let card = DEFAULT_SIM_CARD;
let behaviour: ZvtSimBehaviourKind = 'approve';

/** One terminal, whatever link reaches it: a new connection is a new link to the same memory. */
function serve(channel: ApduChannel): void {
  if (simulator) return simulator.connect(channel);
  simulator = new ZvtTerminalSimulator({
    channel,
    clock: systemClock,
    stateFile: values.state ?? null,
    password: values.password,
    card,
    cardDelayMs: Number(values['card-delay-ms']),
    hostDelayMs: Number(values['host-delay-ms']),
    latencyMs: Number(values['latency-ms']),
    // A terminal whose ECR vanishes mid-payment goes on with the card it has (--ends-with-link: it gives up).
    completesAfterLinkLoss: !values['ends-with-link'],
  });
  simulator.setBehaviour(behaviour);
}

let close: () => Promise<void>;
if (values.tcp !== undefined) {
  const server = await listenZvtTcp(Number(values.tcp), '127.0.0.1', serve);
  close = () => server.close();
} else {
  const link = new SerialLink({
    device: 'ZVT terminal simulator',
    path: values.serial!,
    baudRate: Number(values.baud),
    clock: systemClock,
    openPort: serialPortOpener({ stopBits: 2 }),
    onOpen: (port) => serve(new ZvtSerialChannel(port, { clock: systemClock, device: 'ECR', ownsStream: false })),
  });
  link.start();
  close = () => link.close();
}
console.log('ready');

const quit = async (): Promise<never> => {
  await simulator?.close();
  await close();
  process.exit(0);
};
process.on('SIGTERM', () => void quit());
process.on('SIGINT', () => void quit());

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [command, argument] = line.trim().split(/\s+/);
  try {
    switch (command) {
      case 'outcome':
        if (!(BEHAVIOUR_KINDS as readonly string[]).includes(argument ?? '')) throw new Error(`outcome is one of ${BEHAVIOUR_KINDS.join(', ')}`);
        behaviour = argument as ZvtSimBehaviourKind;
        simulator?.setBehaviour(behaviour);
        return console.log('ok');
      case 'tap':
        card = argument === 'second' ? SECOND_SIM_CARD : DEFAULT_SIM_CARD;
        simulator?.setCard(card);
        return console.log(simulator?.tap() ? 'ok' : 'ok (no card read was waiting)');
      case 'state':
        return console.log(`ok ${JSON.stringify(simulator?.view() ?? null)}`);
      case 'reservations':
        return console.log(`ok ${JSON.stringify(simulator?.reservations() ?? [])}`);
      case 'quit':
        return void quit();
      case undefined:
      case '':
        return;
      default:
        throw new Error(`unknown command ${command}`);
    }
  } catch (error) {
    console.log(`error ${error instanceof Error ? error.message : String(error)}`);
  }
});

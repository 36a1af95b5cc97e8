// An OpenEVSE simulated in its own process, speaking RAPI on a serial port (one end of
// a pseudo-terminal pair), so the real driver can be tested through real serialport.
//
//   socat -d -d pty,raw,echo=0,link=/tmp/evse-a pty,raw,echo=0,link=/tmp/evse-b &
//   node --import tsx devices/charger/rapi-sim-process.ts --port /tmp/evse-b [--state FILE]
//
// Prints `ready` once the port is open (it reopens the port whenever it goes away).
// Reads control lines on stdin and answers each with `ok` (or `error …`):
//   plug | unplug     the car's cable in or out
//   fault | clear     a ground fault trips, or is cleared
//   full              the car's battery is full
//   reset             power cycle (the controller reboots: `$AB`)
//   state             `ok {json}`: the physical state, with the controller's mode and relay
//   quit              exit (so does the end of stdin, and SIGTERM)
// Options: --limits (firmware with $SH/$S3), --no-heartbeat, --max-current A, --voltage V,
// --phases 1|3, --vehicle-max-current A, --capacity-wh Wh, --sample-interval-ms ms,
// --stop-delay-ms ms, --sleeping-code HEX (report sleep as this state code), --fw-version VERSION
// (what `$GV` answers), --firmware VARIANT[,VARIANT…] (the firmware variants to play, as in
// the configuration: standard, quiet, noSeqId, fd-sleep, gg4, banner, gu-reversed, no-vflags).
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { systemClock } from '../clock.js';
import { RapiEvseSimulator } from './rapi-simulator.js';
import { serveRapiSimulatorSerial } from './rapi-serial.js';
import { parseFirmwareList } from './rapi-variants.js';
import { SimulatedCharger } from './simulated-charger.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    state: { type: 'string' },
    limits: { type: 'boolean', default: false },
    'no-heartbeat': { type: 'boolean', default: false },
    'max-current': { type: 'string', default: '32' },
    voltage: { type: 'string', default: '230' },
    phases: { type: 'string', default: '1' },
    'vehicle-max-current': { type: 'string', default: '16' },
    'capacity-wh': { type: 'string', default: '60000' },
    'sample-interval-ms': { type: 'string', default: '1000' },
    'stop-delay-ms': { type: 'string', default: '1000' },
    'sleeping-code': { type: 'string' },
    firmware: { type: 'string', default: 'standard' },
    'fw-version': { type: 'string' },
  },
  strict: true,
});

function fail(message: string): never {
  process.stderr.write(`rapi-sim-process: ${message}\n`);
  process.exit(2);
}

function num(name: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value)) fail(`--${name} must be a number, got ${String(text)}`);
  return value;
}

if (!values.port) fail('--port <path> is required');
const phases = num('phases', values.phases);
if (phases !== 1 && phases !== 3) fail('--phases must be 1 or 3');
let firmware: ReturnType<typeof parseFirmwareList> = [];
try {
  firmware = parseFirmwareList(values.firmware);
} catch (error) {
  fail(`--firmware: ${error instanceof Error ? error.message : String(error)}`);
}

const model = new SimulatedCharger({
  clock: systemClock,
  stateFile: values.state ?? null,
  maxCurrentA: num('max-current', values['max-current']),
  voltageV: num('voltage', values.voltage),
  phases,
  vehicleMaxCurrentA: num('vehicle-max-current', values['vehicle-max-current']),
  vehicleCapacityWh: num('capacity-wh', values['capacity-wh']),
  sampleIntervalMs: num('sample-interval-ms', values['sample-interval-ms']),
  stopDelayMs: num('stop-delay-ms', values['stop-delay-ms']),
});
const simulator = new RapiEvseSimulator({
  model,
  clock: systemClock,
  phases,
  limits: values.limits,
  heartbeat: !values['no-heartbeat'],
  ...(values['sleeping-code'] !== undefined ? { sleepingStateCode: parseInt(values['sleeping-code'], 16) } : {}),
  firmware,
  ...(values['fw-version'] !== undefined ? { firmwareVersion: values['fw-version'] } : {}),
});
const served = serveRapiSimulatorSerial({ path: values.port, simulator, clock: systemClock });

let quitting = false;
async function quit(code = 0): Promise<void> {
  if (quitting) return;
  quitting = true;
  await served.close().catch(() => {});
  await simulator.close();
  await model.close();
  process.exit(code);
}

process.on('SIGTERM', () => void quit());
process.on('SIGINT', () => void quit());

await served.ready;
process.stdout.write('ready\n');

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = line.trim();
  if (command === '') return;
  try {
    switch (command) {
      case 'plug':
        model.simPlug(true);
        break;
      case 'unplug':
        model.simPlug(false);
        break;
      case 'fault':
        model.simFault(true);
        break;
      case 'clear':
        model.simFault(false);
        break;
      case 'full':
        model.simVehicleFull();
        break;
      case 'reset':
        model.reset();
        break;
      case 'state':
        void model.status().then(
          (status) => process.stdout.write(`ok ${JSON.stringify({ ...model.simState(), mode: status.mode, relayClosed: status.relayClosed })}\n`),
          (error: unknown) => process.stdout.write(`error ${String(error)}\n`),
        );
        return;
      case 'quit':
        process.stdout.write('ok\n');
        void quit();
        return;
      default:
        process.stdout.write(`error unknown command: ${command}\n`);
        return;
    }
    process.stdout.write('ok\n');
  } catch (error) {
    process.stdout.write(`error ${error instanceof Error ? error.message : String(error)}\n`);
  }
});
lines.on('close', () => void quit());
